/**
 * The `asOf` of the profile endpoints (contract §6): a Shanghai date (the end of that day) or an
 * RFC 3339 date-time, between 1949-10-01 and ten years from now. The bound keeps the cost of a
 * profile in proportion to what can have happened: the years owed and the rules' triggers grow with
 * the years up to asOf.
 */
import {
  EARLIEST_EVENT_TIME,
  compareDates,
  endOfShanghaiDay,
  parseDate,
  parseInstant,
  shanghaiDateOf,
  type CalendarDate,
} from '@ecrs/contracts'

/** The earliest instant any event or query may name (contract §3, `EARLIEST_EVENT_TIME`). */
export const EARLIEST_AS_OF = EARLIEST_EVENT_TIME
const EARLIEST_DATE: CalendarDate = { year: 1949, month: 10, day: 1 }
const EARLIEST_MS = Date.parse(EARLIEST_AS_OF)

/** How far ahead asOf may look, in years. */
export const AS_OF_YEARS_AHEAD = 10

/** The last Shanghai date asOf may name at `now`: the same date ten years on (28 Feb for 29 Feb). */
export const latestAsOfDate = (now: Date): CalendarDate => {
  const { year, month, day } = shanghaiDateOf(now)
  const y = year + AS_OF_YEARS_AHEAD
  const last = new Date(Date.UTC(y, month, 0)).getUTCDate()
  return { year: y, month, day: Math.min(day, last) }
}

/** What the query parameter is documented as (in /openapi.json). */
export const asOfSchema = {
  description:
    `The instant the profile is asked for: a date (YYYY-MM-DD, meaning 24:00 +08:00 that day) or an ` +
    `RFC 3339 date-time with offset, from ${EARLIEST_AS_OF} (1949-10-01) to ten years from now ` +
    `(the same date ${AS_OF_YEARS_AHEAD} years on, 24:00 +08:00); default now. Outside: 400 QUERY_INVALID.`,
  type: 'string',
  minLength: 10,
  maxLength: 40,
  anyOf: [
    { format: 'date', formatMinimum: '1949-10-01' },
    { format: 'date-time', formatMinimum: EARLIEST_AS_OF },
  ],
  examples: ['2025-07-01', '2025-07-01T10:00:00+08:00'],
} as const

/**
 * The instant `s` names, or why it is refused: `format` when it is no date or date-time,
 * `range` when it lies outside 1949-10-01 … ten years from `now`.
 */
export const parseAsOf = (s: string, now: Date): Date | 'format' | 'range' => {
  const at = parseInstant(s)
  if (at === undefined) return 'format'
  const date = parseDate(s)
  const early = date === undefined ? at.getTime() < EARLIEST_MS : compareDates(date, EARLIEST_DATE) < 0
  const late = at.getTime() > endOfShanghaiDay(latestAsOfDate(now)).getTime()
  return early || late ? 'range' : at
}
