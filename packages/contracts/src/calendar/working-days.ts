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
  startOfShanghaiDay,
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

// --- Lags in O(log n): counts of working days between two dates, without walking the days. ---

// Epoch day 4, 1970-01-05, was a Monday (`dayOfWeek` counts 0 Sunday … 6 Saturday, day 0 Thursday).
const A_MONDAY = 4

// The number of Monday–Friday days d with A_MONDAY <= d < e (negative before it): only differences
// of it are used, so the origin does not matter as long as it is a Monday.
function weekdaysBefore(e: number): number {
  const weeks = Math.floor((e - A_MONDAY) / 7)
  return 5 * weeks + Math.min(5, e - A_MONDAY - 7 * weeks)
}

function isMondayToFriday(e: number): boolean {
  return (((e - A_MONDAY) % 7) + 7) % 7 < 5
}

// The number of elements of the sorted `days` that are <= e.
function countUpTo(days: readonly number[], e: number): number {
  let lo = 0
  let hi = days.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (days[mid]! <= e) lo = mid + 1
    else hi = mid
  }
  return lo
}

// Every day a notice names, sorted; and the days where a notice changes the Monday–Friday answer
// (a make-up Saturday or Sunday: +1, a Monday–Friday off: −1), sorted, with the running sums of
// those changes (adjustmentSums[i] = the sum of the first i).
const exceptionDays: readonly number[] = [...exceptions.keys()].sort((a, b) => a - b)
const adjustmentDays: number[] = []
const adjustmentSums: number[] = [0]
for (const e of exceptionDays) {
  const adjustment = (exceptions.get(e) === true ? 1 : 0) - (isMondayToFriday(e) ? 1 : 0)
  if (adjustment === 0) continue
  adjustmentDays.push(e)
  adjustmentSums.push(adjustmentSums[adjustmentSums.length - 1]! + adjustment)
}

// W(e): the number of working days up to e, from an arbitrary origin (only differences are used).
function workingDaysUpTo(e: number): number {
  return weekdaysBefore(e + 1) + adjustmentSums[countUpTo(adjustmentDays, e)]!
}

function isWorkingEpochDay(e: number): boolean {
  return exceptions.get(e) ?? isMondayToFriday(e)
}

// The covered years as epoch days: [firstCoveredDay, lastCoveredDay].
const firstCoveredDay = epochDay({ year: HOLIDAYS_CN_FIRST_YEAR, month: 1, day: 1 })
const lastCoveredDay = epochDay({ year: HOLIDAYS_CN_LAST_YEAR, month: 12, day: 31 })

// Whether [a, b] holds a day whose status is provisional: a day outside the covered years that no
// notice names (as `workingDayStatus` decides).
function hasProvisionalDay(a: number, b: number): boolean {
  const exceptionsIn = (lo: number, hi: number): number =>
    countUpTo(exceptionDays, hi) - countUpTo(exceptionDays, lo - 1)
  const beforeEnd = Math.min(b, firstCoveredDay - 1)
  if (a <= beforeEnd && beforeEnd - a + 1 > exceptionsIn(a, beforeEnd)) return true
  const afterStart = Math.max(a, lastCoveredDay + 1)
  return afterStart <= b && b - afterStart + 1 > exceptionsIn(afterStart, b)
}

/**
 * The lag of a record (contract §10): the smallest n with `recordedAt` no later than
 * `addWorkingDays(time, n).dueAt`; 0 when recorded by the end of `time`'s own day (or before it).
 * `provisional` when any day counted lies outside the holiday data: exactly
 * `addWorkingDays(time, days).provisional`, that is, some day from the day after `time`'s Shanghai
 * date through the day the lag ends on (the nth working day) lies outside the covered years and no
 * notice names it. Always false when `days` is 0.
 *
 * O(log k) in the number k of days the notices name, whatever the span: a record of 2026 about a
 * decision of 1995 costs no more than one of the same day. Deadlines end at 24:00 inclusive, so a
 * record at exactly 00:00 +08:00 belongs to the day before.
 *
 * @throws RangeError for an invalid Date (a programmer error).
 */
export function workingDaysLag(
  time: Date,
  recordedAt: Date,
): { readonly days: number; readonly provisional: boolean } {
  const s = epochDay(shanghaiDateOf(time))
  const recordedDate = shanghaiDateOf(recordedAt)
  // r: the first day whose 24:00 is at or after `recordedAt`, so `recordedAt <= dueAt` iff the
  // deadline's day is r or later. That is `recordedAt`'s Shanghai date, or the day before at exactly
  // 00:00 +08:00 (24:00 of the day before).
  let r = epochDay(recordedDate)
  if (recordedAt.getTime() === startOfShanghaiDay(recordedDate).getTime()) r -= 1
  if (r <= s) return { days: 0, provisional: false }
  // The nth working day is the first working day at or after r, so n is one more than the working
  // days strictly between s and r.
  const days = workingDaysUpTo(r - 1) - workingDaysUpTo(s) + 1
  // The day the lag ends on: r, or the next working day (a few days at most: a holiday block).
  let end = r
  while (!isWorkingEpochDay(end)) end++
  return { days, provisional: hasProvisionalDay(s + 1, end) }
}
