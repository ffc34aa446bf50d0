/**
 * Working days on the official calendar of mainland China (contract.md §3, rule R39): holidays off,
 * make-up days on, otherwise Monday–Friday. Where the holiday data does not reach yet, days are
 * counted Monday–Friday and the answer is marked provisional; nothing fails because of it.
 */
import {
  addDays,
  dayOfWeek,
  endOfShanghaiDay,
  epochDay,
  isValidCalendarDate,
  parseDate,
  shanghaiDateOf,
  type CalendarDate,
} from '../dates.js'
import { HOLIDAYS_CN, HOLIDAYS_CN_FIRST_YEAR, HOLIDAYS_CN_LAST_YEAR } from './holidays-cn.js'

/** What the calendar says of one day. */
export interface DayStatus {
  readonly working: boolean
  /** True when the day lies outside the holiday data, so `working` is a Monday–Friday guess. */
  readonly provisional: boolean
}

/** A due instant computed on the working-day calendar. */
export interface WorkingDayDeadline {
  /** 24:00 +08:00 of the last working day counted. */
  readonly dueAt: Date
  /** True when any day examined lay outside the holiday data: recompute once the data arrives. */
  readonly provisional: boolean
}

/** A date found on the working-day calendar. */
export interface WorkingDayResult {
  readonly date: CalendarDate
  /** True when any day examined lay outside the holiday data. */
  readonly provisional: boolean
}

// Epoch day → working (make-up day) or not (holiday). Built once from every notice, since a notice
// may set days in the neighbouring year.
const exceptions: ReadonlyMap<number, boolean> = (() => {
  const map = new Map<number, boolean>()
  const add = (s: string, working: boolean): void => {
    const date = parseDate(s)
    if (date === undefined) throw new Error(`holiday data: bad date ${s}`)
    map.set(epochDay(date), working)
  }
  for (const arrangement of Object.values(HOLIDAYS_CN)) {
    for (const s of arrangement.off) add(s, false)
    for (const s of arrangement.workdays) add(s, true)
  }
  return map
})()

/** Tells whether the holiday data covers `year`. */
export function isYearCovered(year: number): boolean {
  return year >= HOLIDAYS_CN_FIRST_YEAR && year <= HOLIDAYS_CN_LAST_YEAR
}

/**
 * Whether `date` is a working day, and whether that answer is provisional (outside the data).
 *
 * @throws RangeError for an impossible date (a programmer error).
 */
export function workingDayStatus(date: CalendarDate): DayStatus {
  const weekday = dayOfWeek(date)
  const known = exceptions.get(epochDay(date))
  // A day a notice names is settled even in a year the data does not otherwise cover.
  if (known !== undefined) return { working: known, provisional: false }
  return { working: weekday >= 1 && weekday <= 5, provisional: !isYearCovered(date.year) }
}

/**
 * Whether `date` is a working day; outside the data, whether it is Monday–Friday. Use
 * {@link workingDayStatus} where provisional answers matter.
 *
 * @throws RangeError for an impossible date (a programmer error).
 */
export function isWorkingDay(date: CalendarDate): boolean {
  return workingDayStatus(date).working
}

// Walks forward from the day after `from` to the nth working day (n ≥ 1).
function nthWorkingDayAfter(from: CalendarDate, n: number): WorkingDayResult {
  let date = from
  let found = 0
  let provisional = false
  while (found < n) {
    date = addDays(date, 1)
    const status = workingDayStatus(date)
    provisional ||= status.provisional
    if (status.working) found++
  }
  return { date, provisional }
}

/**
 * The first working day after `date` (the annual-report rule lists on the first working day after
 * 30 June). Never fails for dates outside the data: the answer is then provisional.
 *
 * @throws RangeError for an impossible date (a programmer error).
 */
export function nextWorkingDayAfter(date: CalendarDate): WorkingDayResult {
  if (!isValidCalendarDate(date)) throw new RangeError(`not a calendar date: ${JSON.stringify(date)}`)
  return nthWorkingDayAfter(date, 1)
}

/**
 * The deadline "`n` working days after `instant`" (contract §3): counting starts on the day after the
 * instant's Shanghai date, whatever the time of day, and the deadline is 24:00 +08:00 of the nth
 * working day. `n = 0` gives the end of the instant's own day. Never fails for dates outside the
 * holiday data: the result is then marked provisional.
 *
 * @throws RangeError for an invalid Date or an `n` that is not a non-negative integer: programmer
 * errors, which callers should not catch but prevent (configuration schemas bound `n`).
 */
export function addWorkingDays(instant: Date, n: number): WorkingDayDeadline {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError('working days must be a non-negative integer')
  const start = shanghaiDateOf(instant)
  if (n === 0) return { dueAt: endOfShanghaiDay(start), provisional: false }
  const { date, provisional } = nthWorkingDayAfter(start, n)
  return { dueAt: endOfShanghaiDay(date), provisional }
}
