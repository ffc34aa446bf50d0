import { Counter, Gauge, Histogram, type Registry } from 'prom-client'

/** How an attempt ended, as counted: delivered, to be retried, or failed for good. */
export type AttemptResult = 'delivered' | 'retry' | 'failed'

export interface DeliveryMetrics {
  attempted(result: AttemptResult, seconds: number): void
}

/**
 * The dispatcher's metrics in `registry`: `ecrs_notify_deliveries_total{result}` and
 * `ecrs_notify_attempt_seconds{result}` per attempt, and at scrape time `ecrs_notify_pending`
 * (deliveries waiting) and `ecrs_notify_oldest_pending_seconds` (age of the oldest, 0 when none).
 * No label carries a subscription, an enterprise or a URL.
 */
export const deliveryMetrics = (
  registry: Registry,
  read: () => { readonly pending: number; readonly oldestCreatedAt: number | undefined },
  now: () => number,
): DeliveryMetrics => {
  const registers = [registry]
  const deliveries = new Counter({
    name: 'ecrs_notify_deliveries_total',
    help: 'Webhook delivery attempts, by result: delivered (a 2xx), retry (another attempt is scheduled) or failed (the schedule is spent)',
    labelNames: ['result'] as const,
    registers,
  })
  const seconds = new Histogram({
    name: 'ecrs_notify_attempt_seconds',
    help: 'Duration of webhook delivery attempts (resolution, connection and answer), by result',
    labelNames: ['result'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  })
  new Gauge({
    name: 'ecrs_notify_pending',
    help: 'Webhook deliveries not yet delivered nor failed (paused subscriptions included)',
    registers,
    collect() {
      this.set(read().pending)
    },
  })
  new Gauge({
    name: 'ecrs_notify_oldest_pending_seconds',
    help: 'Age of the oldest pending webhook delivery, in seconds (0 when none is pending)',
    registers,
    collect() {
      const oldest = read().oldestCreatedAt
      this.set(oldest === undefined ? 0 : Math.max(0, (now() - oldest) / 1000))
    },
  })
  for (const result of ['delivered', 'retry', 'failed'] as const) deliveries.inc({ result }, 0)
  return {
    attempted(result, s) {
      deliveries.inc({ result })
      seconds.observe({ result }, s)
    },
  }
}
