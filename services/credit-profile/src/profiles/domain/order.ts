/**
 * Event order (contract.md §3): by the `time` instant, then `recordedAt`, `source` and `id`, so the
 * same history gives the same fold in whatever order it arrived.
 */
import { parseInstant } from '@ecrs/contracts'
import type { EventRef, HistoryEvent } from './types.js'

/** A history event with its instant parsed, ready for the fold. */
export interface TimedEvent extends HistoryEvent {
  /** `time` in epoch milliseconds. */
  readonly at: number
  readonly ref: EventRef
  /** `${source}/${id}`: the key of its outcome. */
  readonly key: string
}

/** The outcome key of an event. */
export const eventKey = (e: EventRef): string => `${e.source}/${e.id}`

// Code-unit comparison, not localeCompare: the order must not depend on the host's locale.
const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

const recordedMs = (e: HistoryEvent): number => {
  const ms = Date.parse(e.recordedAt)
  return Number.isNaN(ms) ? Number.POSITIVE_INFINITY : ms
}

/** Negative, zero or positive as `a` comes before, with or after `b` in event order. */
export const compareEvents = (a: TimedEvent, b: TimedEvent): number =>
  a.at - b.at ||
  recordedMs(a) - recordedMs(b) ||
  compareStrings(a.recordedAt, b.recordedAt) ||
  compareStrings(a.source, b.source) ||
  compareStrings(a.id, b.id)

/** What {@link orderHistory} made of a history. */
export interface OrderedHistory {
  /** Valid events in event order, one per (`source`, `id`). */
  readonly events: readonly TimedEvent[]
  /** Keys of events whose `time` is not an RFC 3339 instant. */
  readonly invalid: readonly string[]
}

/**
 * Parses, orders and deduplicates a history. Duplicates by (`source`, `id`) should not reach here;
 * if they do, the first in event order wins, so the answer still does not depend on input order.
 */
export const orderHistory = (history: readonly HistoryEvent[]): OrderedHistory => {
  const timed: TimedEvent[] = []
  const invalid: string[] = []
  for (const e of history) {
    const at = parseInstant(e.time)?.getTime()
    const key = eventKey(e)
    if (at === undefined) invalid.push(key)
    else timed.push({ ...e, at, ref: { source: e.source, id: e.id }, key })
  }
  timed.sort(compareEvents)
  const seen = new Set<string>()
  const events = timed.filter((e) => !seen.has(e.key) && seen.add(e.key) !== undefined)
  return { events, invalid: [...new Set(invalid)].sort(compareStrings) }
}

/** An epoch-millisecond instant as an ISO string. */
export const iso = (ms: number): string => new Date(ms).toISOString()
