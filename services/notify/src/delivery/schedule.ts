import { parseDuration } from '@ecrs/http'

/**
 * A duration in milliseconds: `250ms`, or what `parseDuration` reads (`45`, `5s`, `2m`, `1h`, `7d`).
 * Undefined for anything else and for zero.
 */
export const parseDurationMs = (text: string): number | undefined => {
  const ms = /^(\d{1,9})ms$/.exec(text)
  if (ms !== null) return Number(ms[1]) > 0 ? Number(ms[1]) : undefined
  const seconds = parseDuration(text)
  return seconds === undefined ? undefined : seconds * 1000
}

/**
 * The retry schedule of `NOTIFY_RETRY_SCHEDULE` (`5s, 30s, 2m, 10m, 1h, 6h, 24h`) in milliseconds:
 * the waits after the first, second, … failed attempt. Throws on anything it cannot read.
 */
export const parseSchedule = (text: string): number[] => {
  const parts = text.split(',').map((p) => p.trim())
  return parts.map((p) => {
    const ms = parseDurationMs(p)
    if (ms === undefined) throw new Error(`NOTIFY_RETRY_SCHEDULE: "${p}" is not a duration`)
    return ms
  })
}

/**
 * When a delivery whose attempt number `attempts` just failed is tried again: the wait of the
 * schedule, or undefined when the schedule is spent (the delivery has failed). A delivery retried
 * by hand after it failed gets that one attempt, then fails again.
 */
export const retryDelay = (attempts: number, schedule: readonly number[]): number | undefined =>
  attempts >= 1 ? schedule[attempts - 1] : undefined
