import type { Store } from '@ecrs/store'
import type { Collection } from 'mongodb'
import type { Subscription } from './domain.js'

/** The subscriptions collection (`_id` = subscription id). */
export interface SubscriptionStore {
  get(id: string): Promise<Subscription | null>
  /** The subscriptions of one owner (`sub` claim), oldest first. */
  ofOwner(sub: string): Promise<Subscription[]>
  insert(s: Subscription): Promise<void>
  /** Replaces the stored subscription by `_id`; false when it is gone. */
  replace(s: Subscription): Promise<boolean>
  /** Deletes it; false when it was not there. */
  remove(id: string): Promise<boolean>
  all(): Promise<Subscription[]>
  /** Every subscription's `updatedAt` (ms) by id, without the rest: how a reader sees what changed. */
  stamps(): Promise<Map<string, number>>
}

/** A document without its undefined fields (the driver would store them as null). */
const defined = <T extends object>(doc: T): T =>
  Object.fromEntries(Object.entries(doc).filter(([, v]) => v !== undefined)) as T

/**
 * The subscriptions of notify. Subscriptions are few (hundreds): listing an owner's reads them with
 * a filter (a scan on the stand-in, an index on MongoDB); everything else goes by `_id`.
 */
export const subscriptionStore = async (store: Store, name = 'subscriptions'): Promise<SubscriptionStore> => {
  const subs: Collection<Subscription> = store.db.collection(name)
  await subs.createIndex({ 'owner.sub': 1, createdAt: 1 })
  return {
    get: (id) => subs.findOne({ _id: id }),
    ofOwner: (sub) => subs.find({ 'owner.sub': sub }).sort({ createdAt: 1, _id: 1 }).toArray(),
    async insert(s) {
      await store.write(() => subs.insertOne(defined(s)))
    },
    async replace(s) {
      const { _id, ...rest } = s
      const r = await store.write(() => subs.replaceOne({ _id }, defined(rest)))
      return r.matchedCount === 1
    },
    async remove(id) {
      const r = await store.write(() => subs.deleteOne({ _id: id }))
      return r.deletedCount === 1
    },
    all: () => subs.find({}).toArray(),
    async stamps() {
      const docs = await subs.find({}, { projection: { _id: 1, updatedAt: 1 } }).toArray()
      return new Map(docs.map((d) => [d._id, d.updatedAt.getTime()]))
    },
  }
}
