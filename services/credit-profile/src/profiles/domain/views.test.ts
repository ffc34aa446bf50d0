import { describe, expect, it } from 'vitest'
import { publicView, searchFields } from './views.js'
import { USCC, ev, filed, penalty, profileAt, registered } from './testing/events.js'

const base = [
  registered('2020-05-10'),
  ...[2020, 2021, 2022, 2023, 2024].map((y) => filed(y, `${y + 1}-03-01T10:00:00+08:00`)),
]
const recall = { source: 'ecrs.recall' }
const status = (recallId: string, published: boolean) =>
  ev(
    'recall.status-changed',
    '2024-03-01T10:00:00+08:00',
    { recallId, status: 'in-progress', published, ordered: false },
    recall,
  )
const history = [
  ...base,
  penalty('P-warn', '2024-01-10T10:00:00+08:00', { measures: ['warning'] }),
  penalty('P-crit', '2024-01-10T10:00:00+08:00', { measures: ['criticism'] }),
  penalty('P-big', '2024-01-10T10:00:00+08:00', { measures: ['fine'], fineAmount: 300_000 }),
  ev('serious-list.entered', '2024-02-01T10:00:00+08:00', { listingId: 'S-1', basis: 'false-registration' }),
  status('RC-pub', true),
  status('RC-quiet', false),
  ev(
    'credit-repair.applied',
    '2024-07-20T10:00:00+08:00',
    { repairId: 'R-1', target: { kind: 'penalty', ref: 'P-big' } },
    { source: `firm:${USCC}` },
  ),
]
const repaired = ev('credit-repair.decided', '2024-09-01T10:00:00+08:00', {
  repairId: 'R-1',
  decision: 'approved',
})

describe('public view', () => {
  it('shows only what may be published', () => {
    const full = profileAt(history, '2024-03-15')
    const view = publicView(full, undefined)
    expect(view).not.toHaveProperty('risk')
    expect(view).not.toHaveProperty('restrictions')
    expect(view.penalties.map((p) => p.decisionNo)).toEqual(['P-crit', 'P-big'])
    expect(view.seriousListings.map((l) => l.listingId)).toEqual(['S-1'])
    expect(view.recalls.map((r) => r.recallId)).toEqual(['RC-pub'])
    expect(view.annualReports).toEqual(full.annualReports)
  })

  it('drops penalties whose publicity ended and serious listings no longer active', () => {
    const now = profileAt(history, '2027-03-01')
    const view = publicView(now, undefined)
    expect(view.penalties).toEqual([])
    expect(view.seriousListings).toEqual([])
    expect(now.seriousListings[0]?.active).toBe(false)
  })

  it('never re-publishes with asOf what expired or was repaired since', () => {
    // Repair needs the enterprise off every list: this history has no serious listing.
    const withRepair = [...history.filter((e) => e.type !== 'serious-list.entered'), repaired]
    const then = profileAt(withRepair, '2024-03-15')
    expect(publicView(then, undefined).penalties.map((p) => p.decisionNo)).toEqual(['P-crit', 'P-big'])
    // Criticism expired on 11 April, the large fine was repaired on 1 September.
    const now = profileAt(withRepair, '2024-10-01')
    expect(now.penalties.find((p) => p.decisionNo === 'P-big')?.publicity.endedBy).toBe('credit-repair')
    expect(publicView(then, now).penalties).toEqual([])
    expect(publicView(then, now).recalls.map((r) => r.recallId)).toEqual(['RC-pub'])
  })

  it('never shows with asOf a serious listing that has ended since', () => {
    const then = profileAt(history, '2024-03-15')
    expect(
      publicView(then, profileAt(history, '2025-03-01')).seriousListings.map((l) => l.listingId),
    ).toEqual(['S-1'])
    expect(publicView(then, profileAt(history, '2027-03-01')).seriousListings).toEqual([])
  })
})

describe('search fields', () => {
  it('carry the class and whether the enterprise is listed', () => {
    expect(searchFields(profileAt(history, '2024-03-15'))).toEqual({
      uscc: USCC,
      name: 'Fuzhou Acme Ltd',
      region: '350102',
      riskClass: 'D',
      abnormalActive: false,
      seriousActive: true,
    })
  })
})
