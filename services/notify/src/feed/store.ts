/**
 * The change feed in the store (contract §8): entries by seq, the change ids already recorded, and
 * the visibility watermark readers stop at.
 *
 * Write order of one `record()` — the store has no transactions, so each step is one idempotent
 * write and the order alone makes a crash at any point harmless:
 *
 *   1. look the batch's change ids up (by `_id`); drop the known ones, and repeats within the batch;
 *   2. insert the new entries, seqs following the highest entry *written* (ordered insert: a crash
 *      leaves a prefix), each entry holding its own change ids;
 *   3. insert the change-id docs (`_id` = change id; existing ones are no error);
 *   4. tell the fan-out (deliveries) of the new entries;
 *   5. move the watermark (`$max`) to the last new seq: only now may readers see them.
 *
 * - Crash before 2: nothing written; Kafka redelivers the records (their offsets were not
 *   committed) and they are recorded as if for the first time.
 * - Crash during or after 2, before 5: the entries written lie above the watermark, invisible.
 *   Recovery (at start, and before the next record() after any failure) reads every entry above the
 *   watermark, inserts its change-id docs (3 again), tells the fan-out again (4 again: the fan-out
 *   is idempotent), and moves the watermark over them (5). The redelivered records then find their
 *   change ids known and make no second entry; the changes of the entries a torn insert did not
 *   write are not known and are recorded afresh, after the highest written seq.
 * - Crash after 5, before Kafka commits the offsets: the redelivered records find every change id
 *   known: no entry, no second fan-out.
 *
 * Why this order: change ids after the entries, because a change id without its entry would drop
 * the change for good (the redelivery would count it as recorded); the fan-out before the
 * watermark, because recovery only revisits what lies above the watermark, so a visible entry has
 * always been fanned out. Readers read the watermark first and then only entries at or below it,
 * all written before it moved; and a seq at or below the watermark is never written later (the
 * counter resumes after the highest written entry, not after the watermark; recovery makes no new
 * entries), so no reader sees n+1 before n, nor an entry appear behind its cursor.
 *
 * One writer per feed: the notify consumer of this process (record() calls are queued). A second
 * process recording into the same database would race for seqs (its insert fails on the duplicate
 * `_id`, which is retried after a recovery, but the watermark no longer orders the two writers).
 */
import type { ChangeRecord } from '@ecrs/contracts'
import { findByIds, groupInsert, type Store } from '@ecrs/store'
import type { Collection } from 'mongodb'
import type { FanOut, FeedEntry } from '../types.js'
import {
  FEED_START,
  collectPage,
  laterSeq,
  parseCursor,
  seqAfter,
  seqOf,
  type FeedFilter,
  type FeedPage,
} from './domain.js'

/** The feed's collections (tests write to them to stage a crash). */
export const FEED_COLLECTIONS = {
  entries: 'feed_entries',
  changeIds: 'feed_change_ids',
  meta: 'feed_meta',
} as const

/** An entry as stored: `_id` is its seq, and it keeps its change ids for recovery. */
export interface EntryDoc extends Omit<FeedEntry, 'seq'> {
  _id: string
  changeIds: string[]
}

/** A recorded change id and the entry that carries it. */
interface ChangeIdDoc {
  _id: string
  seq: string
}

interface WatermarkDoc {
  _id: 'watermark'
  seq: string
}

/** What a reader asks of {@link FeedStore.page}. */
export interface PageQuery extends FeedFilter {
  /** Exclusive cursor (a `next` or an entry's seq); absent = the start of the feed. */
  readonly after?: string | undefined
  readonly limit: number
}

/** The change feed. */
export interface FeedStore {
  /**
   * Records the changes of `records` not recorded before (by change id) as new entries, one per
   * record left with a change, tells `fanOut` of them, then makes them visible; answers them.
   */
  record(records: readonly ChangeRecord[], fanOut: FanOut): Promise<FeedEntry[]>
  /**
   * Makes visible what a crash left written but invisible, telling `fanOut` of it again. record()
   * does it by itself first when needed; call it at start to have those entries visible at once.
   */
  recover(fanOut: FanOut): Promise<void>
  /** Visible entries after `after`, filtered, in seq order, and the cursor of the next page. */
  page(query: PageQuery): Promise<FeedPage>
  /** The last visible seq ({@link FEED_START} while the feed is empty), as the store has it. */
  watermark(): Promise<string>
  /** Calls `listener` whenever this process moves the watermark; answers the unsubscribe. */
  onVisible(listener: () => void): () => void
}

export interface FeedStoreOptions {
  readonly now: () => Date
  /** Most entries one page() reads (see PageCut.budget); 5000 by default. */
  readonly scanBudget?: number
}

/** The stand-in answers only `_id` equality from its index (`$in` scans): there, ids are looked up one by one, this many at once. */
const LOOKUP_CONCURRENCY = 16

/**
 * The feed in `store` (collections {@link FEED_COLLECTIONS}; every lookup is by `_id`, so no index
 * is needed). A promise like the other stores', so that preparing the store later changes no caller.
 */
export const feedStore = (store: Store, opts: FeedStoreOptions): Promise<FeedStore> => {
  const entries: Collection<EntryDoc> = store.db.collection(FEED_COLLECTIONS.entries)
  const changeIds: Collection<ChangeIdDoc> = store.db.collection(FEED_COLLECTIONS.changeIds)
  const meta: Collection<WatermarkDoc> = store.db.collection(FEED_COLLECTIONS.meta)
  const insertChangeIds = groupInsert(store, changeIds)
  const scanBudget = opts.scanBudget ?? 5000
  const listeners = new Set<() => void>()

  const readWatermark = async (): Promise<string> =>
    (await meta.findOne({ _id: 'watermark' }))?.seq ?? FEED_START

  // The highest entry written, once known to match the store. Unknown at start and after any
  // failure between the first write and the watermark: record() then recovers first.
  let highest: string | undefined
  let queue: Promise<unknown> = Promise.resolve()
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn)
    queue = run.catch(() => undefined)
    return run
  }

  const knownChangeIds = async (ids: readonly string[]): Promise<Set<string>> =>
    new Set((await findByIds(store, changeIds, ids, { projection: { _id: 1 } })).keys())

  const ensureChangeIds = async (docs: readonly EntryDoc[]): Promise<void> => {
    await insertChangeIds(docs.flatMap((d) => d.changeIds.map((id) => ({ _id: id, seq: d._id }))))
  }

  const makeVisible = async (seq: string): Promise<void> => {
    await store.write(() => meta.updateOne({ _id: 'watermark' }, { $max: { seq } }, { upsert: true }))
    for (const listener of listeners) listener()
  }

  const recoverNow = async (fanOut: FanOut): Promise<void> => {
    const watermark = await readWatermark()
    const above = await entries
      .find({ _id: { $gt: watermark } })
      .sort({ _id: 1 })
      .toArray()
    const last = above[above.length - 1]
    if (last !== undefined) {
      await ensureChangeIds(above)
      await fanOut.entriesRecorded(above.map(toEntry))
      await makeVisible(last._id)
    }
    highest = last?._id ?? watermark
  }

  const recordNow = async (records: readonly ChangeRecord[], fanOut: FanOut): Promise<FeedEntry[]> => {
    if (highest === undefined) await recoverNow(fanOut)
    const fresh = await freshChanges(records, knownChangeIds)
    if (fresh.length === 0) return []
    const recordedAt = opts.now().toISOString()
    let seq = highest!
    const docs: EntryDoc[] = fresh.map((r) => {
      seq = seqAfter(seq)
      return {
        _id: seq,
        uscc: r.uscc,
        name: r.name,
        region: r.region,
        enterpriseKind: r.enterpriseKind,
        time: new Date(r.time).toISOString(),
        recordedAt,
        changes: r.changes,
        changeIds: r.changeIds,
      }
    })
    // From the first write until the watermark moves, what the store holds is not known for sure.
    highest = undefined
    await store.write(() => entries.insertMany(docs, { ordered: true }))
    await ensureChangeIds(docs)
    const recorded = docs.map(toEntry)
    await fanOut.entriesRecorded(recorded)
    await makeVisible(seq)
    highest = seq
    return recorded
  }

  /** The entries after `after` up to `watermark` (at most the scan budget), looked up by `_id` in order. */
  async function* bySeq(after: string, watermark: string): AsyncGenerator<EntryDoc> {
    const last = BigInt(watermark)
    const end = BigInt(after) + BigInt(scanBudget)
    for (let lo = BigInt(after) + 1n; lo <= last && lo <= end; lo += BigInt(LOOKUP_CONCURRENCY)) {
      const ids: string[] = []
      for (let n = lo; n < lo + BigInt(LOOKUP_CONCURRENCY) && n <= last && n <= end; n++) ids.push(seqOf(n))
      const docs = await Promise.all(ids.map((_id) => entries.findOne({ _id })))
      for (const doc of docs) if (doc !== null) yield doc
    }
  }

  return Promise.resolve({
    record: (records, fanOut) =>
      records.length === 0 ? Promise.resolve([]) : serial(() => recordNow(records, fanOut)),
    recover: (fanOut) => serial(() => recoverNow(fanOut)),
    async page(query) {
      const after = query.after === undefined ? FEED_START : parseCursor(query.after)
      if (after === undefined) throw new TypeError(`not a feed cursor: ${query.after}`)
      const watermark = await readWatermark()
      if (after >= watermark) return { items: [], next: laterSeq(after, watermark) }
      const cut = { after, watermark, limit: query.limit, budget: scanBudget, filter: query }
      // The stand-in scans the whole collection for an `_id` range: there the page is read by `_id`
      // lookups instead, which the dense seqs allow (every seq up to the watermark is an entry).
      if (store.flavor === 'ferretdb') return collectPage(mapAsync(bySeq(after, watermark), toEntry), cut)
      const cursor = entries
        .find({ _id: { $gt: after, $lte: watermark } })
        .sort({ _id: 1 })
        .limit(scanBudget)
        .batchSize(Math.min(scanBudget, Math.max(query.limit + 1, 100)))
      try {
        return await collectPage(mapAsync(cursor, toEntry), cut)
      } finally {
        await cursor.close()
      }
    },
    watermark: readWatermark,
    onVisible(listener) {
      // Wrapped, so that subscribing the same function twice makes two subscriptions.
      const entry = () => listener()
      listeners.add(entry)
      return () => listeners.delete(entry)
    },
  })
}

/** A stored entry as readers see it. */
const toEntry = ({ _id, changeIds: _changeIds, ...rest }: EntryDoc): FeedEntry => ({ seq: _id, ...rest })

async function* mapAsync<T, U>(source: AsyncIterable<T>, fn: (t: T) => U): AsyncGenerator<U> {
  for await (const t of source) yield fn(t)
}

/**
 * The records with only their changes not recorded before: by the store's change ids and by the
 * ones earlier in the same batch (a record delivered twice in one batch). A record left with no
 * change is dropped.
 */
const freshChanges = async (
  records: readonly ChangeRecord[],
  known: (ids: readonly string[]) => Promise<Set<string>>,
): Promise<ChangeRecord[]> => {
  const seen = await known([...new Set(records.flatMap((r) => r.changeIds))])
  const fresh: ChangeRecord[] = []
  for (const r of records) {
    const keep = r.changeIds.flatMap((id, i) => {
      if (seen.has(id)) return []
      seen.add(id)
      return [i]
    })
    if (keep.length === 0) continue
    fresh.push(
      keep.length === r.changeIds.length
        ? r
        : { ...r, changes: keep.map((i) => r.changes[i]!), changeIds: keep.map((i) => r.changeIds[i]!) },
    )
  }
  return fresh
}
