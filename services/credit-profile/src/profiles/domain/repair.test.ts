import { describe, expect, it } from 'vitest'
import { defaultProfileParams } from './params.js'
import { USCC, deriveAt, ev, filed, isoOf, penalty, registered } from './testing/events.js'

const reg = registered('2020-05-10')
const reports = [2020, 2021, 2022, 2023].map((y) => filed(y, `${y + 1}-03-01T10:00:00+08:00`))
const firm = { source: `firm:${USCC}` }

const applyFor = (repairId: string, kind: string, ref: string, time: string) =>
  ev('credit-repair.applied', time, { repairId, target: { kind, ref } }, firm)
const decide = (repairId: string, time: string, decision = 'approved') =>
  ev('credit-repair.decided', time, { repairId, decision })

const outcomeOf = (history: Parameters<typeof deriveAt>[0], id: string) =>
  deriveAt(history, '2026-01-01').outcomes.get(`samr.fj/${id}`)

describe('credit repair of a penalty', () => {
  // Decided 15 Jan 2024: six months end at 24:00 on 15 July 2024, twelve at 24:00 on 15 Jan 2025.
  const decided = '2024-01-15T10:00:00+08:00'
  const base = (data: Record<string, unknown>) => [
    reg,
    ...reports,
    penalty('P-1', decided, { measures: ['fine'], fineAmount: 500_000, ...data }),
    applyFor('R-1', 'penalty', 'P-1', '2024-03-01T10:00:00+08:00'),
  ]

  it.each([
    ['product-quality', '2024-07-15T23:59:59+08:00', 'REPAIR_NOT_ELIGIBLE'],
    ['product-quality', '2024-07-16T00:00:00+08:00', undefined],
    ['food', '2024-07-16T00:00:00+08:00', 'REPAIR_NOT_ELIGIBLE'],
    ['food', '2025-01-15T23:59:59+08:00', 'REPAIR_NOT_ELIGIBLE'],
    ['food', '2025-01-16T00:00:00+08:00', undefined],
    ['drug', '2025-01-16T00:00:00+08:00', undefined],
    ['special-equipment', '2024-12-01T00:00:00+08:00', 'REPAIR_NOT_ELIGIBLE'],
  ])('in %s, approved at %s: %s', (domain, time, reason) => {
    const decision = decide('R-1', time)
    expect(outcomeOf([...base({ domain }), decision], decision.id)).toEqual(
      reason === undefined ? { status: 'applied' } : { status: 'rejected', reason },
    )
  })

  it('ends publicity but keeps the risk points', () => {
    const decision = decide('R-1', '2024-08-01T10:00:00+08:00')
    const p = deriveAt([...base({}), decision], '2024-09-01').profile
    expect(p?.penalties[0]?.publicity).toEqual({
      published: true,
      until: isoOf('2024-08-01T10:00:00+08:00'),
      ended: true,
      endedBy: 'credit-repair',
    })
    expect(p?.risk.factors).toEqual([{ code: 'penalty', points: 10, because: [expect.any(Object)] }])
  })

  it('is never eligible for a suspension', () => {
    const decision = decide('R-1', '2025-08-01T10:00:00+08:00')
    expect(outcomeOf([...base({ measures: ['suspension'] }), decision], decision.id)?.reason).toBe(
      'REPAIR_NOT_ELIGIBLE',
    )
  })

  it('is not eligible while the enterprise is on a list', () => {
    const listed = ev('abnormal-list.entered', '2024-06-01T10:00:00+08:00', {
      listingId: 'L-1',
      reason: 'false-information',
    })
    const decision = decide('R-1', '2024-08-01T10:00:00+08:00')
    expect(outcomeOf([...base({}), listed, decision], decision.id)?.reason).toBe('REPAIR_NOT_ELIGIBLE')
  })

  it('needs a prior application', () => {
    const decision = decide('R-9', '2024-08-01T10:00:00+08:00')
    expect(outcomeOf([...base({}), decision], decision.id)?.reason).toBe('REPAIR_NOT_FOUND')
  })

  it('records a refusal, and a later approval can still come', () => {
    const refused = decide('R-1', '2024-08-01T10:00:00+08:00', 'rejected')
    const approved = decide('R-1', '2024-09-01T10:00:00+08:00')
    const d = deriveAt([...base({}), refused, approved], '2024-10-01')
    expect(d.outcomes.get(`samr.fj/${refused.id}`)).toEqual({ status: 'applied' })
    expect(d.outcomes.get(`samr.fj/${approved.id}`)).toEqual({
      status: 'rejected',
      reason: 'REPAIR_ALREADY_DECIDED',
    })
  })
})

describe('credit repair of listings', () => {
  it.each([
    ['2024-02-01T23:59:59+08:00', 'REPAIR_NOT_ELIGIBLE'],
    ['2024-02-02T00:00:00+08:00', undefined],
  ])('a serious listing of 1 Feb 2023 repaired at %s: %s', (time, reason) => {
    const history = [
      reg,
      ...reports,
      ev('serious-list.entered', '2023-02-01T10:00:00+08:00', {
        listingId: 'S-1',
        basis: 'false-registration',
      }),
      applyFor('R-2', 'serious-listing', 'S-1', '2023-12-01T10:00:00+08:00'),
      decide('R-2', time),
    ]
    const d = deriveAt(history, '2024-03-01')
    const last = history[history.length - 1]
    expect(d.outcomes.get(`samr.fj/${last?.id ?? ''}`)).toEqual(
      reason === undefined ? { status: 'applied' } : { status: 'rejected', reason },
    )
    expect(d.profile?.seriousListings[0]?.active).toBe(reason !== undefined)
  })

  it('removes a missing-report listing only once the report is filed', () => {
    const id = `ar-missing:${USCC}:2022`
    const history = [
      reg,
      ...reports.filter((r) => r.data['year'] !== 2022),
      applyFor('R-3', 'abnormal-listing', id, '2023-08-01T10:00:00+08:00'),
    ]
    const early = decide('R-3', '2023-08-10T10:00:00+08:00')
    expect(outcomeOf([...history, early], early.id)?.reason).toBe('REPAIR_NOT_ELIGIBLE')
    const late = decide('R-3', '2023-09-10T10:00:00+08:00')
    const cured = [...history, early, filed(2022, '2023-09-01T10:00:00+08:00'), late]
    const p = deriveAt(cured, '2023-10-01').profile
    expect(p?.abnormalListings[0]).toMatchObject({
      listingId: id,
      active: false,
      removedAt: isoOf('2023-09-10T10:00:00+08:00'),
      removalReason: 'credit-repair',
    })
    expect(p?.annualReports.find((r) => r.year === 2022)?.status).toBe('filed-late')
  })

  it('refuses an application for something unknown', () => {
    const application = applyFor('R-4', 'abnormal-listing', 'nope', '2023-08-01T10:00:00+08:00')
    const d = deriveAt([reg, application], '2024-01-01')
    expect(d.outcomes.get(`firm:${USCC}/${application.id}`)?.reason).toBe('REPAIR_TARGET_NOT_FOUND')
  })
})

describe('who may decide a repair (contract §4.1: NOT_DECIDING_AGENCY)', () => {
  const decidedBy = (repairId: string, time: string, source: string, decision = 'approved') =>
    ev('credit-repair.decided', time, { repairId, decision }, { source })
  const penaltyBase = [
    reg,
    ...reports,
    penalty('P-1', '2024-01-15T10:00:00+08:00', { measures: ['fine'], fineAmount: 500_000 }),
    applyFor('R-1', 'penalty', 'P-1', '2024-03-01T10:00:00+08:00'),
  ]
  const outcome = (history: Parameters<typeof deriveAt>[0], e: { source: string; id: string }) =>
    deriveAt(history, '2026-01-01').outcomes.get(`${e.source}/${e.id}`)

  it("refuses another agency's approval of a penalty's repair, and the penalty stays published", () => {
    const foreign = decidedBy('R-1', '2024-08-01T10:00:00+08:00', 'samr.ln')
    const history = [...penaltyBase, foreign]
    expect(outcome(history, foreign)).toEqual({ status: 'rejected', reason: 'NOT_DECIDING_AGENCY' })
    expect(deriveAt(history, '2024-09-01').profile?.penalties[0]?.publicity.ended).toBe(false)
  })

  it('leaves the application open after a foreign decision: the deciding agency may still approve', () => {
    const foreign = decidedBy('R-1', '2024-08-01T10:00:00+08:00', 'samr.ln', 'rejected')
    const own = decidedBy('R-1', '2024-08-02T10:00:00+08:00', 'samr.fj')
    const history = [...penaltyBase, foreign, own]
    expect(outcome(history, foreign)?.reason).toBe('NOT_DECIDING_AGENCY')
    expect(outcome(history, own)).toEqual({ status: 'applied' })
    expect(deriveAt(history, '2024-09-01').profile?.penalties[0]?.publicity.endedBy).toBe('credit-repair')
  })

  const agencyListing = ev(
    'serious-list.entered',
    '2023-02-01T10:00:00+08:00',
    { listingId: 'S-1', basis: 'false-registration' },
    { source: 'samr.fz' },
  )
  it.each([
    ['the listing agency', 'samr.fz', undefined],
    ['the agency that decided nothing here', 'samr.fj', 'NOT_DECIDING_AGENCY'],
    ['another agency', 'customs.fz', 'NOT_DECIDING_AGENCY'],
  ])("an agency's serious listing, decided by %s", (_who, source, reason) => {
    const decision = decidedBy('R-2', '2024-03-01T10:00:00+08:00', source)
    const history = [
      reg,
      ...reports,
      agencyListing,
      applyFor('R-2', 'serious-listing', 'S-1', '2023-12-01T10:00:00+08:00'),
      decision,
    ]
    expect(outcome(history, decision)).toEqual(
      reason === undefined ? { status: 'applied' } : { status: 'rejected', reason },
    )
    expect(deriveAt(history, '2024-04-01').profile?.seriousListings[0]?.active).toBe(reason !== undefined)
  })

  // A system listing (missing 2022 report), cured by the filing: the registration authorities decide.
  const systemListing = `ar-missing:${USCC}:2022`
  const systemBase = [
    reg,
    ...reports.filter((r) => r.data['year'] !== 2022),
    filed(2022, '2023-09-01T10:00:00+08:00'),
    applyFor('R-3', 'abnormal-listing', systemListing, '2023-09-02T10:00:00+08:00'),
  ]
  it.each([
    ['any agency, with no registration authorities configured', 'samr.xm', undefined, undefined],
    ['a configured registration authority', 'samr.fj', ['samr.fj'], undefined],
    ['an agency not among them', 'customs.fz', ['samr.fj'], 'NOT_DECIDING_AGENCY'],
    ['the firm itself', `firm:${USCC}`, undefined, 'NOT_DECIDING_AGENCY'],
  ])('a system listing, decided by %s', (_who, source, authorities, reason) => {
    const decision = decidedBy('R-3', '2023-09-10T10:00:00+08:00', source)
    const params = {
      ...defaultProfileParams,
      ...(authorities === undefined ? {} : { registrationAuthorities: authorities }),
    }
    const d = deriveAt([...systemBase, decision], '2023-10-01', params)
    expect(d.outcomes.get(`${decision.source}/${decision.id}`)).toEqual(
      reason === undefined ? { status: 'applied' } : { status: 'rejected', reason },
    )
    expect(d.profile?.abnormalListings.find((l) => l.listingId === systemListing)?.active).toBe(
      reason !== undefined,
    )
  })
})
