import { describe, expect, it } from 'vitest'
import { latestAsOfDate, parseAsOf } from './as-of.js'

const now = new Date('2026-12-07T08:00:00Z')

describe('asOf (contract §6: between 1949-10-01 and ten years from now)', () => {
  it.each([
    ['1949-10-01', '1949-10-01T16:00:00.000Z'],
    ['1949-10-01T00:00:00+08:00', '1949-09-30T16:00:00.000Z'],
    ['2025-07-01', '2025-07-01T16:00:00.000Z'],
    ['2036-12-07', '2036-12-07T16:00:00.000Z'],
    ['2036-12-07T23:59:59+08:00', '2036-12-07T15:59:59.000Z'],
  ])('accepts %s', (s, iso) => {
    const at = parseAsOf(s, now)
    expect(at instanceof Date ? at.toISOString() : at).toBe(iso)
  })

  it.each([
    ['1949-09-30', 'range'],
    ['1949-09-30T23:59:59+08:00', 'range'],
    ['0001-01-01', 'range'],
    ['2036-12-08', 'range'],
    ['2036-12-08T00:00:00.001+08:00', 'range'],
    ['4000-01-01', 'range'],
    ['9999-12-31T23:59:59Z', 'range'],
    ['2025-02-30', 'format'],
    ['2025-07-01T10:00:00', 'format'],
    ['tomorrow', 'format'],
  ])('refuses %s (%s)', (s, why) => {
    expect(parseAsOf(s, now)).toBe(why)
  })

  it('looks ten years ahead from the Shanghai date, 29 February to 28 February', () => {
    expect(latestAsOfDate(new Date('2028-02-29T03:00:00Z'))).toEqual({ year: 2038, month: 2, day: 28 })
    // 31 Dec 20:00 UTC is already 1 January in Shanghai.
    expect(latestAsOfDate(new Date('2026-12-31T20:00:00Z'))).toEqual({ year: 2037, month: 1, day: 1 })
  })
})
