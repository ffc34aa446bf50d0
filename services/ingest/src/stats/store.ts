import type { Collection } from 'mongodb'
import { bulkUpdate, findByIds, groupInsert, type Store } from '@ecrs/store'
import type { Bucket, StatsStatus } from './domain.js'

/**
 * An agency's event as counted (first seen at `origin`, `topic:partition@offset`): kept for retakes
 * (records produced again under a taken-over lease, see ATTEMPT_HEADER) in `_retakes`; `_events`
 * holds one for every event counted before first attempts were told apart (still looked up).
 */
export interface EventDoc {
  _id: string
  agency: string
  type: string
  day: string
  lag: number
  origin: string
}

/**
 * The status counted for an event, from its outcomes (all on one partition of the outcomes topic):
 * `status` after the message at offset `origin`; `before` is the status before `from`, the first
 * of the chunk that wrote it — what a replay of that chunk starts from.
 */
export interface StatusDoc {
  _id: string
  status: StatsStatus
  before: StatsStatus
  from: number
  origin: number
}

export interface StatsStore {
  readonly collection: string
  /**
   * Every bucket (a few per agency and day: small enough to hold and answer from memory), read a
   * batch at a time, so that loading never holds every document at once.
   */
  buckets(): AsyncIterable<Bucket>
  writeBuckets(buckets: readonly Bucket[]): Promise<void>
  /** Inserts retakes counted; answers those already there (keyed `source/id`). */
  insertRetakes(docs: readonly EventDoc[]): Promise<Map<string, EventDoc>>
  /** Every retake counted (few: one per event whose produce was refused and retried). */
  retakes(): AsyncIterable<EventDoc>
  /** Events counted before retakes were told apart, by key. */
  events(keys: readonly string[]): Promise<Map<string, EventDoc>>
  /**
   * Remembers where events were counted: `counted` (key → origin) of events on `topic` whose
   * `recordedAt` falls in `minute` (YYYY-MM-DDTHH:MM, UTC). One document per call, not per event.
   */
  remember(topic: string, minute: string, counted: ReadonlyMap<string, string>): Promise<void>
  /** What `remember` kept for `topic` and `minute` (every call's, merged; the first origin of a key stands). */
  counted(topic: string, minute: string): Promise<Map<string, string>>
  /** Inserts statuses; answers those already there. */
  insertStatuses(docs: readonly StatusDoc[]): Promise<Map<string, StatusDoc>>
  replaceStatuses(docs: readonly StatusDoc[]): Promise<void>
}

/**
 * A bucket as stored: its counts as one JSON string. The stand-in takes no nested arrays and no `.`
 * in keys, and it decodes nested documents slowly (a scan of 3 000 buckets of ~2 KB: 14 s nested,
 * 0.9 s as a string, measured); the counts are only ever read whole, so nothing is lost.
 */
interface StoredBucket {
  _id: string
  agency: string
  day: string
  body: string
}

/** The shape b238200 stored (nested, histogram entries `{d, n}`, offsets a list); still read. */
interface LegacyBucket extends Omit<Bucket, 'types' | 'offsets'> {
  types: (Omit<Bucket['types'][number], 'lags'> & { lags: { d: number; n: number }[] })[]
  offsets: { tp: string; next: number }[]
}

const toStored = (b: Bucket): StoredBucket => ({
  _id: b._id,
  agency: b.agency,
  day: b.day,
  body: JSON.stringify({ types: b.types, offsets: b.offsets }),
})

const fromStored = (b: StoredBucket | LegacyBucket): Bucket => {
  if ('body' in b) {
    const { types, offsets } = JSON.parse(b.body) as Pick<Bucket, 'types' | 'offsets'>
    return { _id: b._id, agency: b.agency, day: b.day, types, offsets }
  }
  return {
    ...b,
    types: b.types.map((t) => ({ ...t, lags: t.lags.map(({ d, n }): [number, number] => [d, n]) })),
    offsets: Object.fromEntries(b.offsets.map(({ tp, next }) => [tp, next])),
  }
}

/** Buckets read per round trip when loading (~2 KB each). */
const LOAD_BATCH = 1000

/**
 * What `remember` writes: `<topic>/<minute>/<n>` for n = 0, 1, 2… (found again by reading ids in
 * order until one is missing: every lookup by `_id`), `counted` as JSON `[[key, origin], …]`.
 */
interface CountedDoc {
  _id: string
  counted: string
}

/** Ids read per round when looking for a minute's documents. */
const PROBE = 16
/** Minutes whose next free `n` is kept in memory (the rest are found again by reading). */
const MAX_NEXT = 4096

/**
 * The statistics of §10 in `<collection>_buckets`, `_counted`, `_retakes`, `_statuses` (and
 * `_events`, read only); every lookup by `_id`.
 */
export const statsStore = (store: Store, collection: string): StatsStore => {
  const buckets: Collection<StoredBucket | LegacyBucket> = store.db.collection(`${collection}_buckets`)
  const events: Collection<EventDoc> = store.db.collection(`${collection}_events`)
  const retakes: Collection<EventDoc> = store.db.collection(`${collection}_retakes`)
  const counted: Collection<CountedDoc> = store.db.collection(`${collection}_counted`)
  const statuses: Collection<StatusDoc> = store.db.collection(`${collection}_statuses`)
  const insertRetakes = groupInsert(store, retakes)
  const insertStatuses = groupInsert(store, statuses)
  const insertCounted = groupInsert(store, counted)
  // Every document of a minute, in order; `next` remembers where the last write of a minute went.
  const next = new Map<string, number>()
  const documentsOf = async (prefix: string): Promise<CountedDoc[]> => {
    const docs: CountedDoc[] = []
    for (let n = 0; ; n += PROBE) {
      const ids = Array.from({ length: PROBE }, (_, i) => `${prefix}/${n + i}`)
      const found = await findByIds(store, counted, ids)
      for (const id of ids) {
        const d = found.get(id)
        if (!d) return docs
        docs.push(d)
      }
    }
  }
  return {
    collection,
    async *buckets() {
      for await (const doc of buckets.find({}).batchSize(LOAD_BATCH)) yield fromStored(doc)
    },
    writeBuckets: (docs) =>
      store.write(() =>
        bulkUpdate(
          store,
          buckets,
          docs.map((d) => ({
            replaceOne: { filter: { _id: d._id }, replacement: toStored(d), upsert: true },
          })),
        ),
      ),
    async insertRetakes(docs) {
      const existing = await insertRetakes(docs)
      return findByIds(store, retakes, [...existing])
    },
    async *retakes() {
      for await (const doc of retakes.find({}).batchSize(LOAD_BATCH)) yield doc
    },
    events: (keys) => findByIds(store, events, keys),
    async remember(topic, minute, entries) {
      if (entries.size === 0) return
      const prefix = `${topic}/${minute}`
      const body = JSON.stringify([...entries])
      let n = next.get(prefix) ?? (await documentsOf(prefix)).length
      // Another writer (an instance that owned the partition before) may have taken `n`: the next one.
      while ((await insertCounted([{ _id: `${prefix}/${n}`, counted: body }])).size > 0) n++
      next.delete(prefix)
      next.set(prefix, n + 1)
      if (next.size > MAX_NEXT) next.delete(next.keys().next().value!)
    },
    async counted(topic, minute) {
      const merged = new Map<string, string>()
      for (const d of await documentsOf(`${topic}/${minute}`))
        for (const [key, origin] of JSON.parse(d.counted) as [string, string][])
          if (!merged.has(key)) merged.set(key, origin)
      return merged
    },
    async insertStatuses(docs) {
      const existing = await insertStatuses(docs)
      return findByIds(store, statuses, [...existing])
    },
    replaceStatuses: (docs) =>
      store.write(() =>
        bulkUpdate(
          store,
          statuses,
          docs.map((d) => ({ replaceOne: { filter: { _id: d._id }, replacement: d, upsert: true } })),
        ),
      ),
  }
}
