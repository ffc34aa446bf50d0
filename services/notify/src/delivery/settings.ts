import type { Config } from '../config.js'
import { parseDurationMs, parseSchedule } from './schedule.js'

/** The delivery settings read from the service configuration (throws on an unreadable duration). */
export interface DeliverySettings {
  readonly retryScheduleMs: readonly number[]
  readonly timeoutMs: number
  readonly receiverConcurrency: number
  readonly concurrency: number
  readonly secretOverlapMs: number
  /** `ECRS_ENV === 'production'`: https only, public addresses only. */
  readonly production: boolean
}

export const deliverySettings = (
  config: Pick<
    Config,
    | 'ECRS_ENV'
    | 'NOTIFY_RETRY_SCHEDULE'
    | 'NOTIFY_TIMEOUT_MS'
    | 'NOTIFY_RECEIVER_CONCURRENCY'
    | 'NOTIFY_CONCURRENCY'
    | 'NOTIFY_SECRET_OVERLAP'
  >,
): DeliverySettings => {
  const overlap = parseDurationMs(config.NOTIFY_SECRET_OVERLAP)
  if (overlap === undefined) throw new Error('NOTIFY_SECRET_OVERLAP: not a duration')
  return {
    retryScheduleMs: parseSchedule(config.NOTIFY_RETRY_SCHEDULE),
    timeoutMs: config.NOTIFY_TIMEOUT_MS,
    receiverConcurrency: config.NOTIFY_RECEIVER_CONCURRENCY,
    concurrency: config.NOTIFY_CONCURRENCY,
    secretOverlapMs: overlap,
    production: config.ECRS_ENV === 'production',
  }
}
