import { describe, it, expect } from 'vitest'
import { dayOfWeek, parseDate, type CalendarDate } from '../dates.js'
import { HOLIDAYS_CN, HOLIDAYS_CN_FIRST_YEAR, HOLIDAYS_CN_LAST_YEAR } from './holidays-cn.js'

const years = Object.keys(HOLIDAYS_CN).map(Number)
const entry = (year: number) => {
  const found = HOLIDAYS_CN[year]
  if (found === undefined) throw new Error(`no entry for ${year}`)
  return found
}
const date = (s: string): CalendarDate => {
  const parsed = parseDate(s)
  if (parsed === undefined) throw new Error(`bad date ${s}`)
  return parsed
}
const isWeekend = (s: string): boolean => [0, 6].includes(dayOfWeek(date(s)))

// Statutory days per year (全国年节及纪念日放假办法): a statutory day on a weekend is made up on a
// weekday, so each notice costs exactly this many weekdays net of its make-up days.
const STATUTORY_DAYS: Record<number, number> = {
  2014: 11,
  2015: 12, // + 3 Sep 2015, the 70th anniversary
  2016: 11,
  2017: 11,
  2018: 11,
  2019: 11,
  2020: 13, // Spring Festival extended: Fri 31 Jan off and the make-up Sat 1 Feb lapsed
  2021: 11,
  2022: 11,
  2023: 11,
  2024: 11,
  2025: 13,
  2026: 13,
}

describe('HOLIDAYS_CN', () => {
  it('covers every year from the first to the last, 2014–2026', () => {
    expect(HOLIDAYS_CN_FIRST_YEAR).toBe(2014)
    expect(HOLIDAYS_CN_LAST_YEAR).toBe(2026)
    expect(years).toEqual(Array.from({ length: 13 }, (_, i) => 2014 + i))
  })

  it.each(years)('%i: dates are real, unique, in order and near their year', (year) => {
    const { off, workdays, notices } = entry(year)
    expect(notices.length).toBeGreaterThan(0)
    for (const list of [off, workdays]) {
      expect([...list].sort()).toEqual(list)
      expect(new Set(list).size).toBe(list.length)
      for (const s of list) {
        const d = date(s)
        // A notice reaches at most into the last days of the previous December.
        expect(d.year === year || (d.year === year - 1 && d.month === 12 && d.day >= 25), s).toBe(true)
      }
    }
    expect(off.filter((s) => workdays.includes(s))).toEqual([])
  })

  it.each(years)('%i: make-up working days are all Saturdays or Sundays', (year) => {
    for (const s of entry(year).workdays) expect(isWeekend(s), s).toBe(true)
  })

  it.each(years)('%i: costs exactly the statutory number of weekdays', (year) => {
    const { off, workdays } = entry(year)
    const weekdaysOff = off.filter((s) => !isWeekend(s)).length
    expect(weekdaysOff - workdays.length).toBe(STATUTORY_DAYS[year])
  })

  it('no date is claimed by two notices', () => {
    const all = years.flatMap((y) => [...entry(y).off, ...entry(y).workdays])
    expect(new Set(all).size).toBe(all.length)
  })

  it.each([
    // [year, first and last day of the Spring Festival block, its make-up days]
    [2014, '2014-01-31', '2014-02-06', ['2014-01-26', '2014-02-08']],
    [2019, '2019-02-04', '2019-02-10', ['2019-02-02', '2019-02-03']],
    [2020, '2020-01-24', '2020-02-02', ['2020-01-19']],
    [2024, '2024-02-10', '2024-02-17', ['2024-02-04', '2024-02-18']],
    [2025, '2025-01-28', '2025-02-04', ['2025-01-26', '2025-02-08']],
    [2026, '2026-02-15', '2026-02-23', ['2026-02-14', '2026-02-28']],
  ] as const)('%i Spring Festival: %s to %s, make-up %j', (year, first, last, makeUp) => {
    const { off, workdays } = entry(year)
    const block = off.filter((s) => s >= first && s <= last)
    expect(block[0]).toBe(first)
    expect(block.at(-1)).toBe(last)
    const days = (Date.parse(last) - Date.parse(first)) / 86_400_000 + 1
    expect(block).toHaveLength(days)
    for (const s of makeUp) expect(workdays).toContain(s)
  })
})
