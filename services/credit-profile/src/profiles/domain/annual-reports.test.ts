import { describe, expect, it } from 'vitest'
import { USCC, deriveAt, ev, filed, isoOf, profileAt, registered } from './testing/events.js'

const reg = registered('2021-05-10')

describe('annual reports', () => {
  it.each([
    ['2023-06-30T23:59:59+08:00', 'filed'],
    ['2024-06-30T23:59:59+08:00', 'filed'],
    // 30 June 24:00 is the deadline itself: inclusive, on time (contract §3).
    ['2024-07-01T00:00:00+08:00', 'filed'],
    ['2024-07-01T00:00:00.001+08:00', 'filed-late'],
    ['2024-09-01T10:00:00+08:00', 'filed-late'],
  ])('a 2023 report filed at %s is %s', (time, status) => {
    const history = [reg, filed(2023, time)]
    const row = profileAt(history, '2024-12-31').annualReports.find((r) => r.year === 2023)
    if (time.startsWith('2023')) {
      // Filed before the 2023 window opened: refused, so the row stays overdue.
      expect(row?.status).toBe('overdue')
      return
    }
    expect(row).toEqual({
      year: 2023,
      status,
      dueBy: isoOf('2024-07-01T00:00:00+08:00'),
      filedAt: isoOf(time),
      versions: [expect.objectContaining({ filedAt: isoOf(time), source: `firm:${USCC}` })],
    })
  })

  it('lists owed years from the registration year whose window has opened', () => {
    const p = profileAt([reg, filed(2021, '2022-03-01T10:00:00+08:00')], '2024-03-01')
    expect(p.annualReports.map((r) => [r.year, r.status])).toEqual([
      [2021, 'filed'],
      [2022, 'overdue'],
      [2023, 'not-yet-due'],
    ])
  })

  it('has no row before the first window opens', () => {
    expect(profileAt([reg], '2021-12-31T23:59:59+08:00').annualReports).toEqual([])
    expect(profileAt([reg], '2021-12-31T23:59:59+08:00').nextChangeAt).toBe(
      isoOf('2022-01-01T00:00:00+08:00'),
    )
    expect(profileAt([reg], '2022-01-01').annualReports.map((r) => r.year)).toEqual([2021])
  })

  it('turns not-yet-due into overdue once 30 June 24:00 has passed', () => {
    const at = profileAt([reg], '2022-07-01T00:00:00+08:00').annualReports[0]
    const after = profileAt([reg], '2022-07-01T00:00:00.001+08:00').annualReports[0]
    expect([at?.status, after?.status]).toEqual(['not-yet-due', 'overdue'])
  })

  it('a report filed at 30 June 24:00 itself prevents the listing dated that instant', () => {
    // 1 July 2022 is a Friday, a working day: the listing would be dated 00:00 that day.
    const d = deriveAt([reg, filed(2021, '2022-07-01T00:00:00+08:00')], '2022-12-31')
    expect(d.decisions).toEqual([])
    expect(d.profile?.abnormalListings).toEqual([])
    expect(d.profile?.annualReports[0]?.status).toBe('filed')
  })

  it('owes nothing before the configured start year', () => {
    const p = profileAt([registered('2010-01-05')], '2015-02-01')
    expect(p.annualReports.map((r) => r.year)).toEqual([2014])
  })

  it('owes up to the year before deregistration', () => {
    const history = [reg, ev('enterprise.deregistered', '2023-05-01T10:00:00+08:00', { reason: 'dissolved' })]
    const p = profileAt(history, '2025-08-01')
    expect(p.status).toBe('deregistered')
    expect(p.annualReports.map((r) => r.year)).toEqual([2021, 2022])
  })

  it('keeps corrections before the deadline as versions', () => {
    const first = filed(2022, '2023-03-01T10:00:00+08:00')
    const correction = filed(2022, '2023-06-30T20:00:00+08:00')
    const d = deriveAt([reg, first, correction], '2023-12-31')
    const row = d.profile?.annualReports.find((r) => r.year === 2022)
    expect(row?.status).toBe('filed')
    expect(row?.filedAt).toBe(isoOf('2023-03-01T10:00:00+08:00'))
    expect(row?.versions.map((v) => v.id)).toEqual([first.id, correction.id])
    expect(d.outcomes.get(`firm:${USCC}/${correction.id}`)).toEqual({ status: 'applied' })
  })

  it.each([
    ['after an on-time filing', '2023-03-01T10:00:00+08:00'],
    ['after a late filing', '2023-08-01T10:00:00+08:00'],
  ])('refuses a second filing after the deadline %s', (_, firstTime) => {
    const second = filed(2022, '2023-09-01T10:00:00+08:00')
    const d = deriveAt([reg, filed(2022, firstTime), second], '2023-12-31')
    expect(d.outcomes.get(`firm:${USCC}/${second.id}`)).toEqual({
      status: 'rejected',
      reason: 'ANNUAL_REPORT_CORRECTION_CLOSED',
    })
  })

  it.each([
    [2020, '2021-03-01T10:00:00+08:00', 'ANNUAL_REPORT_NOT_OWED'],
    [2024, '2024-03-01T10:00:00+08:00', 'ANNUAL_REPORT_NOT_OPEN'],
  ])('refuses a report for %i filed at %s', (year, time, reason) => {
    const report = filed(year, time)
    const d = deriveAt([reg, report], '2024-12-31')
    expect(d.outcomes.get(`firm:${USCC}/${report.id}`)).toEqual({ status: 'rejected', reason })
  })
})
