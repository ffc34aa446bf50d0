/**
 * Asia/Shanghai calendar dates, instants and Civil-Code periods (contract.md §3 "Dates and periods").
 *
 * China has used UTC+8 without daylight saving since 1991, so Shanghai dates are computed with plain
 * arithmetic on the epoch: no Intl and no time-zone database, hence the same answer on every host.
 * Earlier instants (China observed DST 1986–1991) are not a concern for this service.
 */

/** A proleptic-Gregorian calendar date; `month` is 1–12. */
export interface CalendarDate {
  readonly year: number
  readonly month: number
  readonly day: number
}

const MINUTE_MS = 60_000
const HOUR_MS = 60 * MINUTE_MS
const DAY_MS = 24 * HOUR_MS
const SHANGHAI_OFFSET_MS = 8 * HOUR_MS

// Days since 1970-01-01 of a proleptic-Gregorian date (H. Hinnant's days_from_civil). Unlike
// Date.UTC it has no special case for years 0–99.
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146_097 + doe - 719_468
}

// The inverse of daysFromCivil (civil_from_days).
function civilFromDays(days: number): CalendarDate {
  const z = days + 719_468
  const era = Math.floor(z / 146_097)
  const doe = z - era * 146_097
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  )
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day }
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
}

/** The number of days of `month` (1–12) in `year`. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31
}

/** Tells whether `date` names a real day: integer fields, month 1–12, day within the month. */
export function isValidCalendarDate(date: CalendarDate): boolean {
  const { year, month, day } = date
  return (
    Number.isSafeInteger(year) &&
    Number.isInteger(month) &&
    Number.isInteger(day) &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month)
  )
}

function assertDate(date: CalendarDate): void {
  if (!isValidCalendarDate(date)) throw new RangeError(`not a calendar date: ${JSON.stringify(date)}`)
}

function assertInstant(instant: Date): void {
  if (!(instant instanceof Date) || Number.isNaN(instant.getTime())) throw new RangeError('invalid Date')
}

/**
 * The number of days from 1970-01-01 to `date`: a total order on dates, handy as a map key.
 *
 * @throws RangeError for an invalid date.
 */
export function epochDay(date: CalendarDate): number {
  assertDate(date)
  return daysFromCivil(date.year, date.month, date.day)
}

/** The date `days` days after 1970-01-01 (the inverse of {@link epochDay}). */
export function dateOfEpochDay(days: number): CalendarDate {
  if (!Number.isSafeInteger(days)) throw new RangeError('epoch day must be an integer')
  return civilFromDays(days)
}

/**
 * The Asia/Shanghai calendar date on which `instant` falls.
 *
 * @throws RangeError for an invalid Date.
 */
export function shanghaiDateOf(instant: Date): CalendarDate {
  assertInstant(instant)
  return civilFromDays(Math.floor((instant.getTime() + SHANGHAI_OFFSET_MS) / DAY_MS))
}

/**
 * The instant at which `date` begins in Shanghai (00:00 +08:00).
 *
 * @throws RangeError for an invalid date.
 */
export function startOfShanghaiDay(date: CalendarDate): Date {
  return new Date(epochDay(date) * DAY_MS - SHANGHAI_OFFSET_MS)
}

/**
 * The instant at which `date` ends in Shanghai (24:00 +08:00, the start of the next day): what a
 * date means where an instant is needed (contract §3).
 *
 * @throws RangeError for an invalid date.
 */
export function endOfShanghaiDay(date: CalendarDate): Date {
  return new Date((epochDay(date) + 1) * DAY_MS - SHANGHAI_OFFSET_MS)
}

/**
 * `YYYY-MM-DD`.
 *
 * @throws RangeError for an invalid date.
 */
export function formatDate(date: CalendarDate): string {
  assertDate(date)
  const pad = (n: number, width: number): string => String(n).padStart(width, '0')
  return `${pad(date.year, 4)}-${pad(date.month, 2)}-${pad(date.day, 2)}`
}

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/

/** Parses `YYYY-MM-DD`; undefined unless it names a real day (2025-02-30 does not). */
export function parseDate(s: string): CalendarDate | undefined {
  const m = DATE_PATTERN.exec(s)
  if (m === null) return undefined
  const date = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) }
  return isValidCalendarDate(date) ? date : undefined
}

/**
 * The date `n` days after `date` (before it for negative `n`).
 *
 * @throws RangeError for an invalid date or a non-integer `n`.
 */
export function addDays(date: CalendarDate, n: number): CalendarDate {
  if (!Number.isSafeInteger(n)) throw new RangeError('addDays needs an integer')
  return civilFromDays(epochDay(date) + n)
}

/**
 * The day of the week, as `Date.prototype.getUTCDay` counts: 0 Sunday, 1 Monday … 6 Saturday.
 *
 * @throws RangeError for an invalid date.
 */
export function dayOfWeek(date: CalendarDate): number {
  // 1970-01-01 was a Thursday (4).
  return (((epochDay(date) + 4) % 7) + 7) % 7
}

/** Negative, zero or positive as `a` is before, on or after `b`. */
export function compareDates(a: CalendarDate, b: CalendarDate): number {
  return epochDay(a) - epochDay(b)
}

// RFC 3339 §5.6 date-time. "T" and "Z" may be lower case (§5.6 note); the space separator that
// some tools emit is not RFC 3339 and is refused.
const DATE_TIME_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/

function parseDateTime(s: string): Date | undefined {
  const m = DATE_TIME_PATTERN.exec(s)
  if (m === null) return undefined
  const [, y, mo, d, h, mi, sec, fraction = '', zulu, sign, oh = '0', om = '0'] = m
  const date = { year: Number(y), month: Number(mo), day: Number(d) }
  const hour = Number(h)
  const minute = Number(mi)
  // A leap second (:60) has no JavaScript instant; none has been inserted since 2016 and none will be
  // after 2035, so it is refused rather than silently moved.
  const second = Number(sec)
  const offsetHours = Number(oh)
  const offsetMinutes = Number(om)
  if (!isValidCalendarDate(date) || hour > 23 || minute > 59 || second > 59) return undefined
  if (offsetHours > 23 || offsetMinutes > 59) return undefined
  const offsetMs =
    zulu === undefined ? (sign === '-' ? -1 : 1) * (offsetHours * HOUR_MS + offsetMinutes * MINUTE_MS) : 0
  // Milliseconds are JavaScript's resolution: further digits are truncated.
  const millis = Number(fraction.slice(0, 3).padEnd(3, '0'))
  const local = daysFromCivil(date.year, date.month, date.day) * DAY_MS + hour * HOUR_MS + minute * MINUTE_MS
  return new Date(local + second * 1000 + millis - offsetMs)
}

/** Tells whether `s` is an RFC 3339 date-time with a `Z` or `±hh:mm` offset, naming a real instant. */
export function isRfc3339WithOffset(s: string): boolean {
  return parseDateTime(s) !== undefined
}

/**
 * Parses an instant: an RFC 3339 date-time with offset (`2025-07-01T10:00:00+08:00`, `…Z`), or a plain
 * Shanghai date `YYYY-MM-DD`, which means the end of that day, 24:00 +08:00 (contract §3:
 * `2025-07-01` is 2025-07-01T16:00:00Z). Undefined for anything else, including impossible dates and
 * times and date-times without an offset.
 */
export function parseInstant(s: string): Date | undefined {
  const date = parseDate(s)
  return date === undefined ? parseDateTime(s) : endOfShanghaiDay(date)
}

// Art. 203: the day of the final month with the start day's number, or that month's last day.
function correspondingDate(start: CalendarDate, months: number): CalendarDate {
  const index = start.year * 12 + (start.month - 1) + months
  const year = Math.floor(index / 12)
  const month = index - year * 12 + 1
  return { year, month, day: Math.min(start.day, daysInMonth(year, month)) }
}

function assertCount(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} must be a non-negative integer`)
}

/**
 * The end of a period of `months` months that starts at `instant` (Civil Code Arts. 201–203, contract
 * §3): the period runs from the day after the instant's Shanghai date and ends at 24:00 +08:00 of the
 * date with the same day number `months` months later, or of that month's last day where there is
 * none. 31 Aug 2024 + 6 months ends at 24:00 on 28 Feb 2025.
 *
 * The Art. 203 extension of a period whose last day is a statutory holiday is deliberately not applied:
 * contract §3 defines the end as the corresponding date, whatever day it is.
 *
 * @throws RangeError for an invalid Date or a `months` that is not a non-negative integer.
 */
export function addMonthsPeriodEnd(instant: Date, months: number): Date {
  assertCount(months, 'months')
  return endOfShanghaiDay(correspondingDate(shanghaiDateOf(instant), months))
}

/**
 * The end of a period of `years` years that starts at `instant`: as {@link addMonthsPeriodEnd} with
 * `12 × years` months, so 29 Feb 2024 + 1 year ends at 24:00 on 28 Feb 2025.
 *
 * @throws RangeError for an invalid Date or a `years` that is not a non-negative integer.
 */
export function addYearsPeriodEnd(instant: Date, years: number): Date {
  assertCount(years, 'years')
  return addMonthsPeriodEnd(instant, years * 12)
}
