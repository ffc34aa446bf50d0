/**
 * The order in which a case's events apply (contract §3): by the instant of `time`, then
 * `recordedAt`, `source` and `id`. Sorting first makes the fold independent of arrival order.
 */
import { parseInstant } from '@ecrs/contracts'
import type { CaseEvent } from './types.js'

/** The idempotency key of an event, as the outcomes map names it: `${source}/${id}`. */
export const eventKey = (e: { readonly source: string; readonly id: string }): string => `${e.source}/${e.id}`

/** An event with its instants parsed once. */
export interface TimedEvent {
  readonly event: CaseEvent
  /** Epoch milliseconds of `time`. */
  readonly at: number
  readonly recorded: number
}

/** A case's history split by `asOf`. */
export interface OrderedHistory {
  /** Events with a valid `time` ≤ asOf, deduplicated by (source, id), in apply order. */
  readonly counted: readonly TimedEvent[]
  /** Events whose `time` is not an instant: they can only be rejected. */
  readonly untimed: readonly CaseEvent[]
  /** The earliest `time` after asOf (epoch ms): the history changes then even if nothing else does. */
  readonly nextEventAt?: number
}

// Plain code-unit comparison: localeCompare would make the order depend on the host's ICU data.
const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/** The contract §3 order; the serialized data breaks the last tie so the sort is total. */
export const compareTimed = (a: TimedEvent, b: TimedEvent): number =>
  a.at - b.at ||
  a.recorded - b.recorded ||
  compareStrings(a.event.recordedAt, b.event.recordedAt) ||
  compareStrings(a.event.source, b.event.source) ||
  compareStrings(a.event.id, b.event.id) ||
  compareStrings(JSON.stringify(a.event), JSON.stringify(b.event))

/**
 * Sorts `events` into apply order and keeps those that count at `asOf`. A (source, id) seen twice
 * counts once (the first in order): the store deduplicates too, this only makes the fold safe alone.
 */
export const orderHistory = (events: readonly CaseEvent[], asOf: Date): OrderedHistory => {
  const timed: TimedEvent[] = []
  const untimed: CaseEvent[] = []
  for (const event of events) {
    const at = parseInstant(event.time)?.getTime()
    if (at === undefined) untimed.push(event)
    // An unparseable recordedAt sorts last among equal times rather than failing the whole case.
    else timed.push({ event, at, recorded: parseInstant(event.recordedAt)?.getTime() ?? Number.MAX_VALUE })
  }
  timed.sort(compareTimed)
  const limit = asOf.getTime()
  const seen = new Set<string>()
  const counted: TimedEvent[] = []
  let nextEventAt: number | undefined
  for (const t of timed) {
    if (t.at > limit) {
      nextEventAt ??= t.at
      continue
    }
    const key = eventKey(t.event)
    if (seen.has(key)) continue
    seen.add(key)
    counted.push(t)
  }
  return nextEventAt === undefined ? { counted, untimed } : { counted, untimed, nextEventAt }
}
