import { describe, it, expect } from 'vitest'
import {
  addDays,
  addMonthsPeriodEnd,
  addYearsPeriodEnd,
  compareDates,
  dateOfEpochDay,
  dayOfWeek,
  daysInMonth,
  endOfShanghaiDay,
  epochDay,
  formatDate,
  isRfc3339WithOffset,
  isValidCalendarDate,
  parseDate,
  parseInstant,
  shanghaiDateOf,
  startOfShanghaiDay,
  type CalendarDate,
} from './dates.js'

const d = (year: number, month: number, day: number): CalendarDate => ({ year, month, day })
const iso = (date: Date | undefined): string | undefined => date?.toISOString()

describe('parseInstant', () => {
  it.each([
    ['2025-07-01T10:00:00+08:00', '2025-07-01T02:00:00.000Z'],
    ['2025-07-01T10:00:00Z', '2025-07-01T10:00:00.000Z'],
    ['2025-07-01t10:00:00z', '2025-07-01T10:00:00.000Z'],
    ['2025-07-01T10:00:00-05:30', '2025-07-01T15:30:00.000Z'],
    ['2025-07-01T10:00:00-00:00', '2025-07-01T10:00:00.000Z'],
    ['2025-07-01T10:00:00.5+08:00', '2025-07-01T02:00:00.500Z'],
    ['2025-07-01T10:00:00.123456789Z', '2025-07-01T10:00:00.123Z'],
    ['2025-07-01T00:00:00+08:00', '2025-06-30T16:00:00.000Z'],
    ['2024-02-29T23:59:59+08:00', '2024-02-29T15:59:59.000Z'],
    ['0099-01-01T00:00:00Z', '0099-01-01T00:00:00.000Z'],
  ])('reads the date-time %s', (input, expected) => {
    expect(iso(parseInstant(input))).toBe(expected)
  })

  it('reads a plain date as the end of that Shanghai day (contract §3)', () => {
    expect(iso(parseInstant('2025-07-01'))).toBe('2025-07-01T16:00:00.000Z')
    expect(parseInstant('2025-07-01')?.getTime()).toBe(parseInstant('2025-07-02T00:00:00+08:00')?.getTime())
    expect(iso(parseInstant('2024-12-31'))).toBe('2024-12-31T16:00:00.000Z')
    expect(iso(parseInstant('2024-02-29'))).toBe('2024-02-29T16:00:00.000Z')
  })

  it.each([
    '',
    '2025-02-30',
    '2025-02-29',
    '2025-13-01',
    '2025-00-10',
    '2025-04-31',
    '2025-7-1',
    '20250701',
    '2025-07-01T10:00:00', // no offset
    '2025-07-01 10:00:00+08:00', // space separator
    '2025-07-01T10:00+08:00', // no seconds
    '2025-07-01T24:00:00+08:00',
    '2025-07-01T10:60:00Z',
    '2025-07-01T23:59:60Z', // leap second
    '2025-07-01T10:00:00+0800',
    '2025-07-01T10:00:00+24:00',
    '2025-07-01T10:00:00+08:60',
    '2025-02-30T10:00:00+08:00',
    '2025-07-01T10:00:00.Z',
    ' 2025-07-01',
    '2025-07-01\n',
    '2025-07-01T10:00:00+08:00 ',
    '２０２５-07-01',
  ])('refuses %j', (input) => {
    expect(parseInstant(input)).toBeUndefined()
  })
})

describe('isRfc3339WithOffset', () => {
  it('accepts date-times with an offset only', () => {
    expect(isRfc3339WithOffset('2025-07-01T10:00:00+08:00')).toBe(true)
    expect(isRfc3339WithOffset('2025-07-01T10:00:00.000Z')).toBe(true)
    expect(isRfc3339WithOffset('2025-07-01')).toBe(false)
    expect(isRfc3339WithOffset('2025-07-01T10:00:00')).toBe(false)
    expect(isRfc3339WithOffset('2025-02-29T10:00:00Z')).toBe(false)
  })
})

describe('shanghaiDateOf', () => {
  it.each([
    ['2025-07-01T15:59:59.999Z', '2025-07-01'],
    ['2025-07-01T16:00:00.000Z', '2025-07-02'],
    ['2025-01-20T23:59:00+08:00', '2025-01-20'],
    ['2025-01-21T00:00:00+08:00', '2025-01-21'],
    ['2024-12-31T16:00:00Z', '2025-01-01'],
    ['2024-02-28T16:00:00Z', '2024-02-29'],
    ['1969-12-31T20:00:00Z', '1970-01-01'],
    ['1969-12-31T15:00:00Z', '1969-12-31'],
  ])('puts %s on %s', (instant, date) => {
    expect(formatDate(shanghaiDateOf(new Date(instant)))).toBe(date)
  })

  it('throws a RangeError for an invalid Date', () => {
    expect(() => shanghaiDateOf(new Date('nope'))).toThrow(RangeError)
  })
})

describe('start and end of a Shanghai day', () => {
  it('are 00:00 and 24:00 +08:00', () => {
    expect(startOfShanghaiDay(d(2025, 7, 1)).toISOString()).toBe('2025-06-30T16:00:00.000Z')
    expect(endOfShanghaiDay(d(2025, 7, 1)).toISOString()).toBe('2025-07-01T16:00:00.000Z')
    expect(endOfShanghaiDay(d(2024, 12, 31)).toISOString()).toBe('2024-12-31T16:00:00.000Z')
    expect(endOfShanghaiDay(d(2024, 2, 29)).toISOString()).toBe('2024-02-29T16:00:00.000Z')
  })

  it('round-trip through shanghaiDateOf', () => {
    const date = d(2025, 3, 15)
    expect(shanghaiDateOf(startOfShanghaiDay(date))).toEqual(date)
    expect(shanghaiDateOf(new Date(endOfShanghaiDay(date).getTime() - 1))).toEqual(date)
    expect(shanghaiDateOf(endOfShanghaiDay(date))).toEqual(d(2025, 3, 16))
  })

  it('throw a RangeError for an impossible date', () => {
    expect(() => endOfShanghaiDay(d(2025, 2, 30))).toThrow(RangeError)
    expect(() => startOfShanghaiDay(d(2025, 0, 1))).toThrow(RangeError)
    expect(() => startOfShanghaiDay(d(2025, 1, 1.5))).toThrow(RangeError)
  })
})

describe('formatDate and parseDate', () => {
  it.each(['2025-07-01', '2024-02-29', '2000-02-29', '0001-01-01', '9999-12-31'])('round-trip %s', (s) => {
    const date = parseDate(s)
    expect(date).toBeDefined()
    expect(formatDate(date ?? d(0, 0, 0))).toBe(s)
  })

  it.each(['2025-02-29', '1900-02-29', '2025-06-31', '2025-07-01T00:00:00Z', '2025-7-01', 'x'])(
    'parseDate refuses %s',
    (s) => {
      expect(parseDate(s)).toBeUndefined()
    },
  )

  it('pads', () => {
    expect(formatDate(d(25, 7, 1))).toBe('0025-07-01')
  })
})

describe('calendar arithmetic', () => {
  it('knows month lengths and leap years', () => {
    expect(daysInMonth(2024, 2)).toBe(29)
    expect(daysInMonth(2025, 2)).toBe(28)
    expect(daysInMonth(1900, 2)).toBe(28)
    expect(daysInMonth(2000, 2)).toBe(29)
    expect(daysInMonth(2025, 4)).toBe(30)
    expect(daysInMonth(2025, 12)).toBe(31)
    expect(isValidCalendarDate(d(2024, 2, 29))).toBe(true)
    expect(isValidCalendarDate(d(2025, 2, 29))).toBe(false)
  })

  it.each([
    [d(2025, 1, 31), 1, '2025-02-01'],
    [d(2025, 2, 28), 1, '2025-03-01'],
    [d(2024, 2, 28), 1, '2024-02-29'],
    [d(2024, 12, 31), 1, '2025-01-01'],
    [d(2025, 1, 1), -1, '2024-12-31'],
    [d(2025, 3, 1), -1, '2025-02-28'],
    [d(2025, 1, 1), 365, '2026-01-01'],
    [d(2024, 1, 1), 366, '2025-01-01'],
    [d(2025, 7, 1), 0, '2025-07-01'],
  ])('addDays(%o, %i) = %s', (date, n, expected) => {
    expect(formatDate(addDays(date, n))).toBe(expected)
  })

  it('agrees with Date.UTC over many years', () => {
    for (let day = -800; day < 30_000; day += 7) {
      const expected = new Date(day * 86_400_000).toISOString().slice(0, 10)
      expect(formatDate(dateOfEpochDay(day))).toBe(expected)
      expect(epochDay(dateOfEpochDay(day))).toBe(day)
    }
  })

  it.each([
    [d(1970, 1, 1), 4],
    [d(2025, 1, 26), 0],
    [d(2025, 2, 8), 6],
    [d(2025, 10, 1), 3],
    [d(2026, 1, 1), 4],
    [d(1969, 12, 31), 3],
  ])('dayOfWeek(%o) = %i', (date, weekday) => {
    expect(dayOfWeek(date)).toBe(weekday)
  })

  it('compares dates', () => {
    expect(compareDates(d(2025, 1, 1), d(2024, 12, 31))).toBeGreaterThan(0)
    expect(compareDates(d(2025, 1, 1), d(2025, 1, 1))).toBe(0)
    expect(compareDates(d(2025, 1, 1), d(2025, 1, 2))).toBeLessThan(0)
  })
})

describe('Civil-Code periods', () => {
  it.each([
    // start instant, months, end instant (24:00 +08:00 of the last day)
    ['2024-08-31T10:00:00+08:00', 6, '2025-02-28T16:00:00.000Z'],
    ['2024-08-31T10:00:00+08:00', 3, '2024-11-30T16:00:00.000Z'],
    ['2023-08-31T10:00:00+08:00', 6, '2024-02-29T16:00:00.000Z'],
    ['2025-01-31T09:00:00+08:00', 1, '2025-02-28T16:00:00.000Z'],
    ['2025-01-15T09:00:00+08:00', 1, '2025-02-15T16:00:00.000Z'],
    ['2025-03-31T09:00:00+08:00', 1, '2025-04-30T16:00:00.000Z'],
    ['2025-10-15T09:00:00+08:00', 3, '2026-01-15T16:00:00.000Z'],
    ['2025-07-01T09:00:00+08:00', 12, '2026-07-01T16:00:00.000Z'],
    ['2025-07-01T09:00:00+08:00', 0, '2025-07-01T16:00:00.000Z'],
    // The start date is the Shanghai date: 2024-08-30T16:30Z is already 31 Aug in Shanghai.
    ['2024-08-30T16:30:00Z', 6, '2025-02-28T16:00:00.000Z'],
    ['2024-08-30T15:30:00Z', 6, '2025-02-28T16:00:00.000Z'],
    ['2024-09-30T15:30:00Z', 1, '2024-10-30T16:00:00.000Z'],
  ])('%s + %i months ends at %s', (start, months, end) => {
    expect(addMonthsPeriodEnd(new Date(start), months).toISOString()).toBe(end)
  })

  it.each([
    ['2024-02-29T12:00:00+08:00', 1, '2025-02-28T16:00:00.000Z'],
    ['2024-02-29T12:00:00+08:00', 4, '2028-02-29T16:00:00.000Z'],
    ['2022-03-15T12:00:00+08:00', 3, '2025-03-15T16:00:00.000Z'],
    ['2022-03-15T00:00:00+08:00', 3, '2025-03-15T16:00:00.000Z'],
    ['2022-03-15T23:59:59+08:00', 3, '2025-03-15T16:00:00.000Z'],
    ['2022-12-31T23:00:00+08:00', 3, '2025-12-31T16:00:00.000Z'],
  ])('%s + %i years ends at %s', (start, years, end) => {
    expect(addYearsPeriodEnd(new Date(start), years).toISOString()).toBe(end)
  })

  it('refuses bad arguments with a RangeError', () => {
    const t = new Date('2025-01-01T00:00:00Z')
    expect(() => addMonthsPeriodEnd(t, -1)).toThrow(RangeError)
    expect(() => addMonthsPeriodEnd(t, 1.5)).toThrow(RangeError)
    expect(() => addYearsPeriodEnd(t, Number.NaN)).toThrow(RangeError)
    expect(() => addYearsPeriodEnd(new Date(Number.NaN), 1)).toThrow(RangeError)
  })
})
