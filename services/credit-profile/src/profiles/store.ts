import type { Collection, Filter } from 'mongodb'
import { groupInsert, type Store } from '@ecrs/store'
import type { FullProfile, HistoryEvent } from './domain/index.js'

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

export interface ProfileStore {
  get(uscc: string): Promise<EnterpriseDoc | null>
  /** Writes `doc` if nobody wrote since `version`; false when someone did (reload and retry). */
  put(doc: EnterpriseDoc, expectedVersion: number): Promise<boolean>
  due(now: Date, limit: number): Promise<string[]>
  all(after: string | undefined, limit: number): Promise<string[]>
  search(q: SearchQuery): Promise<Pick<EnterpriseDoc, '_id' | 'name' | 'region' | 'riskClass'>[]>
  stats(): Promise<{
    enterprises: number
    byRiskClass: Record<'A' | 'B' | 'C' | 'D', number>
    abnormalActive: number
    seriousActive: number
  }>
}

/** The profiles in `collection` (a rebuild fills a new one, then the service switches to it). */
export const profileStore = async (store: Store, collection = 'enterprises'): Promise<ProfileStore> => {
  const docs: Collection<EnterpriseDoc> = store.db.collection(collection)
  await Promise.all([
    docs.createIndex({ registered: 1, riskClass: 1, _id: 1 }),
    docs.createIndex({ regionPrefixes: 1, _id: 1 }),
    docs.createIndex({ nextChangeAt: 1 }),
  ])
  // First writes of concurrent puts go out as one insertMany (a projection's batch is mostly new
  // enterprises when it starts or rebuilds): one round trip instead of one per enterprise.
  const insert = groupInsert(store, docs)
  return {
    get: (uscc) => docs.findOne({ _id: uscc }),
    async put(doc, expectedVersion) {
      if (expectedVersion === 0) return !(await insert([doc])).has(doc._id)
      // On the FerretDB stand-in only a filter of `_id` alone is answered from an index (any other
      // key scans the collection), so there the version check is the projector's in-process lock
      // (the local stack runs one process per service); MongoDB checks the version here.
      const filter =
        store.flavor === 'ferretdb' ? { _id: doc._id } : { _id: doc._id, version: expectedVersion }
      const r = await store.write(() => docs.replaceOne(filter, doc))
      return r.matchedCount === 1
    },
    async due(now, limit) {
      const found = await docs
        .find({ nextChangeAt: { $lte: now } }, { projection: { _id: 1 }, limit })
        .toArray()
      return found.map((d) => d._id)
    },
    async all(after, limit) {
      const filter: Filter<EnterpriseDoc> = after ? { _id: { $gt: after } } : {}
      const found = await docs.find(filter, { projection: { _id: 1 }, sort: { _id: 1 }, limit }).toArray()
      return found.map((d) => d._id)
    },
    search(q) {
      const filter: Filter<EnterpriseDoc> = { registered: true }
      if (q.riskClass) filter.riskClass = q.riskClass as 'A' | 'B' | 'C' | 'D'
      if (q.listed === 'abnormal') filter.abnormalActive = true
      if (q.listed === 'serious') filter.seriousActive = true
      if (q.region) filter.regionPrefixes = q.region
      if (q.after) filter._id = { $gt: q.after }
      return docs
        .find(filter, {
          projection: { _id: 1, name: 1, region: 1, riskClass: 1 },
          sort: { _id: 1 },
          limit: q.limit,
        })
        .toArray()
    },
    async stats() {
      const count = (f: Filter<EnterpriseDoc>) => docs.countDocuments({ registered: true, ...f })
      const [enterprises, A, B, C, D, abnormalActive, seriousActive] = await Promise.all([
        count({}),
        count({ riskClass: 'A' }),
        count({ riskClass: 'B' }),
        count({ riskClass: 'C' }),
        count({ riskClass: 'D' }),
        count({ abnormalActive: true }),
        count({ seriousActive: true }),
      ])
      return { enterprises, byRiskClass: { A, B, C, D }, abnormalActive, seriousActive }
    },
  }
}
