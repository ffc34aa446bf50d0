/**
 * What the subscription routes need of the deliveries (the dispatcher provides it): to hear of
 * changed and deleted subscriptions at once, to list a subscription's deliveries, to retry one.
 */

export type DeliveryStatus = 'pending' | 'delivered' | 'failed'

/** One delivery as `GET /v1/subscriptions/{id}/deliveries` lists it (contract §8). */
export interface DeliveryListing {
  deliveryId: string
  seq: string
  status: DeliveryStatus
  attempts: number
  createdAt: string
  /** null while it was never attempted. */
  lastAttemptAt: string | null
  lastStatusCode?: number
  /** Why the last attempt failed when no status code says it (`timeout`, `ECONNREFUSED`, …). */
  lastError?: string
  /** When a pending delivery is attempted next. */
  nextAttemptAt?: string
}

export interface DeliveryDesk {
  /** The subscription was created or changed (status, URL, filters, secrets): use it from now on. */
  subscriptionChanged(subscriptionId: string): Promise<void>
  /** The subscription was deleted: its deliveries are dropped, in memory and in the store. */
  subscriptionDeleted(subscriptionId: string): Promise<void>
  /** A subscription's deliveries in `seq` order after `after`, at most `limit`. */
  deliveries(
    subscriptionId: string,
    q: { readonly status?: DeliveryStatus; readonly after?: string; readonly limit: number },
  ): Promise<DeliveryListing[]>
  /**
   * Attempts the delivery again at once (a failed or delivered one becomes pending; it still waits
   * for earlier pending entries of its enterprise). False when the subscription has no such delivery.
   */
  retryNow(subscriptionId: string, deliveryId: string): Promise<boolean>
}
