import { describe, it, expect } from 'vitest'
import { addDays, compareDates, parseDate, shanghaiDateOf, type CalendarDate } from '../dates.js'
import {
  addWorkingDays,
  isWorkingDay,
  isYearCovered,
  nextWorkingDayAfter,
  workingDayStatus,
  workingDaysLag,
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

describe('workingDaysLag', () => {
  const lag = (time: string, recordedAt: string) => workingDaysLag(new Date(time), new Date(recordedAt))
  const DAY_MS = 86_400_000

  // Spring Festival 2025 around Fri 24 Jan: Sat 25 off, Sun 26 make-up (1st working day after the
  // 24th), Mon 27 (2nd), Tue 28 Jan – Tue 4 Feb off, Wed 5 (3rd), Thu 6 (4th), Fri 7 (5th),
  // Sat 8 make-up (6th), Sun 9 off, Mon 10 (7th).
  it.each([
    ['2025-01-24T23:59:00+08:00', 0], // the decision's own day
    ['2025-01-25T00:00:00+08:00', 0], // exactly 24:00 on the 24th: the 0-day deadline, inclusive
    ['2025-01-25T00:00:01+08:00', 1], // Sat 25 off: within the 1st working day's deadline (Sun 26)
    ['2025-01-26T23:59:59+08:00', 1], // the 1st working day itself
    ['2025-01-27T00:00:00+08:00', 1], // 24:00 on Sun 26
    ['2025-01-27T00:00:00.001+08:00', 2], // Mon 27, the 2nd
    ['2025-01-28T10:00:00+08:00', 3], // the holiday: the next deadline is Wed 5 Feb, the 3rd
    ['2025-02-04T23:59:59+08:00', 3],
    ['2025-02-05T10:00:00+08:00', 3],
    ['2025-02-06T10:00:00+08:00', 4],
    ['2025-02-07T10:00:00+08:00', 5],
    ['2025-02-08T12:00:00+08:00', 6], // Saturday make-up day
    ['2025-02-09T12:00:00+08:00', 7], // Sun 9 off: Mon 10 is the 7th
    ['2025-02-10T12:00:00+08:00', 7],
    ['2025-02-11T12:00:00+08:00', 8],
  ])('decided Fri 24 Jan 2025, recorded %s: lag %i', (recordedAt, days) => {
    expect(lag('2025-01-24T10:00:00+08:00', recordedAt)).toEqual({ days, provisional: false })
  })

  it('a penalty decided Mon 20 Jan 2025: recorded on the 7th working day (Wed 5 Feb) or on the 8th', () => {
    // After Mon 20: 21, 22, 23, 24, Sun 26, 27 (6th), then Wed 5 Feb (7th), Thu 6 Feb (8th).
    expect(lag('2025-01-20T15:00:00+08:00', '2025-02-05T18:00:00+08:00')).toEqual({
      days: 7,
      provisional: false,
    })
    expect(lag('2025-01-20T15:00:00+08:00', '2025-02-01T18:00:00+08:00')).toEqual({
      days: 7,
      provisional: false,
    })
    expect(lag('2025-01-20T15:00:00+08:00', '2025-02-06T00:00:00+08:00')).toEqual({
      days: 7,
      provisional: false,
    })
    expect(lag('2025-01-20T15:00:00+08:00', '2025-02-06T09:00:00+08:00')).toEqual({
      days: 8,
      provisional: false,
    })
    expect(addWorkingDays(new Date('2025-01-20T15:00:00+08:00'), 7).dueAt.toISOString()).toBe(
      endOf('2025-02-05'),
    )
  })

  it('is 0 for a record made before the decision', () => {
    expect(lag('2025-01-24T10:00:00+08:00', '2025-01-24T09:00:00+08:00')).toEqual({
      days: 0,
      provisional: false,
    })
    expect(lag('2025-01-24T10:00:00+08:00', '2024-06-01T09:00:00+08:00')).toEqual({
      days: 0,
      provisional: false,
    })
    expect(lag('2027-06-01T10:00:00+08:00', '2027-05-01T09:00:00+08:00')).toEqual({
      days: 0,
      provisional: false,
    })
  })

  it('counts Shanghai dates: 23:30 and 00:30 the next day are a day apart', () => {
    expect(lag('2025-01-20T23:30:00+08:00', '2025-01-21T00:30:00+08:00')).toEqual({
      days: 1,
      provisional: false,
    })
    expect(lag('2025-01-20T00:30:00+08:00', '2025-01-20T23:30:00+08:00')).toEqual({
      days: 0,
      provisional: false,
    })
    expect(lag('2025-01-24T23:30:00+08:00', '2025-01-25T00:30:00+08:00')).toEqual({
      days: 1,
      provisional: false,
    })
  })

  it('reads instants given in UTC on their Shanghai date', () => {
    // 16:30Z on 24 Jan is 00:30 +08:00 on Sat 25 Jan: Sun 26 is the 1st working day after it.
    expect(lag('2025-01-24T16:30:00Z', '2025-01-26T15:59:59Z')).toEqual({ days: 1, provisional: false })
    expect(lag('2025-01-24T16:30:00Z', '2025-01-26T16:00:00Z')).toEqual({ days: 1, provisional: false }) // 24:00 Sun 26
    expect(lag('2025-01-24T16:30:00Z', '2025-01-26T16:00:01Z')).toEqual({ days: 2, provisional: false })
    // 20:00Z on 23 Jan is 04:00 +08:00 on 24 Jan; 15:00Z on 24 Jan is still the 24th in Shanghai.
    expect(lag('2025-01-23T20:00:00Z', '2025-01-24T15:00:00Z')).toEqual({ days: 0, provisional: false })
    expect(lag('2025-01-23T20:00:00Z', '2025-01-24T16:00:01Z')).toEqual({ days: 1, provisional: false })
  })

  it('is provisional exactly when addWorkingDays for that lag is', () => {
    expect(lag('2026-12-30T10:00:00+08:00', '2026-12-31T10:00:00+08:00')).toEqual({
      days: 1,
      provisional: false,
    })
    expect(lag('2026-12-30T10:00:00+08:00', '2027-01-01T10:00:00+08:00')).toEqual({
      days: 2,
      provisional: true,
    })
    // 31 Dec 2013 lies before the data; 1 Jan 2014 is off, 2 Jan the 2nd working day.
    expect(lag('2013-12-30T10:00:00+08:00', '2014-01-01T10:00:00+08:00')).toEqual({
      days: 2,
      provisional: true,
    })
    expect(lag('2013-12-31T10:00:00+08:00', '2014-01-01T10:00:00+08:00')).toEqual({
      days: 1,
      provisional: false,
    })
    expect(lag('2027-03-01T10:00:00+08:00', '2027-03-08T10:00:00+08:00')).toEqual({
      days: 5,
      provisional: true,
    })
  })

  it('throws a RangeError for an invalid Date', () => {
    expect(() => workingDaysLag(new Date('nope'), new Date())).toThrow(RangeError)
    expect(() => workingDaysLag(new Date(), new Date('nope'))).toThrow(RangeError)
  })

  // The brute force: addWorkingDays(time, n) for n = 0, 1, … until the deadline reaches `recordedAt`.
  const bruteLag = (time: Date, recordedAt: Date): { days: number; provisional: boolean } => {
    for (let n = 0; ; n++) {
      const deadline = addWorkingDays(time, n)
      if (recordedAt.getTime() <= deadline.dueAt.getTime())
        return { days: n, provisional: deadline.provisional }
    }
  }
  // Provisional by its definition: some day from the day after `time`'s Shanghai date through the day
  // the lag ends on (the Shanghai date of its deadline minus 1 ms, i.e. the nth working day) has a
  // provisional `workingDayStatus`. False for a lag of 0 (no day is counted).
  const bruteProvisional = (time: Date, days: number): boolean => {
    if (days === 0) return false
    const last = shanghaiDateOf(new Date(addWorkingDays(time, days).dueAt.getTime() - 1))
    for (let d = addDays(shanghaiDateOf(time), 1); compareDates(d, last) <= 0; d = addDays(d, 1)) {
      if (workingDayStatus(d).provisional) return true
    }
    return false
  }

  // fast-check is not a dependency of @ecrs/contracts (only of testkit, tests and some services), so
  // the properties draw their cases from a seeded generator: the same cases on every run.
  const random = (seed: number): (() => number) => {
    let a = seed >>> 0
    return () => {
      a = (a + 0x6d2b79f5) >>> 0
      let t = a
      t = Math.imul(t ^ (t >>> 15), t | 1)
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
      return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
    }
  }
  const between = (next: () => number, lo: number, hi: number): number =>
    lo + Math.floor(next() * (hi - lo + 1))
  // An instant of [from, to) years, often at a Shanghai midnight or a millisecond off it.
  const instantIn = (next: () => number, from: number, to: number): number => {
    const t = between(next, Date.UTC(from, 0, 1), Date.UTC(to, 0, 1) - 1)
    const midnight = Math.floor((t + 8 * 3_600_000) / DAY_MS) * DAY_MS - 8 * 3_600_000
    const pick = next()
    return pick < 0.15 ? midnight : pick < 0.25 ? midnight - 1 : pick < 0.35 ? midnight + 1 : t
  }
  // A record 0–400 days after the decision (sometimes a little before it), often at a Shanghai midnight.
  const recordAfter = (next: () => number, time: number, maxDays: number): number => {
    const pick = next()
    const offset =
      pick < 0.1
        ? -between(next, 0, 30 * DAY_MS)
        : pick < 0.2
          ? between(next, 0, DAY_MS)
          : between(next, 0, maxDays * DAY_MS)
    const t = time + offset
    const midnight = Math.floor((t + 8 * 3_600_000) / DAY_MS) * DAY_MS - 8 * 3_600_000
    const snap = next()
    return snap < 0.15 ? midnight : snap < 0.2 ? midnight - 1 : snap < 0.25 ? midnight + 1 : t
  }

  it('equals the brute force for decisions of 1990–2030 recorded up to 400 days later', () => {
    const next = random(20_250_124)
    for (let i = 0; i < 400; i++) {
      const time = new Date(instantIn(next, 1990, 2031))
      const recordedAt = new Date(recordAfter(next, time.getTime(), 400))
      const expected = bruteLag(time, recordedAt)
      const context = `${time.toISOString()} → ${recordedAt.toISOString()}`
      expect(workingDaysLag(time, recordedAt), context).toEqual(expected)
      expect(bruteProvisional(time, expected.days), context).toBe(expected.provisional)
    }
  })

  it('equals the brute force for any year from 1949 to 2101 (epoch days before 1970 too)', () => {
    const next = random(19_491_001)
    for (let i = 0; i < 400; i++) {
      const time = new Date(instantIn(next, 1949, 2102))
      const recordedAt = new Date(recordAfter(next, time.getTime(), 60))
      expect(workingDaysLag(time, recordedAt), `${time.toISOString()} → ${recordedAt.toISOString()}`).toEqual(
        bruteLag(time, recordedAt),
      )
    }
  })

  it('never decreases as the record comes later', () => {
    const next = random(7)
    for (let i = 0; i < 2000; i++) {
      const time = instantIn(next, 1990, 2031)
      const a = recordAfter(next, time, 400)
      const b = recordAfter(next, time, 400)
      const [early, late] = a <= b ? [a, b] : [b, a]
      const context = `${new Date(time).toISOString()}: ${new Date(early).toISOString()} ≤ ${new Date(late).toISOString()}`
      expect(workingDaysLag(new Date(time), new Date(early)).days, context).toBeLessThanOrEqual(
        workingDaysLag(new Date(time), new Date(late)).days,
      )
    }
  })

  it('computes a decision of 1995 recorded in 2026 at once, as the brute force finds it', () => {
    const time = new Date('1995-06-15T10:00:00+08:00')
    const recordedAt = new Date('2026-03-02T10:00:00+08:00')
    const result = workingDaysLag(time, recordedAt)
    // One walk over the days instead of n calls of addWorkingDays (each a walk of its own).
    let n = 0
    for (
      let d = addDays(shanghaiDateOf(time), 1);
      compareDates(d, shanghaiDateOf(recordedAt)) < 0;
      d = addDays(d, 1)
    ) {
      if (workingDayStatus(d).working) n++
    }
    expect(result).toEqual({ days: n + 1, provisional: true }) // 1995–2013 lie outside the data
    // And the definition itself: the nth deadline reaches the record, the one before does not.
    expect(addWorkingDays(time, result.days).dueAt.getTime()).toBeGreaterThanOrEqual(recordedAt.getTime())
    expect(addWorkingDays(time, result.days - 1).dueAt.getTime()).toBeLessThan(recordedAt.getTime())
    expect(addWorkingDays(time, result.days).provisional).toBe(true)
    expect(result.days).toBeGreaterThan(7500)
  })
})
