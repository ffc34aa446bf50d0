/** Delivery documents: made from feed entries, read into memory, shown in listings. */
import type { DeliveryListing } from '../subscriptions/index.js'
import type { FeedEntry } from '../types.js'
import type { QueuedDelivery } from './queue.js'
import { deliveryId, type DeliveryDoc, type DeliverySummary } from './store.js'
import type { SubscriptionIndex } from './subscription-index.js'

/** The webhook body of an entry (contract §8); `timestamp` is when the feed recorded it. */
export const webhookBody = (entry: FeedEntry): string =>
  JSON.stringify({ type: 'profile.changed', timestamp: entry.recordedAt, data: entry })

/** The deliveries of `entries`: one per matching subscription, pending, due at `at`. */
export const deliveriesOf = (
  index: SubscriptionIndex,
  entries: readonly FeedEntry[],
  at: Date,
): DeliveryDoc[] =>
  entries.flatMap((entry) =>
    index.matching(entry).map(({ subscription, entry: sent }) => ({
      _id: deliveryId(subscription._id, entry.seq),
      subscriptionId: subscription._id,
      seq: entry.seq,
      uscc: entry.uscc,
      payload: webhookBody(sent),
      createdAt: at,
      status: 'pending' as const,
      attempts: 0,
      nextAttemptAt: at,
    })),
  )

/** A stored delivery in memory. */
export const queued = (doc: DeliveryDoc): QueuedDelivery => ({
  id: doc._id,
  subscriptionId: doc.subscriptionId,
  seq: doc.seq,
  uscc: doc.uscc,
  payload: doc.payload,
  createdAt: doc.createdAt.getTime(),
  status: doc.status,
  attempts: doc.attempts,
  nextAttemptAt: doc.nextAttemptAt?.getTime() ?? 0,
  ...(doc.lastAttemptAt === undefined ? {} : { lastAttemptAt: doc.lastAttemptAt.getTime() }),
  ...(doc.lastStatusCode === undefined ? {} : { lastStatusCode: doc.lastStatusCode }),
  ...(doc.lastError === undefined ? {} : { lastError: doc.lastError }),
  rev: 0,
})

/** A stored delivery as the listing shows it. */
export const listingOf = (d: DeliverySummary): DeliveryListing => ({
  deliveryId: d._id,
  seq: d.seq,
  status: d.status,
  attempts: d.attempts,
  createdAt: d.createdAt.toISOString(),
  lastAttemptAt: d.lastAttemptAt === undefined ? null : d.lastAttemptAt.toISOString(),
  ...(d.lastStatusCode === undefined ? {} : { lastStatusCode: d.lastStatusCode }),
  ...(d.lastError === undefined ? {} : { lastError: d.lastError }),
  ...(d.status === 'pending' && d.nextAttemptAt !== undefined
    ? { nextAttemptAt: d.nextAttemptAt.toISOString() }
    : {}),
})
