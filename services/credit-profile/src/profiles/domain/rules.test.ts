import { describe, expect, it } from 'vitest'
import {
  USCC,
  deriveAt,
  ev,
  filed,
  isoOf,
  penalty,
  profileAt,
  published,
  registered,
} from './testing/events.js'

const reg = registered('2021-05-10')
const listing2022 = `ar-missing:${USCC}:2022`

describe('rule 1: a missing annual report lists the enterprise', () => {
  it.each([
    // 1 July 2024 is a Monday; 1 July 2023 a Saturday, so the first working day is Monday 3 July.
    [2023, '2024-07-01T00:00:00+08:00'],
    [2022, '2023-07-03T00:00:00+08:00'],
    [2021, '2022-07-01T00:00:00+08:00'],
  ])('lists a missing %i report on the first working day after 30 June: %s', (year, listedAt) => {
    const d = deriveAt([reg], '2024-12-31')
    const decision = d.decisions.find((x) => x.id === `ar-missing:${USCC}:${year}`)
    expect(decision).toEqual({
      id: `ar-missing:${USCC}:${year}`,
      type: 'abnormal-list.entered',
      subject: USCC,
      time: isoOf(listedAt),
      data: { listingId: `ar-missing:${USCC}:${year}`, reason: 'annual-report-not-filed', year },
    })
    expect(d.profile?.abnormalListings.find((l) => l.year === year)).toMatchObject({
      listedAt: isoOf(listedAt),
      listedBy: 'ecrs.rules',
      active: true,
      recordedAt: isoOf(listedAt),
    })
  })

  it('decides nothing before the listing instant, and says when it will', () => {
    const before = deriveAt([reg], '2023-07-02T23:59:59+08:00')
    expect(before.decisions.map((x) => x.id)).toEqual([`ar-missing:${USCC}:2021`])
    expect(before.nextChangeAt).toBe(isoOf('2023-07-03T00:00:00+08:00'))
    expect(deriveAt([reg], '2023-07-03T00:00:00+08:00').decisions.map((x) => x.id)).toContain(listing2022)
  })

  it('lists a report filed late but before the listing day, and a late report removes nothing', () => {
    const late = filed(2022, '2023-07-01T10:00:00+08:00')
    const p = profileAt([reg, filed(2021, '2022-05-01T10:00:00+08:00'), late], '2024-01-01')
    expect(p.annualReports.find((r) => r.year === 2022)?.status).toBe('filed-late')
    expect(p.abnormalListings.map((l) => [l.listingId, l.active])).toEqual([[listing2022, true]])
  })

  it('adds none for a year an agency listed, and its own published listing gives way', () => {
    const first = deriveAt([reg, filed(2021, '2022-05-01T10:00:00+08:00')], '2023-07-10')
    const system = first.decisions.find((x) => x.id === listing2022)
    if (system === undefined) throw new Error('expected a system listing')
    const agency = ev('abnormal-list.entered', '2023-07-05T10:00:00+08:00', {
      listingId: 'FJ-2023-77',
      reason: 'annual-report-not-filed',
      year: 2022,
    })
    const history = [reg, filed(2021, '2022-05-01T10:00:00+08:00'), published(system), agency]
    const d = deriveAt(history, '2023-07-10')
    expect(d.decisions.map((x) => x.id)).toEqual([])
    expect(d.outcomes.get(`ecrs.rules/${listing2022}`)).toEqual({ status: 'rejected', reason: 'SUPERSEDED' })
    expect(d.profile?.abnormalListings.map((l) => [l.listingId, l.listedBy])).toEqual([
      ['FJ-2023-77', 'samr.fj'],
    ])
    // Before the agency's listing the system's stood.
    expect(deriveAt(history, '2023-07-04').profile?.abnormalListings.map((l) => l.listingId)).toEqual([
      listing2022,
    ])
  })

  it('lists nothing after deregistration', () => {
    const history = [reg, ev('enterprise.deregistered', '2023-05-01T10:00:00+08:00', {})]
    expect(deriveAt(history, '2025-01-01').decisions.map((x) => x.id)).toEqual([`ar-missing:${USCC}:2021`])
  })
})

describe('rule 6: a decision stands only while its premise holds', () => {
  const onTime = filed(2022, '2023-06-20T10:00:00+08:00', { recordedAt: '2024-02-01T00:00:00.000Z' })
  const base = [reg, filed(2021, '2022-05-01T10:00:00+08:00')]

  it('voids the listing a back-dated on-time report would have prevented', () => {
    const before = deriveAt(base, '2024-01-01')
    const decision = before.decisions.find((x) => x.id === listing2022)
    if (decision === undefined) throw new Error('expected a listing')
    const history = [...base, published(decision, '2023-07-03T00:00:05.000Z')]
    const stood = deriveAt(history, '2024-01-01')
    expect(stood.outcomes.get(`ecrs.rules/${listing2022}`)).toEqual({ status: 'applied' })
    expect(stood.profile?.abnormalListings[0]?.recordedAt).toBe('2023-07-03T00:00:05.000Z')

    const after = deriveAt([...history, onTime], '2024-03-01')
    expect(after.decisions).toEqual([])
    expect(after.outcomes.get(`ecrs.rules/${listing2022}`)).toEqual({
      status: 'rejected',
      reason: 'PREMISE_VOID',
    })
    expect(after.profile?.abnormalListings).toEqual([])
    expect(after.profile?.restrictions).toEqual([])
  })

  it('voids what followed from it too', () => {
    const later = [2023, 2024, 2025].map((y) => filed(y, `${y + 1}-03-01T10:00:00+08:00`))
    const full = deriveAt([...base, ...later], '2026-08-01')
    const ids = full.decisions.map((x) => x.id)
    expect(ids).toEqual([listing2022, `abn3y:${USCC}:${listing2022}`])
    const history = [...base, ...later, ...full.decisions.map((x) => published(x)), onTime]
    const d = deriveAt(history, '2026-08-01')
    expect(d.decisions).toEqual([])
    for (const id of ids) expect(d.outcomes.get(`ecrs.rules/${id}`)?.reason).toBe('PREMISE_VOID')
    expect(d.profile?.seriousListings).toEqual([])
  })
})

describe('rule 2: three years on the abnormal list with the obligation unmet', () => {
  // The 2020 report is missed, listed on Thursday 1 July 2021; three years end at 24:00 on 1 July 2024.
  const reg2020 = registered('2020-02-01')
  const abnId = `ar-missing:${USCC}:2020`
  const seriousId = `abn3y:${USCC}:${abnId}`

  it('escalates at the start of the day after the three-year period', () => {
    const d = deriveAt([reg2020], '2024-07-02T00:00:00+08:00')
    expect(d.decisions.find((x) => x.id === seriousId)).toEqual({
      id: seriousId,
      type: 'serious-list.entered',
      subject: USCC,
      time: isoOf('2024-07-02T00:00:00+08:00'),
      data: { listingId: seriousId, basis: 'abnormal-list-3-years', abnormalListingId: abnId },
    })
    const p = d.profile
    expect(p?.seriousListings[0]).toMatchObject({ active: true, endsAt: isoOf('2027-07-03T00:00:00+08:00') })
    expect(p?.abnormalListings.find((l) => l.listingId === abnId)?.active).toBe(true)
    expect(p?.risk.class).toBe('D')
    const early = deriveAt([reg2020], '2024-07-01T23:59:59+08:00')
    expect(early.decisions.map((x) => x.id)).not.toContain(seriousId)
    expect(early.nextChangeAt).toBe(isoOf('2024-07-02T00:00:00+08:00'))
  })

  it.each([
    ['2024-07-01T23:59:59+08:00', false],
    // 24:00 on 1 July ends the three years: inclusive, the obligation was met within them.
    ['2024-07-02T00:00:00+08:00', false],
    ['2024-07-02T00:00:00.001+08:00', true],
  ])('with the 2020 report filed at %s, escalates: %s', (time, escalates) => {
    const d = deriveAt([reg2020, filed(2020, time)], '2024-08-01')
    expect(d.decisions.some((x) => x.id === seriousId)).toBe(escalates)
  })

  it('escalates an agency listing for another reason unless removed', () => {
    const listed = ev('abnormal-list.entered', '2021-03-10T10:00:00+08:00', {
      listingId: 'FJ-U-1',
      reason: 'unreachable-at-address',
    })
    const removed = ev('abnormal-list.removed', '2024-03-10T23:00:00+08:00', { listingId: 'FJ-U-1' })
    const history = [
      reg2020,
      ...[2020, 2021, 2022, 2023].map((y) => filed(y, `${y + 1}-03-01T10:00:00+08:00`)),
    ]
    const id = `abn3y:${USCC}:FJ-U-1`
    const kept = deriveAt([...history, listed], '2024-03-11T00:00:00+08:00')
    expect(kept.decisions.map((x) => [x.id, x.time])).toEqual([[id, isoOf('2024-03-11T00:00:00+08:00')]])
    expect(deriveAt([...history, listed, removed], '2024-04-01').decisions).toEqual([])
  })
})

describe('rule 3: serious listings end', () => {
  it('ends three years after listing, and the legal-representative ban runs on', () => {
    const reg2020 = registered('2020-02-01')
    const seriousId = `abn3y:${USCC}:ar-missing:${USCC}:2020`
    const d = deriveAt([reg2020], '2027-07-03T00:00:00+08:00')
    const removal = d.decisions.find((x) => x.type === 'serious-list.removed')
    expect(removal).toEqual({
      id: `serious-expired:${USCC}:${seriousId}`,
      type: 'serious-list.removed',
      subject: USCC,
      time: isoOf('2027-07-03T00:00:00+08:00'),
      data: { listingId: seriousId, reason: 'expired' },
    })
    const listing = d.profile?.seriousListings.find((l) => l.listingId === seriousId)
    expect(listing).toMatchObject({ active: false, removalReason: 'expired' })
  })

  it('ends a penalty-based listing when the penalty is revoked', () => {
    const history = [
      reg,
      penalty('FJ-P-1', '2023-01-10T10:00:00+08:00', { measures: ['suspension'] }),
      ev('serious-list.entered', '2023-02-01T10:00:00+08:00', {
        listingId: 'FJ-S-1',
        basis: 'heavier-penalty',
        decisionNo: 'FJ-P-1',
      }),
      ev('penalty.revoked', '2023-05-01T10:00:00+08:00', { decisionNo: 'FJ-P-1' }),
    ]
    const d = deriveAt(history, '2023-06-01')
    expect(d.decisions).toContainEqual({
      id: `serious-revoked:${USCC}:FJ-S-1`,
      type: 'serious-list.removed',
      subject: USCC,
      time: isoOf('2023-05-01T10:00:00+08:00'),
      data: { listingId: 'FJ-S-1', reason: 'decision-revoked', decisionNo: 'FJ-P-1' },
    })
    expect(d.profile?.seriousListings[0]).toMatchObject({ active: false, removalReason: 'decision-revoked' })
  })

  it('refuses an early expiry from the listing agency', () => {
    const history = [
      reg,
      ev('serious-list.entered', '2023-02-01T10:00:00+08:00', {
        listingId: 'FJ-S-2',
        basis: 'false-registration',
      }),
    ]
    const early = ev('serious-list.removed', '2025-02-01T10:00:00+08:00', {
      listingId: 'FJ-S-2',
      reason: 'expired',
    })
    const d = deriveAt([...history, early], '2025-03-01')
    expect(d.outcomes.get(`samr.fj/${early.id}`)).toEqual({
      status: 'rejected',
      reason: 'LISTING_NOT_EXPIRED',
    })
  })
})

describe('catch-up', () => {
  it('takes every decision five years of silence imply', () => {
    const d = deriveAt([registered('2018-03-01')], '2025-08-01')
    const ar = (y: number): string => `ar-missing:${USCC}:${y}`
    const abn3y = (y: number): string => `abn3y:${USCC}:${ar(y)}`
    expect(d.decisions.map((x) => [x.id, x.time])).toEqual(
      [
        [ar(2018), isoOf('2019-07-01T00:00:00+08:00')],
        [ar(2019), isoOf('2020-07-01T00:00:00+08:00')],
        [ar(2020), isoOf('2021-07-01T00:00:00+08:00')],
        [ar(2021), isoOf('2022-07-01T00:00:00+08:00')],
        [abn3y(2018), isoOf('2022-07-02T00:00:00+08:00')],
        [ar(2022), isoOf('2023-07-03T00:00:00+08:00')],
        [abn3y(2019), isoOf('2023-07-02T00:00:00+08:00')],
        [ar(2023), isoOf('2024-07-01T00:00:00+08:00')],
        [abn3y(2020), isoOf('2024-07-02T00:00:00+08:00')],
        [ar(2024), isoOf('2025-07-01T00:00:00+08:00')],
        [abn3y(2021), isoOf('2025-07-02T00:00:00+08:00')],
        [`serious-expired:${USCC}:${abn3y(2018)}`, isoOf('2025-07-03T00:00:00+08:00')],
      ].sort((a, b) => Date.parse(a[1] ?? '') - Date.parse(b[1] ?? '')),
    )
    expect(d.profile?.abnormalListings.filter((l) => l.active)).toHaveLength(7)
    expect(d.profile?.seriousListings.filter((l) => l.active)).toHaveLength(3)
    expect(d.profile?.risk).toMatchObject({ class: 'D' })
  })
})
