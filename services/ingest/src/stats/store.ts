import type { Collection } from 'mongodb'
import { bulkUpdate, findByIds, groupInsert, type Store } from '@ecrs/store'
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
  /**
   * Every bucket (a few per agency and day: small enough to hold and answer from memory), read a
   * batch at a time, so that loading never holds every document at once.
   */
  buckets(): AsyncIterable<Bucket>
  writeBuckets(buckets: readonly Bucket[]): Promise<void>
  /** Inserts events; answers those already there (keyed `source/id`). */
  insertEvents(docs: readonly EventDoc[]): Promise<Map<string, EventDoc>>
  events(keys: readonly string[]): Promise<Map<string, EventDoc>>
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

/** The statistics of §10 in `<collection>_buckets`, `_events`, `_statuses` (every lookup by `_id`). */
export const statsStore = (store: Store, collection: string): StatsStore => {
  const buckets: Collection<StoredBucket | LegacyBucket> = store.db.collection(`${collection}_buckets`)
  const events: Collection<EventDoc> = store.db.collection(`${collection}_events`)
  const statuses: Collection<StatusDoc> = store.db.collection(`${collection}_statuses`)
  const insertEvents = groupInsert(store, events)
  const insertStatuses = groupInsert(store, statuses)
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
    async insertEvents(docs) {
      const existing = await insertEvents(docs)
      return findByIds(store, events, [...existing])
    },
    events: (keys) => findByIds(store, events, keys),
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
