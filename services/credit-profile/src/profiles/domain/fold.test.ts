import { describe, expect, it } from 'vitest'
import { derive } from './fold.js'
import { defaultProfileParams } from './params.js'
import {
  USCC,
  at,
  deriveAt,
  ev,
  filed,
  isoOf,
  penalty,
  profileAt,
  published,
  registered,
  shuffled,
} from './testing/events.js'
import type { HistoryEvent } from './types.js'

const reg = registered('2019-04-01', { legalRepresentative: 'Zhang San' })
const rich: HistoryEvent[] = [
  reg,
  filed(2019, '2020-05-01T10:00:00+08:00'),
  filed(2020, '2021-08-01T10:00:00+08:00'),
  filed(2022, '2023-06-30T23:59:59+08:00'),
  filed(2022, '2023-06-30T23:59:59+08:00', { recordedAt: '2023-07-01T00:00:00.000Z' }),
  ev('enterprise.changed', '2022-01-05T10:00:00+08:00', { name: 'Fuzhou Acme Group' }),
  penalty('P-1', '2022-03-01T10:00:00+08:00', { measures: ['fine'], fineAmount: 50_000 }),
  penalty(
    'P-1',
    '2022-03-01T10:00:00+08:00',
    { measures: ['warning'] },
    { recordedAt: '2022-03-02T00:00:00.000Z' },
  ),
  penalty('P-2', '2023-05-01T10:00:00+08:00', { measures: ['suspension'], domain: 'food' }),
  ev('inspection.recorded', '2023-09-01T10:00:00+08:00', {
    inspectionId: 'I-1',
    kind: 'random',
    results: ['non-cooperation'],
  }),
  ev('abnormal-list.entered', '2022-02-01T10:00:00+08:00', {
    listingId: 'A-1',
    reason: 'unreachable-at-address',
  }),
  ev('abnormal-list.removed', '2022-09-01T10:00:00+08:00', { listingId: 'A-1' }),
  ev('serious-list.entered', '2023-06-01T10:00:00+08:00', {
    listingId: 'S-1',
    basis: 'heavier-penalty',
    decisionNo: 'P-2',
  }),
  ev(
    'recall.status-changed',
    '2024-01-01T10:00:00+08:00',
    { recallId: 'RC-1', status: 'ordered', published: true, ordered: true },
    { source: 'ecrs.recall' },
  ),
]

const withDecisions = (history: readonly HistoryEvent[], asOf: string): HistoryEvent[] => [
  ...history,
  ...deriveAt(history, asOf).decisions.map((d) => published(d)),
]

describe('derive', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('gives the same result for a shuffled history (seed %i)', (seed) => {
    const history = withDecisions(rich, '2026-08-01')
    const expected = deriveAt(history, '2026-08-01')
    expect(derive(shuffled(history, seed), at('2026-08-01'), defaultProfileParams)).toEqual(expected)
  })

  it('ignores repeated deliveries', () => {
    const once = deriveAt(rich, '2025-01-01')
    expect(deriveAt([...rich, ...shuffled(rich, 9)], '2025-01-01')).toEqual(once)
  })

  it('applies events at the same instant by recordedAt', () => {
    const d = deriveAt(rich, '2025-01-01')
    expect(d.profile?.penalties.find((p) => p.decisionNo === 'P-1')?.measures).toEqual(['fine'])
    const later = rich[7]
    expect(d.outcomes.get(`samr.fj/${later?.id ?? ''}`)).toEqual({
      status: 'rejected',
      reason: 'DUPLICATE_ENTITY',
    })
    // The 2022 correction recorded later is still a correction: its time is before the deadline.
    expect(d.profile?.annualReports.find((r) => r.year === 2022)?.versions).toHaveLength(2)
  })

  it('judges every event up to asOf and none after', () => {
    const d = deriveAt(rich, '2022-12-31')
    const upTo = rich.filter((e) => at(e.time) <= at('2022-12-31'))
    expect([...d.outcomes.keys()].sort()).toEqual(upTo.map((e) => `${e.source}/${e.id}`).sort())
  })

  it('has no profile before registration, and counts earlier events once registered', () => {
    const early = penalty('P-0', '2019-01-10T10:00:00+08:00', { measures: ['criticism'] })
    const late = registered('2019-04-01')
    const history = [early, { ...late, time: '2019-06-01T09:00:00+08:00' }]
    expect(deriveAt(history, '2019-05-01')).toMatchObject({ profile: undefined, decisions: [] })
    expect(deriveAt([early], '2030-01-01').profile).toBeUndefined()
    expect(profileAt(history, '2019-06-02').penalties.map((p) => p.decisionNo)).toEqual(['P-0'])
  })

  it('refuses a second registration and a deregistration twice', () => {
    const again = registered('2020-01-01')
    const dereg1 = ev('enterprise.deregistered', '2024-01-01T10:00:00+08:00', {})
    const dereg2 = ev('enterprise.deregistered', '2024-02-01T10:00:00+08:00', {})
    const d = deriveAt([reg, again, dereg1, dereg2], '2024-03-01')
    expect(d.outcomes.get(`samr.fj/${again.id}`)?.reason).toBe('ALREADY_REGISTERED')
    expect(d.outcomes.get(`samr.fj/${dereg2.id}`)?.reason).toBe('ALREADY_DEREGISTERED')
    expect(d.profile).toMatchObject({ registeredAt: '2019-04-01', status: 'deregistered' })
  })

  it('refuses a second inspection with the same id', () => {
    const again = ev('inspection.recorded', '2024-09-01T10:00:00+08:00', {
      inspectionId: 'I-1',
      kind: 'random',
      results: ['no-problem'],
    })
    expect(deriveAt([...rich, again], '2025-01-01').outcomes.get(`samr.fj/${again.id}`)?.reason).toBe(
      'DUPLICATE_ENTITY',
    )
  })

  it('builds the full view', () => {
    const p = profileAt(rich, '2024-03-01')
    expect(p).toMatchObject({
      uscc: USCC,
      name: 'Fuzhou Acme Group',
      region: '350102',
      kind: 'company',
      registeredAt: '2019-04-01',
      legalRepresentative: 'Zhang San',
      status: 'active',
      asOf: isoOf('2024-03-01'),
    })
    expect(p.annualReports.map((r) => [r.year, r.status])).toEqual([
      [2019, 'filed'],
      [2020, 'filed-late'],
      [2021, 'overdue'],
      [2022, 'filed'],
      [2023, 'not-yet-due'],
    ])
    expect(p.inspections).toEqual([
      expect.objectContaining({ inspectionId: 'I-1', agency: 'samr.fj', results: ['non-cooperation'] }),
    ])
    expect(p.risk.factors.map((f) => [f.code, f.points])).toEqual([
      ['serious-list-active', 0],
      // The 2020 report came after its listing, the 2021 one never: two system listings.
      ['abnormal-list-active', 40],
      ['penalty-heavy', 25],
      ['penalty', 10],
      ['inspection-failed', 20],
      ['recall-ordered', 10],
    ])
  })
})

describe('nextChangeAt', () => {
  it.each([
    // P-1 (a lower-amount fine) is published until 24:00 on 1 June 2022, then the 2021 report falls due.
    ['2022-05-31', '2022-06-02T00:00:00+08:00'],
    ['2022-06-01', '2022-07-01T00:00:00+08:00'],
    // The 2021 listing comes on the first working day after 30 June 2022 (Friday 1 July).
    ['2022-06-30T23:59:59+08:00', '2022-07-01T00:00:00+08:00'],
    // The A-1 removal happened; the next is the window for 2022 opening.
    ['2022-10-01', '2023-01-01T00:00:00+08:00'],
    // After the 2023 window opens: its deadline.
    ['2024-01-05', '2024-07-01T00:00:00+08:00'],
    // Then the P-1 risk window (three years) ends at 24:00 on 1 March 2025.
    ['2025-01-05', '2025-03-02T00:00:00+08:00'],
  ])('at %s is %s', (asOf, next) => {
    expect(deriveAt(rich, asOf).nextChangeAt).toBe(isoOf(next))
  })

  it('is the profile field too', () => {
    const d = deriveAt(rich, '2022-10-01')
    expect(d.profile?.nextChangeAt).toBe(d.nextChangeAt)
  })
})

describe('the cost of a profile (contract §6: asOf at most ten years ahead)', () => {
  // An enterprise registered long before annual reports were owed, never filing: every owed year is
  // listed, escalated and expired, the most the rules can do with time alone.
  const history = [registered('1950-03-01')]
  const farthest = (now: string) => {
    const d = deriveAt(history, now)
    return { d, rows: d.profile?.annualReports.length ?? 0 }
  }

  it('owes reports from 2014 (the configured start), not from the registration year', () => {
    expect(farthest('2036-12-07').rows).toBe(2035 - 2014 + 1)
    expect(farthest('2036-12-07').d.profile?.annualReports[0]?.year).toBe(2014)
  })

  it('takes steps in proportion to the events and the owed years, not to the days spanned', () => {
    const { d, rows } = farthest('2036-12-07')
    // One listing per owed year (at most), its escalation, and the escalation's expiry.
    expect(d.steps).toBeLessThanOrEqual(history.length + 3 * (rows + 1))
    expect(d.decisions.length).toBeLessThanOrEqual(3 * (rows + 1))
    // A year more adds at most the few steps of one year, whatever the days in between.
    const later = deriveAt(history, '2037-12-07')
    expect(later.steps - d.steps).toBeLessThanOrEqual(3)
    expect(deriveAt([registered('2026-11-01')], '2036-12-07').steps).toBeLessThanOrEqual(1 + 3 * 11)
  })
})
