import { RECALL_STATUSES } from '@ecrs/contracts'
import { describe, expect, it } from 'vitest'
import { checkTransition, judgeStep, statusAfter } from './status-machine.js'
import type { RecallStepType } from './steps.js'
import { AGENCY, FIRM, OTHER_FIRM, RECALL_ID } from './testing/case-events.js'
import type { RecallCase, RecallStatus } from './types.js'

const caseIn = (status: RecallStatus, extra: Partial<RecallCase> = {}): RecallCase => ({
  recallId: RECALL_ID,
  producer: { uscc: FIRM },
  product: { name: 'Kettle K1', category: 'consumer-product' },
  status,
  hazard: 'hot',
  ordered: status === 'ordered',
  unitsAffected: 100,
  unitsRemedied: 10,
  completionRate: 0.1,
  obligations: [],
  timeline: [],
  ...extra,
})

const STEPS = [
  'recall.plan-submitted',
  'recall.plan-accepted',
  'recall.plan-returned',
  'recall.notice-published',
  'recall.progress-reported',
  'recall.completed',
  'recall.summary-submitted',
  'recall.closed',
] as const satisfies readonly RecallStepType[]

// Rows: the case's status; columns: STEPS in order. ok = applied; T = RECALL_TRANSITION_INVALID;
// C = RECALL_CLOSED.
const ok = 'ok'
const T = 'RECALL_TRANSITION_INVALID'
const C = 'RECALL_CLOSED'
const MATRIX: Readonly<Record<RecallStatus, readonly string[]>> = {
  // plan-submitted, plan-accepted, plan-returned, notice-published, progress-reported, completed,
  // summary-submitted, closed
  initiated: [ok, T, T, T, T, T, T, ok],
  ordered: [ok, T, T, T, T, T, T, ok],
  'plan-submitted': [T, ok, ok, T, T, T, T, ok],
  'plan-accepted': [T, T, T, ok, T, T, T, ok],
  'plan-returned': [ok, T, T, T, T, T, T, ok],
  'in-progress': [T, T, T, T, ok, ok, T, ok],
  completed: [T, T, T, T, T, T, ok, ok],
  'summary-submitted': [T, T, T, T, T, T, T, ok],
  closed: [C, C, C, C, C, C, C, C],
}

const verdict = (c: RecallCase | undefined, type: string, party: 'firm' | 'agency' = 'agency'): string => {
  const check = judgeStep(c, { type, party, subject: FIRM, recallId: RECALL_ID })
  return check.ok ? ok : check.reason
}

describe('judgeStep: the status machine', () => {
  const rows = RECALL_STATUSES.flatMap((status) =>
    STEPS.map((type, i) => [status, type, MATRIX[status][i]] as const),
  )
  it('covers every status and step', () => {
    expect(rows).toHaveLength(RECALL_STATUSES.length * STEPS.length)
  })
  it.each(rows)('%s + %s → %s', (status, type, expected) => {
    expect(verdict(caseIn(status), type)).toBe(expected)
  })

  it.each(RECALL_STATUSES)('a second recall.initiated in %s → DUPLICATE_ENTITY', (status) => {
    expect(verdict(caseIn(status), 'recall.initiated')).toBe('DUPLICATE_ENTITY')
  })
  it.each(RECALL_STATUSES.filter((s) => s !== 'closed'))(
    'recall.ordered on a voluntary case in %s → ok',
    (status) => {
      expect(verdict(caseIn(status, { ordered: false }), 'recall.ordered')).toBe(ok)
    },
  )
  it.each([
    ['an ordered case', caseIn('ordered'), 'DUPLICATE_ENTITY'],
    ['a voluntary case ordered later', caseIn('in-progress', { ordered: true }), 'DUPLICATE_ENTITY'],
    ['a closed voluntary case', caseIn('closed', { ordered: false }), 'RECALL_CLOSED'],
  ])('recall.ordered on %s → %s', (_, c, expected) => {
    expect(verdict(c, 'recall.ordered')).toBe(expected)
  })
})

describe('judgeStep: existence, identity and rights', () => {
  it.each<[string, string]>([
    ['recall.initiated', ok],
    ['recall.ordered', ok],
    ...STEPS.map((type): [string, string] => [type, 'RECALL_NOT_FOUND']),
  ])('before the case exists, %s → %s', (type, expected) => {
    expect(verdict(undefined, type)).toBe(expected)
  })
  it.each(['recall.ordered', 'recall.plan-accepted', 'recall.plan-returned', 'recall.closed'])(
    'a firm source may not publish the agency step %s',
    (type) => {
      expect(verdict(caseIn('plan-submitted'), type, 'firm')).toBe('NOT_ALLOWED')
      expect(verdict(undefined, type, 'firm')).toBe('NOT_ALLOWED')
    },
  )
  it.each(['recall.plan-submitted', 'recall.initiated'])(
    'an agency may take the firm-side step %s',
    (type) => {
      expect(verdict(type === 'recall.initiated' ? undefined : caseIn('initiated'), type)).toBe(ok)
    },
  )
  it('a step about another producer → SUBJECT_MISMATCH', () => {
    const check = judgeStep(caseIn('initiated'), {
      type: 'recall.plan-submitted',
      party: 'firm',
      subject: OTHER_FIRM,
    })
    expect(check).toEqual({ ok: false, reason: 'SUBJECT_MISMATCH' })
  })
  it('a step naming another recall → RECALL_NOT_FOUND', () => {
    const check = judgeStep(caseIn('initiated'), {
      type: 'recall.plan-submitted',
      party: 'firm',
      recallId: 'R-2',
    })
    expect(check).toEqual({ ok: false, reason: 'RECALL_NOT_FOUND' })
  })
  it('a type outside §4.2 → EVENT_TYPE_UNKNOWN', () => {
    expect(verdict(caseIn('initiated'), 'recall.status-changed')).toBe('EVENT_TYPE_UNKNOWN')
  })
  it.each([
    ['recall.progress-reported', 9, 'UNITS_DECREASED'],
    ['recall.progress-reported', 10, ok],
    ['recall.progress-reported', 100, ok],
    ['recall.progress-reported', 101, 'UNITS_EXCEED_AFFECTED'],
    ['recall.completed', 9, 'UNITS_DECREASED'],
    ['recall.completed', 101, 'UNITS_EXCEED_AFFECTED'],
  ])('%s with %i units (10 so far, 100 affected) → %s', (type, unitsRemedied, expected) => {
    const check = judgeStep(caseIn('in-progress'), { type, party: 'firm', unitsRemedied })
    expect(check.ok ? ok : check.reason).toBe(expected)
  })
})

describe('statusAfter', () => {
  it.each([
    ['initiated', 'recall.plan-submitted', 'plan-submitted'],
    ['plan-returned', 'recall.plan-submitted', 'plan-submitted'],
    ['plan-submitted', 'recall.plan-accepted', 'plan-accepted'],
    ['plan-submitted', 'recall.plan-returned', 'plan-returned'],
    ['plan-accepted', 'recall.notice-published', 'in-progress'],
    ['in-progress', 'recall.progress-reported', 'in-progress'],
    ['in-progress', 'recall.completed', 'completed'],
    ['completed', 'recall.summary-submitted', 'summary-submitted'],
    ['completed', 'recall.closed', 'closed'],
    ['initiated', 'recall.ordered', 'ordered'],
    ['plan-accepted', 'recall.ordered', 'plan-accepted'],
  ] as const)('%s + %s → %s', (status, type, expected) => {
    expect(statusAfter(caseIn(status), type)).toBe(expected)
  })
})

describe('checkTransition (commands)', () => {
  const firm = { kind: 'firm', uscc: FIRM } as const
  const other = { kind: 'firm', uscc: OTHER_FIRM } as const
  const agency = { kind: 'agency', agency: AGENCY } as const
  it.each([
    ['the producer reports progress', caseIn('in-progress'), 'recall.progress-reported', firm, ok],
    [
      'another firm reports progress',
      caseIn('in-progress'),
      'recall.progress-reported',
      other,
      'SUBJECT_MISMATCH',
    ],
    [
      'the producer accepts its own plan',
      caseIn('plan-submitted'),
      'recall.plan-accepted',
      firm,
      'NOT_ALLOWED',
    ],
    ['the producer closes its case', caseIn('completed'), 'recall.closed', firm, 'NOT_ALLOWED'],
    ['an agency accepts the plan', caseIn('plan-submitted'), 'recall.plan-accepted', agency, ok],
    [
      'an agency reports progress for the firm',
      caseIn('in-progress'),
      'recall.progress-reported',
      agency,
      ok,
    ],
    ['progress before the notice', caseIn('plan-accepted'), 'recall.progress-reported', firm, T],
    ['a plan for a closed case', caseIn('closed'), 'recall.plan-submitted', firm, C],
    ['a second close', caseIn('closed'), 'recall.closed', agency, C],
    ['a firm opens a recall', undefined, 'recall.initiated', firm, ok],
    ['an agency orders a recall', undefined, 'recall.ordered', agency, ok],
    ['a firm orders a recall', undefined, 'recall.ordered', firm, 'NOT_ALLOWED'],
    ['progress on no case', undefined, 'recall.progress-reported', firm, 'RECALL_NOT_FOUND'],
  ] as const)('%s → %s', (_, c, type, actor, expected) => {
    const check = checkTransition(c, type, actor)
    expect(check.ok ? ok : check.reason).toBe(expected)
  })
  it('checks the units of a progress command when given its data', () => {
    expect(
      checkTransition(caseIn('in-progress'), 'recall.progress-reported', firm, { unitsRemedied: 5 }),
    ).toEqual({
      ok: false,
      reason: 'UNITS_DECREASED',
    })
    expect(checkTransition(caseIn('in-progress'), 'recall.completed', firm, { unitsRemedied: 100 })).toEqual({
      ok: true,
    })
  })
})
