import { createHash } from 'node:crypto'
import { groupInsert, type Store } from '@ecrs/store'
import type { Collection, Filter } from 'mongodb'

import type { DeliveryStatus } from '../subscriptions/index.js'

export type { DeliveryStatus }

/** Where a delivery stands; written after every attempt. */
export interface DeliveryState {
  readonly status: DeliveryStatus
  readonly attempts: number
  readonly lastAttemptAt?: Date
  readonly lastStatusCode?: number
  /** Why the last attempt failed when no status code tells (`timeout`, `ECONNREFUSED`, …). */
  readonly lastError?: string
  /** When a pending delivery is attempted next. */
  readonly nextAttemptAt?: Date
}

/** One entry to one subscription (`_id` = deliveryId, also the `webhook-id`). */
export interface DeliveryDoc extends DeliveryState {
  readonly _id: string
  readonly subscriptionId: string
  readonly seq: string
  readonly uscc: string
  /** The body, exactly as every attempt sends it. */
  readonly payload: string
  readonly createdAt: Date
}

/** A delivery without its body, as listings show it. */
export type DeliverySummary = Omit<DeliveryDoc, 'payload'>

export interface DeliveryStore {
  /** Inserts; answers the ids that were there already (a repeat is no error). */
  insert(docs: readonly DeliveryDoc[]): Promise<Set<string>>
  /** Every pending delivery (read once, when a dispatcher starts). */
  pending(): Promise<DeliveryDoc[]>
  get(id: string): Promise<DeliveryDoc | null>
  save(id: string, state: DeliveryState): Promise<void>
  /** One subscription's deliveries in `seq` order after `after`, at most `limit`. */
  page(
    subscriptionId: string,
    q: { readonly status?: DeliveryStatus; readonly after?: string; readonly limit: number },
  ): Promise<DeliverySummary[]>
  removeOf(subscriptionId: string): Promise<void>
}

/**
 * The id of the delivery of entry `seq` to `subscriptionId`: the same for every attempt and every
 * process, so that creating it twice (the feed telling an entry again after a crash) finds it.
 */
export const deliveryId = (subscriptionId: string, seq: string): string =>
  `msg_${createHash('sha256').update(`${subscriptionId}\n${seq}`, 'utf8').digest('base64url').slice(0, 32)}`

const STATE_FIELDS = ['lastAttemptAt', 'lastStatusCode', 'lastError', 'nextAttemptAt'] as const

/** The deliveries collection. The dispatcher reads it whole once; after that it goes by `_id`. */
export const deliveryStore = (
  store: Store,
  name = 'deliveries',
): DeliveryStore & { ensureIndexes(): Promise<void> } => {
  const deliveries: Collection<DeliveryDoc> = store.db.collection(name)
  const insert = groupInsert(store, deliveries)
  return {
    async ensureIndexes() {
      await deliveries.createIndex({ subscriptionId: 1, seq: 1 })
      await deliveries.createIndex({ status: 1 })
    },
    insert,
    pending: () => deliveries.find({ status: 'pending' }).toArray(),
    get: (id) => deliveries.findOne({ _id: id }),
    async save(id, state) {
      const set: Record<string, unknown> = { status: state.status, attempts: state.attempts }
      const unset: Record<string, ''> = {}
      for (const f of STATE_FIELDS) {
        if (state[f] === undefined) unset[f] = ''
        else set[f] = state[f]
      }
      await store.write(() =>
        deliveries.updateOne(
          { _id: id },
          Object.keys(unset).length === 0 ? { $set: set } : { $set: set, $unset: unset },
        ),
      )
    },
    page(subscriptionId, q) {
      const filter: Filter<DeliveryDoc> = {
        subscriptionId,
        ...(q.status === undefined ? {} : { status: q.status }),
        ...(q.after === undefined ? {} : { seq: { $gt: q.after } }),
      }
      return deliveries
        .find<DeliverySummary>(filter, { projection: { payload: 0 } })
        .sort({ seq: 1 })
        .limit(q.limit)
        .toArray()
    },
    async removeOf(subscriptionId) {
      await store.write(() => deliveries.deleteMany({ subscriptionId }))
    },
  }
}
