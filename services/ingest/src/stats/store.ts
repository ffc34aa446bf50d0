import type { Collection } from 'mongodb'
import { bulkUpdate, groupInsert, type Store } from '@ecrs/store'
import type { Bucket, StatsStatus } from './domain.js'

/** An agency's event as counted (first seen at `origin`, `topic:partition@offset`). */
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
  /** Every bucket (a few per agency and day: small enough to hold and answer from memory). */
  buckets(): Promise<Bucket[]>
  writeBuckets(buckets: readonly Bucket[]): Promise<void>
  /** Inserts events; answers those already there (keyed `source/id`). */
  insertEvents(docs: readonly EventDoc[]): Promise<Map<string, EventDoc>>
  events(keys: readonly string[]): Promise<Map<string, EventDoc>>
  /** Inserts statuses; answers those already there. */
  insertStatuses(docs: readonly StatusDoc[]): Promise<Map<string, StatusDoc>>
  replaceStatuses(docs: readonly StatusDoc[]): Promise<void>
}

/**
 * A bucket as stored: the stand-in takes no nested arrays and no `.` in keys, so each histogram
 * entry is `{d, n}` and the offsets (keyed by topic names) a list.
 */
interface StoredBucket extends Omit<Bucket, 'types' | 'offsets'> {
  types: (Omit<Bucket['types'][number], 'lags'> & { lags: { d: number; n: number }[] })[]
  offsets: { tp: string; next: number }[]
}

const toStored = (b: Bucket): StoredBucket => ({
  ...b,
  types: b.types.map((t) => ({ ...t, lags: t.lags.map(([d, n]) => ({ d, n })) })),
  offsets: Object.entries(b.offsets).map(([tp, next]) => ({ tp, next })),
})

const fromStored = (b: StoredBucket): Bucket => ({
  ...b,
  types: b.types.map((t) => ({ ...t, lags: t.lags.map(({ d, n }): [number, number] => [d, n]) })),
  offsets: Object.fromEntries(b.offsets.map(({ tp, next }) => [tp, next])),
})

/** The stand-in answers `_id` equality from its index and scans for `$in`: look up one by one there. */
const LOOKUP_CONCURRENCY = 16

const byIds = async <T extends { _id: string }>(
  store: Store,
  c: Collection<T>,
  ids: readonly string[],
): Promise<Map<string, T>> => {
  const found = new Map<string, T>()
  if (ids.length === 0) return found
  if (store.flavor === 'mongodb') {
    for (const d of await c.find({ _id: { $in: [...ids] } } as never).toArray()) found.set(d._id, d as T)
    return found
  }
  for (let i = 0; i < ids.length; i += LOOKUP_CONCURRENCY) {
    const docs = await Promise.all(
      ids.slice(i, i + LOOKUP_CONCURRENCY).map((_id) => c.findOne({ _id } as never)),
    )
    for (const d of docs) if (d) found.set(d._id, d as T)
  }
  return found
}

/** The statistics of §10 in `<collection>_buckets`, `_events`, `_statuses` (every lookup by `_id`). */
export const statsStore = (store: Store, collection: string): StatsStore => {
  const buckets: Collection<StoredBucket> = store.db.collection(`${collection}_buckets`)
  const events: Collection<EventDoc> = store.db.collection(`${collection}_events`)
  const statuses: Collection<StatusDoc> = store.db.collection(`${collection}_statuses`)
  const insertEvents = groupInsert(store, events)
  const insertStatuses = groupInsert(store, statuses)
  return {
    collection,
    buckets: async () => (await buckets.find({}).toArray()).map(fromStored),
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
    async insertEvents(docs) {
      const existing = await insertEvents(docs)
      return byIds(store, events, [...existing])
    },
    events: (keys) => byIds(store, events, keys),
    async insertStatuses(docs) {
      const existing = await insertStatuses(docs)
      return byIds(store, statuses, [...existing])
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
