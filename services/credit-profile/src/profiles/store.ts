import type { Collection, Filter } from 'mongodb'
import { groupInsert, isDuplicateKey, type Store } from '@ecrs/store'
import type { FullProfile, HistoryEvent, ObligationFact } from './domain/index.js'

/** One event of a history as stored: `data` as an opaque JSON string (whatever ingest accepted fits). */
export interface StoredEvent {
  source: string
  id: string
  type: string
  subject: string
  time: string
  recordedAt: string
  data: string
}

/** The outcome last published for an event (an array, since event keys hold dots). */
export interface PublishedOutcome {
  key: string
  status: 'applied' | 'rejected'
  reason?: string
}

/**
 * One document per enterprise (`_id` = USCC): its history, what was published about it, and the
 * profile derived at the last projection with the fields search and stats read. One writer at a
 * time by `version` (the consumer and the scheduler may both reproject it).
 */
export interface EnterpriseDoc {
  _id: string
  version: number
  events: StoredEvent[]
  outcomes: PublishedOutcome[]
  decisions: string[]
  registered: boolean
  profile?: FullProfile
  /**
   * The recall obligations overdue and unsettled at `updatedAt`, which the profile shows only as
   * counts: the next projection compares them with its own (the change feed, contract §8).
   */
  overdue?: ObligationFact[]
  name?: string
  region?: string
  regionPrefixes?: string[]
  riskClass?: 'A' | 'B' | 'C' | 'D'
  abnormalActive?: boolean
  seriousActive?: boolean
  nextChangeAt?: Date
  updatedAt: Date
}

export const toHistory = (events: readonly StoredEvent[]): HistoryEvent[] =>
  events.map((e) => ({ ...e, data: JSON.parse(e.data) as Record<string, unknown> }))

/** The 1- to 6-digit prefixes of a division code, so `region=21` is an indexed equality match. */
export const regionPrefixes = (region: string): string[] =>
  Array.from({ length: Math.min(6, region.length) }, (_, i) => region.slice(0, i + 1))

export interface SearchQuery {
  riskClass?: string
  listed?: 'abnormal' | 'serious'
  region?: string
  after?: string
  limit: number
}

/**
 * What search, stats and the scheduler read of an enterprise, kept beside its document in a
 * collection of its own (`<collection>_summary`): a few hundred bytes instead of the whole history
 * and profile, so that no request loads or folds a history to answer them.
 */
export type SummaryDoc = Pick<
  EnterpriseDoc,
  | '_id'
  | 'version'
  | 'registered'
  | 'name'
  | 'region'
  | 'regionPrefixes'
  | 'riskClass'
  | 'abnormalActive'
  | 'seriousActive'
  | 'nextChangeAt'
>

/** The answer of GET /v1/stats (contract §6). */
export interface Stats {
  enterprises: number
  byRiskClass: Record<'A' | 'B' | 'C' | 'D', number>
  abnormalActive: number
  seriousActive: number
}

/** The counters of `<collection>_counts`, one document kept up to date by every write. */
interface CountsDoc {
  _id: typeof COUNTS_ID
  enterprises: number
  A: number
  B: number
  C: number
  D: number
  abnormalActive: number
  seriousActive: number
}
type Counts = Omit<CountsDoc, '_id'>
const COUNTS_ID = 'counts'
const COUNTERS = ['enterprises', 'A', 'B', 'C', 'D', 'abnormalActive', 'seriousActive'] as const

/** An enterprise's contribution to the counters (registered enterprises only, as stats reports). */
export const countsOf = (
  d: Pick<SummaryDoc, 'registered' | 'riskClass' | 'abnormalActive' | 'seriousActive'> | null,
): Counts => {
  const c: Counts = { enterprises: 0, A: 0, B: 0, C: 0, D: 0, abnormalActive: 0, seriousActive: 0 }
  if (d?.registered !== true) return c
  c.enterprises = 1
  if (d.riskClass !== undefined) c[d.riskClass] = 1
  if (d.abnormalActive === true) c.abnormalActive = 1
  if (d.seriousActive === true) c.seriousActive = 1
  return c
}

const addCounts = (into: Counts, from: Counts, sign: 1 | -1 = 1): void => {
  for (const k of COUNTERS) into[k] += sign * from[k]
}

/** The summary of an enterprise's document. */
export const summaryOf = (doc: EnterpriseDoc): SummaryDoc => ({
  _id: doc._id,
  version: doc.version,
  registered: doc.registered,
  ...(doc.name === undefined ? {} : { name: doc.name }),
  ...(doc.region === undefined ? {} : { region: doc.region }),
  ...(doc.regionPrefixes === undefined ? {} : { regionPrefixes: doc.regionPrefixes }),
  ...(doc.riskClass === undefined ? {} : { riskClass: doc.riskClass }),
  ...(doc.abnormalActive === undefined ? {} : { abnormalActive: doc.abnormalActive }),
  ...(doc.seriousActive === undefined ? {} : { seriousActive: doc.seriousActive }),
  ...(doc.nextChangeAt === undefined ? {} : { nextChangeAt: doc.nextChangeAt }),
})

export interface ProfileStore {
  get(uscc: string): Promise<EnterpriseDoc | null>
  /**
   * Writes `doc` if nobody wrote since `version`; false when someone did (reload and retry). Its
   * summary and the counters follow in the same write path.
   */
  put(doc: EnterpriseDoc, expectedVersion: number): Promise<boolean>
  /** Enterprises whose `nextChangeAt` has come, by `_id`, after `after` when given. */
  due(now: Date, limit: number, after?: string): Promise<string[]>
  all(after: string | undefined, limit: number): Promise<string[]>
  search(q: SearchQuery): Promise<Pick<SummaryDoc, '_id' | 'name' | 'region' | 'riskClass'>[]>
  /** From the counters document: one read by `_id`, whatever the number of enterprises. */
  stats(): Promise<Stats>
}

/**
 * The profiles in `collection` (a rebuild fills a new one, then the service switches to it), with
 * their summaries in `<collection>_summary` and the counters in `<collection>_counts`. A collection
 * that has documents but no counters yet (written before the summaries existed) is summarised and
 * counted once, here.
 */
export const profileStore = async (store: Store, collection = 'enterprises'): Promise<ProfileStore> => {
  const docs: Collection<EnterpriseDoc> = store.db.collection(collection)
  const summaries: Collection<SummaryDoc> = store.db.collection(`${collection}_summary`)
  const counters: Collection<CountsDoc> = store.db.collection(`${collection}_counts`)
  // MongoDB answers search, the scheduler and the runner from these; the FerretDB stand-in answers
  // only `_id` equality from an index and scans the (small) summaries for the rest.
  await Promise.all([
    summaries.createIndex({ registered: 1, riskClass: 1, _id: 1 }),
    summaries.createIndex({ registered: 1, abnormalActive: 1, _id: 1 }),
    summaries.createIndex({ registered: 1, seriousActive: 1, _id: 1 }),
    summaries.createIndex({ regionPrefixes: 1, _id: 1 }),
    summaries.createIndex({ nextChangeAt: 1 }),
  ])
  // First writes of concurrent puts go out as one insertMany (a projection's batch is mostly new
  // enterprises when it starts or rebuilds): one round trip instead of one per enterprise.
  const insert = groupInsert(store, docs)
  const insertSummary = groupInsert(store, summaries)
  const count = countGroups(store, counters)
  await reconcileCounts(store, docs, summaries, counters)

  const writeSummary = async (doc: EnterpriseDoc, isNew: boolean): Promise<void> => {
    const next = summaryOf(doc)
    // A new document has no summary yet (summaries are written after their document).
    const before = isNew ? null : await summaries.findOne({ _id: doc._id })
    const delta = countsOf(next)
    addCounts(delta, countsOf(before), -1)
    await count(delta)
    if (before === null && (await insertSummary([next])).size === 0) return
    await store.write(() => summaries.replaceOne({ _id: doc._id }, next, { upsert: true }))
  }

  return {
    get: (uscc) => docs.findOne({ _id: uscc }),
    async put(doc, expectedVersion) {
      if (expectedVersion === 0) {
        if ((await insert([doc])).has(doc._id)) return false
        await writeSummary(doc, true)
        return true
      }
      // On the FerretDB stand-in only a filter of `_id` alone is answered from an index (any other
      // key scans the collection), so there the version check is the projector's in-process lock
      // (the local stack runs one process per service); MongoDB checks the version here.
      const filter =
        store.flavor === 'ferretdb' ? { _id: doc._id } : { _id: doc._id, version: expectedVersion }
      const r = await store.write(() => docs.replaceOne(filter, doc))
      if (r.matchedCount !== 1) return false
      await writeSummary(doc, false)
      return true
    },
    async due(now, limit, after) {
      const filter: Filter<SummaryDoc> = { nextChangeAt: { $lte: now } }
      if (after !== undefined) filter._id = { $gt: after }
      const found = await summaries
        .find(filter, { projection: { _id: 1 }, sort: { _id: 1 }, limit })
        .toArray()
      return found.map((d) => d._id)
    },
    async all(after, limit) {
      const filter: Filter<SummaryDoc> = after ? { _id: { $gt: after } } : {}
      const found = await summaries
        .find(filter, { projection: { _id: 1 }, sort: { _id: 1 }, limit })
        .toArray()
      return found.map((d) => d._id)
    },
    search(q) {
      const filter: Filter<SummaryDoc> = { registered: true }
      if (q.riskClass) filter.riskClass = q.riskClass as 'A' | 'B' | 'C' | 'D'
      if (q.listed === 'abnormal') filter.abnormalActive = true
      if (q.listed === 'serious') filter.seriousActive = true
      if (q.region) filter.regionPrefixes = q.region
      if (q.after) filter._id = { $gt: q.after }
      return summaries
        .find(filter, {
          projection: { _id: 1, name: 1, region: 1, riskClass: 1 },
          sort: { _id: 1 },
          limit: q.limit,
        })
        .toArray()
    },
    async stats() {
      const c = await counters.findOne({ _id: COUNTS_ID })
      // Never below zero, whatever a crash between two writes left (a rebuild recounts).
      const n = (k: (typeof COUNTERS)[number]) => Math.max(0, c?.[k] ?? 0)
      return {
        enterprises: n('enterprises'),
        byRiskClass: { A: n('A'), B: n('B'), C: n('C'), D: n('D') },
        abnormalActive: n('abnormalActive'),
        seriousActive: n('seriousActive'),
      }
    },
  }
}

/**
 * Group commit of counter changes: the deltas of the writes that come while this process's
 * previous write is in flight go out together as one `$inc` (one round trip per projected batch).
 */
const countGroups = (
  store: Pick<Store, 'write'>,
  counters: Collection<CountsDoc>,
): ((delta: Counts) => Promise<void>) => {
  let open: { delta: Counts; done: Promise<unknown> } | undefined
  return async (delta) => {
    if (COUNTERS.every((k) => delta[k] === 0)) return
    if (!open) {
      const group: { delta: Counts; done: Promise<unknown> } = {
        delta: countsOf(null),
        done: Promise.resolve(),
      }
      group.done = store.write(() => {
        if (open === group) open = undefined // from here on, callers start the next group
        const $inc = Object.fromEntries(
          COUNTERS.filter((k) => group.delta[k] !== 0).map((k) => [k, group.delta[k]]),
        )
        return counters.updateOne({ _id: COUNTS_ID }, { $inc }, { upsert: true })
      })
      open = group
    }
    addCounts(open.delta, delta)
    await open.done
  }
}

/**
 * Creates the counters of a collection that has none: zero for a new (rebuilt) one; for one written
 * before summaries existed, its summaries and counts, from one pass over the documents.
 */
const reconcileCounts = async (
  store: Store,
  docs: Collection<EnterpriseDoc>,
  summaries: Collection<SummaryDoc>,
  counters: Collection<CountsDoc>,
): Promise<void> => {
  if ((await counters.findOne({ _id: COUNTS_ID })) !== null) return
  const total = countsOf(null)
  const projection = { events: 0, outcomes: 0, decisions: 0, profile: 0 }
  for await (const doc of docs.find({}, { projection })) {
    const summary = summaryOf(doc)
    addCounts(total, countsOf(summary))
    await store.write(() => summaries.replaceOne({ _id: summary._id }, summary, { upsert: true }))
  }
  try {
    await store.write(() => counters.insertOne({ _id: COUNTS_ID, ...total }))
  } catch (err) {
    if (!isDuplicateKey(err)) throw err // another process counted first: its count stands
  }
}
