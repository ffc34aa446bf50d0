import { describe, expect, it } from 'vitest'
import { defaultRecallParams, type RecallParams } from './params.js'
import { caseAt, endOf, justAfter, step, upToNotice, vehicle } from './testing/case-events.js'
import type { CaseEvent, ObligationKind, RecallCase } from './types.js'

const dueOf = (c: RecallCase, kind: ObligationKind, n = 1): string | undefined =>
  c.obligations.filter((o) => o.kind === kind)[n - 1]?.dueAt

const accepted = (acceptedAt: string, opening: Record<string, unknown> = {}): CaseEvent[] => [
  step('recall.initiated', '2025-09-01T09:00:00+08:00', { data: opening }),
  step('recall.plan-submitted', '2025-09-10T09:00:00+08:00'),
  step('recall.plan-accepted', acceptedAt),
]

describe('working-day deadlines (contract §3 counting, the official calendar)', () => {
  it.each([
    // Across the 2025 Spring Festival: 26 Jan (Sun) and 8 Feb (Sat) are make-up days.
    ['2025-01-20T10:00:00+08:00', '2025-02-08'],
    // Late in the day still counts from the next day.
    ['2025-01-20T23:59:59+08:00', '2025-02-08'],
    // 20 Jan 00:30 +08:00 is still 19 Jan in UTC: the Shanghai date decides.
    ['2025-01-19T16:30:00Z', '2025-02-08'],
    ['2025-06-03T10:00:00+08:00', '2025-06-17'],
  ])('submit-plan: 10 WD after an initiation at %s → 24:00 %s', (time, date) => {
    const c = caseAt([step('recall.initiated', time)], time)
    expect(dueOf(c, 'submit-plan')).toBe(endOf(date))
    expect(c.obligations[0]?.provisional).toBeUndefined()
  })

  it('submit-plan after recall.ordered: the same 10 WD', () => {
    const c = caseAt([step('recall.ordered', '2025-01-20T10:00:00+08:00')], '2025-01-21')
    expect(c.obligations.map((o) => [o.obligationId, o.dueAt])).toEqual([
      ['R-2025-001:submit-plan:1', endOf('2025-02-08')],
    ])
  })

  it.each([
    // 1–8 Oct off, 11 Oct (Sat) a make-up day.
    ['consumer-product', {}, 'publish-notice', '2025-10-11'],
    ['vehicle', vehicle, 'publish-notice', '2025-10-14'],
    ['vehicle', vehicle, 'notify-owners', '2025-11-18'],
  ] as const)('%s: %s after a plan accepted on 30 Sep 2025 → 24:00 %s', (_, opening, kind, date) => {
    const c = caseAt(accepted('2025-09-30T15:00:00+08:00', opening), '2025-10-01')
    expect(dueOf(c, kind)).toBe(endOf(date))
  })

  it('consumer products owe no notify-owners', () => {
    const c = caseAt(accepted('2025-09-30T15:00:00+08:00'), '2025-10-01')
    expect(c.obligations.map((o) => o.kind)).toEqual(['submit-plan', 'publish-notice'])
  })

  it('submit-summary: 15 WD after recall.completed', () => {
    const events = [
      ...upToNotice('2025-01-10T10:00:00+08:00'),
      step('recall.completed', '2025-01-20T10:00:00+08:00', { data: { unitsRemedied: 1000 } }),
    ]
    // 21–27 Jan (6 with the 26th), 5–8 Feb (4), 10–14 Feb (5): 15.
    expect(dueOf(caseAt(events, '2025-01-21'), 'submit-summary')).toBe(endOf('2025-02-14'))
  })

  it('beyond the holiday data the deadline counts Monday–Friday and is provisional', () => {
    const c = caseAt([step('recall.initiated', '2027-01-04T10:00:00+08:00')], '2027-01-05')
    expect(c.obligations[0]).toMatchObject({ dueAt: endOf('2027-01-18'), provisional: true })
  })

  it('every number comes from the template of the product category', () => {
    const params: RecallParams = {
      templates: {
        ...defaultRecallParams.templates,
        vehicle: { ...defaultRecallParams.templates.vehicle, publishNoticeWd: 1, notifyOwnersWd: 2 },
      },
    }
    const c = caseAt(accepted('2025-09-30T15:00:00+08:00', vehicle), '2025-10-01', params)
    expect([dueOf(c, 'publish-notice'), dueOf(c, 'notify-owners')]).toEqual([
      endOf('2025-10-09'),
      endOf('2025-10-10'),
    ])
  })
})

describe('progress periods (3 months from the notice, Civil-Code month ends)', () => {
  const periodEnds = (notice: string, asOf: string): (string | undefined)[] =>
    caseAt(upToNotice(notice), asOf)
      .obligations.filter((o) => o.kind === 'progress-report')
      .map((o) => o.dueAt)

  it.each([
    ['2024-11-30T10:00:00+08:00', ['2025-02-28', '2025-05-30', '2025-08-30', '2025-11-30']],
    ['2023-11-30T10:00:00+08:00', ['2024-02-29', '2024-05-30', '2024-08-30', '2024-11-30']],
    ['2024-08-31T10:00:00+08:00', ['2024-11-30', '2025-02-28', '2025-05-31', '2025-08-31']],
    ['2025-01-15T10:00:00+08:00', ['2025-04-15', '2025-07-15', '2025-10-15', '2026-01-15']],
  ])('a notice at %s: periods end at 24:00 of %j', (notice, ends) => {
    // Just after the fourth period began: four obligations, the last still open.
    const asOf = new Date(Date.parse(endOf(ends[2] ?? '')) + 1).toISOString()
    expect(periodEnds(notice, asOf)).toEqual(ends.map(endOf))
  })

  it('a period begins just after the previous one ends (its end instant still belongs to it)', () => {
    const notice = '2025-01-15T10:00:00+08:00'
    expect(periodEnds(notice, endOf('2025-04-15'))).toHaveLength(1)
    expect(periodEnds(notice, justAfter(endOf('2025-04-15')))).toHaveLength(2)
  })

  it('a 1-month template makes monthly periods', () => {
    const params: RecallParams = {
      templates: {
        ...defaultRecallParams.templates,
        'consumer-product': { ...defaultRecallParams.templates['consumer-product'], progressPeriodMonths: 1 },
      },
    }
    const c = caseAt(upToNotice('2025-01-31T10:00:00+08:00'), '2025-03-01', params)
    expect(c.obligations.filter((o) => o.kind === 'progress-report').map((o) => o.dueAt)).toEqual([
      endOf('2025-02-28'),
      endOf('2025-03-31'),
    ])
  })
})
