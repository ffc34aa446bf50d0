import { describe, expect, it } from 'vitest'
import { FIRM, caseAt, deriveAt, endOf, justAfter, step, upToNotice, vehicle } from './testing/case-events.js'
import type { CaseEvent, Derivation, RecallDecision } from './types.js'

const INITIATED = '2025-01-20T10:00:00+08:00'
const PLAN_DUE = endOf('2025-02-08')
const opened = step('recall.initiated', INITIATED)

const ofType = (d: Derivation, type: RecallDecision['type']) => d.decisions.filter((x) => x.type === type)

describe('overdue and fulfilment decisions', () => {
  it.each([
    ['before the due instant', '2025-02-08T23:59:59+08:00'],
    ['at the due instant itself (deadlines are inclusive)', PLAN_DUE],
  ])('nothing is overdue %s; nextChangeAt is just after the due instant', (_, asOf) => {
    const d = deriveAt([opened], asOf)
    expect(d.case?.obligations[0]?.status).toBe('open')
    expect(ofType(d, 'recall.obligation-overdue')).toEqual([])
    expect(d.nextChangeAt).toBe(justAfter(PLAN_DUE))
  })

  it('once the due instant has passed the obligation is overdue: one decision dated at the due instant', () => {
    const d = deriveAt([opened], justAfter(PLAN_DUE))
    expect(d.case?.obligations[0]?.status).toBe('overdue')
    expect(ofType(d, 'recall.obligation-overdue')).toEqual([
      {
        id: 'overdue:R-2025-001:submit-plan:1',
        type: 'recall.obligation-overdue',
        subject: FIRM,
        time: PLAN_DUE,
        data: {
          recallId: 'R-2025-001',
          obligationId: 'R-2025-001:submit-plan:1',
          kind: 'submit-plan',
          dueAt: PLAN_DUE,
          generation: 1,
        },
      },
    ])
  })

  it.each([
    ['just before 24:00', '2025-02-08T23:59:59.999+08:00', false],
    ['at 24:00 itself (the due instant: inclusive)', '2025-02-09T00:00:00+08:00', false],
    ['a millisecond after 24:00', '2025-02-09T00:00:00.001+08:00', true],
    ['a day late', '2025-02-10T09:00:00+08:00', true],
  ])('a plan submitted %s: fulfilledLate %s', (_, time, late) => {
    const plan = step('recall.plan-submitted', time)
    const d = deriveAt([opened, plan], '2025-03-01')
    expect(d.case?.obligations[0]).toMatchObject({
      status: 'fulfilled',
      fulfilledAt: time,
      fulfilledLate: late,
      fulfilledBy: { source: `firm:${FIRM}`, id: plan.id },
    })
    expect(ofType(d, 'recall.obligation-overdue').map((x) => x.id)).toEqual(
      late ? ['overdue:R-2025-001:submit-plan:1'] : [],
    )
    expect(ofType(d, 'recall.obligation-fulfilled')).toEqual(
      late
        ? [
            {
              id: 'fulfilled:R-2025-001:submit-plan:1',
              type: 'recall.obligation-fulfilled',
              subject: FIRM,
              time,
              data: {
                recallId: 'R-2025-001',
                obligationId: 'R-2025-001:submit-plan:1',
                kind: 'submit-plan',
                late: true,
                generation: 1,
              },
            },
          ]
        : [],
    )
  })

  it('the overdue decision stays, once, whenever the late fulfilment arrived and however often asked', () => {
    const history = [opened, step('recall.plan-submitted', '2025-02-10T09:00:00+08:00')]
    for (const asOf of ['2025-02-10', '2025-06-01', '2026-01-01']) {
      expect(ofType(deriveAt(history, asOf), 'recall.obligation-overdue')).toHaveLength(1)
    }
  })

  it('decisions come in (time, id) order; a status change is named by its step', () => {
    const history = [
      step('recall.initiated', INITIATED, { id: 'evt-1' }),
      step('recall.plan-submitted', '2025-02-10T09:00:00+08:00', { id: 'evt-2' }),
    ]
    expect(deriveAt(history, '2025-03-01').decisions.map((x) => x.id)).toEqual([
      `status:firm:${FIRM}:evt-1`,
      'overdue:R-2025-001:submit-plan:1',
      'fulfilled:R-2025-001:submit-plan:1',
      `status:firm:${FIRM}:evt-2`,
    ])
  })
})

describe('the life of a case', () => {
  const returned = [
    opened,
    step('recall.plan-submitted', '2025-01-22T10:00:00+08:00'),
    step('recall.plan-returned', '2025-02-10T10:00:00+08:00'),
  ]

  it('a returned plan: the first submit-plan stays fulfilled, a new one is due 10 WD after the return', () => {
    const c = caseAt(returned, '2025-02-11')
    expect(c.status).toBe('plan-returned')
    expect(c.obligations.map((o) => [o.obligationId, o.status, o.dueAt])).toEqual([
      ['R-2025-001:submit-plan:1', 'fulfilled', PLAN_DUE],
      ['R-2025-001:submit-plan:2', 'open', endOf('2025-02-24')],
    ])
    const again = caseAt(
      [...returned, step('recall.plan-submitted', '2025-02-12T10:00:00+08:00')],
      '2025-02-13',
    )
    expect(again.status).toBe('plan-submitted')
    expect(again.obligations[1]).toMatchObject({ status: 'fulfilled', fulfilledLate: false })
  })

  const published = upToNotice('2025-01-15T10:00:00+08:00')

  it('progress: units are cumulative; the completion rate follows', () => {
    const c = caseAt(
      [
        ...published,
        step('recall.progress-reported', '2025-02-01T10:00:00+08:00', { data: { unitsRemedied: 250 } }),
      ],
      '2025-02-02',
    )
    expect(c).toMatchObject({ status: 'in-progress', unitsRemedied: 250, completionRate: 0.25 })
    expect(c.noticePublishedAt).toBe('2025-01-15T10:00:00+08:00')
  })

  it('a report within a period fulfils it on time; a missed period is overdue and a later report fulfils it late', () => {
    const events = [
      ...published,
      step('recall.progress-reported', '2025-03-01T10:00:00+08:00', { data: { unitsRemedied: 100 } }),
      // Nothing in the second period (16 Apr – 15 Jul); a report in the third.
      step('recall.progress-reported', '2025-08-01T10:00:00+08:00', { data: { unitsRemedied: 200 } }),
    ]
    const d = deriveAt(events, '2025-08-02')
    const reports = d.case?.obligations.filter((o) => o.kind === 'progress-report')
    expect(reports?.map((o) => [o.dueAt, o.status, o.fulfilledLate])).toEqual([
      [endOf('2025-04-15'), 'fulfilled', false],
      [endOf('2025-07-15'), 'fulfilled', true],
      [endOf('2025-10-15'), 'fulfilled', false],
    ])
    const progress = (x: RecallDecision): boolean => x.data.kind === 'progress-report'
    expect(
      ofType(d, 'recall.obligation-overdue')
        .filter(progress)
        .map((x) => x.time),
    ).toEqual([endOf('2025-07-15')])
    expect(
      ofType(d, 'recall.obligation-fulfilled')
        .filter(progress)
        .map((x) => x.time),
    ).toEqual(['2025-08-01T10:00:00+08:00'])
  })

  it('recall.completed fulfils the current period and ends the progress duty', () => {
    const events = [
      ...published,
      step('recall.completed', '2025-03-01T10:00:00+08:00', { data: { unitsRemedied: 1000 } }),
    ]
    const d = deriveAt(events, '2026-06-01')
    const c = d.case
    expect(c?.status).toBe('completed')
    expect(c?.completionRate).toBe(1)
    expect(c?.obligations.filter((o) => o.kind === 'progress-report').map((o) => o.status)).toEqual([
      'fulfilled',
    ])
    // Only the summary remains, overdue by now; no new period will begin.
    expect(c?.obligations.find((o) => o.kind === 'submit-summary')?.status).toBe('overdue')
    expect(d.nextChangeAt).toBeUndefined()
  })

  it('recall.closed cancels what is open, keeps what is overdue, and stops the clock', () => {
    const events = [
      opened,
      step('recall.plan-submitted', '2025-01-22T10:00:00+08:00'),
      step('recall.plan-accepted', '2025-01-23T10:00:00+08:00', { data: vehicle }),
      step('recall.closed', '2025-03-01T10:00:00+08:00'),
    ]
    const vehicleEvents = [step('recall.initiated', INITIATED, { data: vehicle }), ...events.slice(1)]
    const d = deriveAt(vehicleEvents, '2026-01-01')
    expect(d.case?.status).toBe('closed')
    expect(d.case?.obligations.map((o) => [o.kind, o.status])).toEqual([
      ['submit-plan', 'fulfilled'],
      ['publish-notice', 'overdue'],
      ['notify-owners', 'cancelled'],
    ])
    expect(d.nextChangeAt).toBeUndefined()
  })

  it('notify-owners is fulfilled by the first progress report with units > 0', () => {
    const events = [
      step('recall.initiated', INITIATED, { data: vehicle }),
      step('recall.plan-submitted', '2025-01-22T10:00:00+08:00'),
      step('recall.plan-accepted', '2025-01-23T10:00:00+08:00'),
      step('recall.notice-published', '2025-01-24T10:00:00+08:00'),
      step('recall.progress-reported', '2025-02-10T10:00:00+08:00', { data: { unitsRemedied: 0 } }),
    ]
    const owners = (history: CaseEvent[]) =>
      caseAt(history, '2025-02-20').obligations.find((o) => o.kind === 'notify-owners')?.status
    expect(owners(events)).toBe('open')
    expect(
      owners([
        ...events,
        step('recall.progress-reported', '2025-02-19T10:00:00+08:00', { data: { unitsRemedied: 3 } }),
      ]),
    ).toBe('fulfilled')
  })

  it('status-changed decisions follow the status, the notice and the order', () => {
    const events = [
      opened,
      step('recall.ordered', '2025-01-21T10:00:00+08:00'),
      step('recall.plan-submitted', '2025-01-22T10:00:00+08:00'),
      step('recall.plan-accepted', '2025-01-23T10:00:00+08:00'),
      step('recall.notice-published', '2025-01-24T10:00:00+08:00'),
      step('recall.progress-reported', '2025-02-01T10:00:00+08:00', { data: { unitsRemedied: 10 } }),
      step('recall.completed', '2025-02-02T10:00:00+08:00', { data: { unitsRemedied: 10 } }),
      step('recall.summary-submitted', '2025-02-03T10:00:00+08:00'),
      step('recall.closed', '2025-02-04T10:00:00+08:00'),
    ]
    const d = deriveAt(events, '2025-02-05')
    expect(
      ofType(d, 'recall.status-changed').map((x) => [
        x.time,
        x.data.status,
        x.data.published,
        x.data.ordered,
      ]),
    ).toEqual([
      [INITIATED, 'initiated', false, false],
      ['2025-01-21T10:00:00+08:00', 'ordered', false, true],
      ['2025-01-22T10:00:00+08:00', 'plan-submitted', false, true],
      ['2025-01-23T10:00:00+08:00', 'plan-accepted', false, true],
      ['2025-01-24T10:00:00+08:00', 'in-progress', true, true],
      ['2025-02-02T10:00:00+08:00', 'completed', true, true],
      ['2025-02-03T10:00:00+08:00', 'summary-submitted', true, true],
      ['2025-02-04T10:00:00+08:00', 'closed', true, true],
    ])
    expect(d.case).toMatchObject({ ordered: true, decisionNo: '辽市监召〔2025〕1号' })
    expect(d.case?.obligations.filter((o) => o.kind === 'submit-plan')).toHaveLength(1)
    expect(d.case?.timeline).toHaveLength(events.length)
  })
})
