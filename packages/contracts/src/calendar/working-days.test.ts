import { describe, it, expect } from 'vitest'
import { parseDate, type CalendarDate } from '../dates.js'
import {
  addWorkingDays,
  isWorkingDay,
  isYearCovered,
  nextWorkingDayAfter,
  workingDayStatus,
} from './working-days.js'

const date = (s: string): CalendarDate => {
  const parsed = parseDate(s)
  if (parsed === undefined) throw new Error(`bad date ${s}`)
  return parsed
}
const due = (instant: string, n: number) => {
  const result = addWorkingDays(new Date(instant), n)
  return { dueAt: result.dueAt.toISOString(), provisional: result.provisional }
}
// 24:00 +08:00 of a Shanghai date, as an ISO instant.
const endOf = (s: string): string => new Date(Date.parse(`${s}T16:00:00Z`)).toISOString()

describe('workingDayStatus and isWorkingDay', () => {
  it.each([
    ['2025-01-26', true], // Sunday, make-up day
    ['2025-02-08', true], // Saturday, make-up day
    ['2025-01-27', true], // Monday before the Spring Festival
    ['2025-01-28', false],
    ['2025-01-29', false],
    ['2025-01-30', false],
    ['2025-01-31', false],
    ['2025-02-01', false],
    ['2025-02-02', false],
    ['2025-02-03', false],
    ['2025-02-04', false],
    ['2025-02-05', true],
    ['2025-02-09', false], // an ordinary Sunday
    ['2025-04-27', true], // Sunday, make-up for Labour Day
    ['2025-05-02', false],
    ['2025-05-05', false],
    ['2025-09-28', true], // Sunday, make-up for National Day
    ['2025-09-30', true],
    ['2025-10-01', false],
    ['2025-10-06', false], // Mid-Autumn Festival 2025
    ['2025-10-08', false],
    ['2025-10-09', true],
    ['2025-10-11', true], // Saturday, make-up day
    ['2025-10-12', false],
    ['2025-07-01', true],
    ['2025-06-30', true],
    ['2018-12-29', true], // a make-up day set by the 2019 notice
    ['2020-02-01', false], // the make-up day cancelled by the 2020 extension
    ['2015-09-03', false],
    ['2015-09-06', true],
    ['2026-01-04', true],
    ['2026-02-14', true],
    ['2026-02-23', false],
    ['2026-02-28', true],
    ['2026-10-10', true],
  ])('%s working: %s (not provisional)', (s, working) => {
    expect(workingDayStatus(date(s))).toEqual({ working, provisional: false })
    expect(isWorkingDay(date(s))).toBe(working)
  })

  it.each([
    ['2027-01-01', true], // a Friday; the real 2027 notice will make it a holiday
    ['2027-01-02', false],
    ['2027-02-08', true],
    ['2013-10-01', true], // before the data: Mon–Fri too
    ['2013-10-05', false],
  ])('outside the data %s counts Monday–Friday (%s), provisionally', (s, working) => {
    expect(workingDayStatus(date(s))).toEqual({ working, provisional: true })
  })

  it('knows which years are covered', () => {
    expect(isYearCovered(2013)).toBe(false)
    expect(isYearCovered(2014)).toBe(true)
    expect(isYearCovered(2026)).toBe(true)
    expect(isYearCovered(2027)).toBe(false)
  })

  it('throws a RangeError for an impossible date', () => {
    expect(() => workingDayStatus({ year: 2025, month: 2, day: 29 })).toThrow(RangeError)
  })
})

describe('addWorkingDays', () => {
  it('10 working days after 20 Jan 2025 end at 24:00 on 8 Feb 2025, whatever the time that day', () => {
    for (const t of ['2025-01-20T00:00:00+08:00', '2025-01-20T09:30:00+08:00', '2025-01-20T23:59:59+08:00']) {
      expect(due(t, 10)).toEqual({ dueAt: '2025-02-08T16:00:00.000Z', provisional: false })
    }
  })

  it('counts from the Shanghai date, not the UTC date', () => {
    // 23:59 +08:00 on 20 Jan is 15:59Z on 20 Jan; 00:00 +08:00 on 21 Jan is still 20 Jan in UTC.
    expect(due('2025-01-20T23:59:00+08:00', 1)).toEqual({ dueAt: endOf('2025-01-21'), provisional: false })
    expect(due('2025-01-21T00:00:00+08:00', 1)).toEqual({ dueAt: endOf('2025-01-22'), provisional: false })
    expect(due('2025-01-20T15:59:59Z', 1).dueAt).toBe(endOf('2025-01-21'))
    expect(due('2025-01-20T16:00:00Z', 1).dueAt).toBe(endOf('2025-01-22'))
  })

  it.each([
    // [instant, n, last working day]
    // Spring Festival 2025: 21–24, 26 (Sun, make-up), 27 Jan, then 5–8 Feb (Sat 8 Feb make-up).
    ['2025-01-20T10:00:00+08:00', 3, '2025-01-23'],
    ['2025-01-20T10:00:00+08:00', 5, '2025-01-26'],
    ['2025-01-20T10:00:00+08:00', 6, '2025-01-27'],
    ['2025-01-20T10:00:00+08:00', 7, '2025-02-05'],
    ['2025-01-20T10:00:00+08:00', 15, '2025-02-14'],
    ['2025-01-27T10:00:00+08:00', 1, '2025-02-05'],
    ['2025-01-28T10:00:00+08:00', 3, '2025-02-07'],
    // National Day 2025: Sun 28 Sep and Sat 11 Oct are working days, 1–8 Oct are not.
    ['2025-09-26T10:00:00+08:00', 1, '2025-09-28'],
    ['2025-09-26T10:00:00+08:00', 3, '2025-09-30'],
    ['2025-09-26T10:00:00+08:00', 4, '2025-10-09'],
    ['2025-09-26T10:00:00+08:00', 5, '2025-10-10'],
    ['2025-09-26T10:00:00+08:00', 6, '2025-10-11'],
    ['2025-09-26T10:00:00+08:00', 10, '2025-10-16'],
    ['2025-09-30T18:00:00+08:00', 5, '2025-10-14'],
    ['2025-10-01T10:00:00+08:00', 1, '2025-10-09'],
    ['2025-10-08T23:59:59+08:00', 3, '2025-10-11'],
    // Labour Day 2025: Sun 27 Apr working, 1–5 May off.
    ['2025-04-25T10:00:00+08:00', 1, '2025-04-27'],
    ['2025-04-25T10:00:00+08:00', 5, '2025-05-06'],
    // Ordinary weeks.
    ['2025-07-01T10:00:00+08:00', 5, '2025-07-08'],
    ['2025-07-04T10:00:00+08:00', 1, '2025-07-07'],
    ['2025-07-05T10:00:00+08:00', 1, '2025-07-07'],
    ['2025-03-03T10:00:00+08:00', 15, '2025-03-24'],
    // Across the year end into the last covered year.
    ['2025-12-30T10:00:00+08:00', 3, '2026-01-05'],
    ['2026-02-12T10:00:00+08:00', 3, '2026-02-24'],
  ])('%s + %i WD ends at 24:00 on %s', (instant, n, last) => {
    expect(due(instant, n)).toEqual({ dueAt: endOf(last), provisional: false })
  })

  it.each([
    // Beyond the data: Monday–Friday and provisional.
    ['2027-03-01T10:00:00+08:00', 5, '2027-03-08'],
    ['2027-01-29T10:00:00+08:00', 10, '2027-02-12'], // the real calendar will have Spring Festival here
    ['2026-12-28T10:00:00+08:00', 5, '2027-01-04'],
    ['2026-12-30T10:00:00+08:00', 1, '2026-12-31'], // inside the data only
    ['2013-12-30T10:00:00+08:00', 2, '2014-01-02'], // starts before the data
  ])('%s + %i WD ends at 24:00 on %s', (instant, n, last) => {
    const result = due(instant, n)
    expect(result.dueAt).toBe(endOf(last))
  })

  it('marks spans that reach outside the data as provisional', () => {
    expect(due('2027-03-01T10:00:00+08:00', 5).provisional).toBe(true)
    expect(due('2026-12-28T10:00:00+08:00', 5).provisional).toBe(true)
    expect(due('2026-12-30T10:00:00+08:00', 1).provisional).toBe(false)
    expect(due('2026-12-30T10:00:00+08:00', 2).provisional).toBe(true)
    expect(due('2013-12-30T10:00:00+08:00', 2).provisional).toBe(true)
    expect(due('2013-12-31T10:00:00+08:00', 1).provisional).toBe(false)
  })

  it('with n = 0 ends at the end of the instant’s own day', () => {
    expect(due('2025-01-20T10:00:00+08:00', 0)).toEqual({ dueAt: endOf('2025-01-20'), provisional: false })
  })

  it('counts the 248 working days of 2025 (365 − 104 weekend days − 13 statutory days)', () => {
    expect(due('2024-12-31T12:00:00+08:00', 248)).toEqual({ dueAt: endOf('2025-12-31'), provisional: false })
    // Sun 4 Jan 2026 is a make-up working day.
    expect(due('2024-12-31T12:00:00+08:00', 249)).toEqual({ dueAt: endOf('2026-01-04'), provisional: false })
  })

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('throws a RangeError for n = %s', (n) => {
    expect(() => addWorkingDays(new Date('2025-01-20T10:00:00+08:00'), n)).toThrow(RangeError)
  })

  it('throws a RangeError for an invalid Date', () => {
    expect(() => addWorkingDays(new Date('nope'), 3)).toThrow(RangeError)
  })
})

describe('nextWorkingDayAfter', () => {
  it.each([
    ['2025-06-30', '2025-07-01', false], // Monday 30 June 2025 → Tuesday
    ['2024-06-30', '2024-07-01', false], // Sunday → Monday
    ['2018-06-30', '2018-07-02', false], // Saturday → Monday
    ['2025-09-30', '2025-10-09', false],
    ['2025-01-25', '2025-01-26', false], // Saturday → the Sunday make-up day
    ['2025-02-07', '2025-02-08', false],
    ['2026-12-31', '2027-01-01', true],
    ['2027-06-30', '2027-07-01', true],
    ['2013-12-31', '2014-01-02', false],
  ])('after %s comes %s (provisional: %s)', (from, next, provisional) => {
    const result = nextWorkingDayAfter(date(from))
    expect(result).toEqual({ date: date(next), provisional })
  })

  it('throws a RangeError for an impossible date', () => {
    expect(() => nextWorkingDayAfter({ year: 2025, month: 6, day: 31 })).toThrow(RangeError)
  })
})
