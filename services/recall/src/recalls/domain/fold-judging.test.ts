import { describe, expect, it } from 'vitest'
import { eventKey } from './order.js'
import {
  AGENCY,
  FIRM,
  OTHER_FIRM,
  deriveAt,
  endOf,
  justAfter,
  step,
  upToNotice,
} from './testing/case-events.js'
import type { CaseEvent } from './types.js'

const published = [
  step('recall.initiated', '2025-01-20T10:00:00+08:00'),
  step('recall.plan-submitted', '2025-01-22T10:00:00+08:00'),
  step('recall.plan-accepted', '2025-01-23T10:00:00+08:00'),
  step('recall.notice-published', '2025-01-24T10:00:00+08:00'),
  step('recall.progress-reported', '2025-02-01T10:00:00+08:00', { data: { unitsRemedied: 100 } }),
]
const accepted = published.slice(0, 3)
const closed = [...published, step('recall.closed', '2025-02-05T10:00:00+08:00')]
const LATER = '2025-02-10T10:00:00+08:00'
const AS_OF = '2025-02-20'

describe('a rejected step changes nothing', () => {
  it.each([
    [
      'progress before any notice',
      accepted,
      step('recall.progress-reported', LATER),
      'RECALL_TRANSITION_INVALID',
    ],
    ['a second initiation', published, step('recall.initiated', LATER), 'DUPLICATE_ENTITY'],
    ['a second close', closed, step('recall.closed', LATER), 'RECALL_CLOSED'],
    ['a plan for a closed case', closed, step('recall.plan-submitted', LATER), 'RECALL_CLOSED'],
    [
      'a summary before completion',
      published,
      step('recall.summary-submitted', LATER),
      'RECALL_TRANSITION_INVALID',
    ],
    [
      'a step by another firm',
      published,
      step('recall.progress-reported', LATER, { source: `firm:${OTHER_FIRM}`, subject: OTHER_FIRM }),
      'SUBJECT_MISMATCH',
    ],
    [
      'an agency step from a firm source',
      published,
      step('recall.closed', LATER, { source: `firm:${FIRM}` }),
      'NOT_ALLOWED',
    ],
    [
      'units going down',
      published,
      step('recall.progress-reported', LATER, { data: { unitsRemedied: 99 } }),
      'UNITS_DECREASED',
    ],
    [
      'more units than affected',
      published,
      step('recall.completed', LATER, { data: { unitsRemedied: 1001 } }),
      'UNITS_EXCEED_AFFECTED',
    ],
    [
      'data without units',
      published,
      step('recall.progress-reported', LATER, { data: { unitsRemedied: 'many' } }),
      'EVENT_INVALID',
    ],
    [
      'another recall',
      published,
      step('recall.progress-reported', LATER, { data: { recallId: 'R-9' } }),
      'RECALL_NOT_FOUND',
    ],
    [
      'a type outside §4.2',
      published,
      { ...step('recall.closed', LATER), type: 'recall.reopened' },
      'EVENT_TYPE_UNKNOWN',
    ],
    [
      'a time that is not an instant',
      published,
      { ...step('recall.closed', LATER), time: '2025-02-30T10:00:00+08:00' },
      'EVENT_INVALID',
    ],
  ] as const)('%s → %s', (_, history, bad, reason) => {
    const before = deriveAt(history, AS_OF)
    const after = deriveAt([...history, bad], AS_OF)
    expect(after.outcomes.get(eventKey(bad))).toEqual({ status: 'rejected', reason })
    expect(after.case).toEqual(before.case)
    expect(after.decisions).toEqual(before.decisions)
  })

  it.each(['recall.plan-submitted', 'recall.progress-reported', 'recall.closed'] as const)(
    '%s before the case exists → RECALL_NOT_FOUND, and the case opens later all the same',
    (type) => {
      const early = step(type, '2025-01-19T10:00:00+08:00')
      const d = deriveAt([early, published[0] as CaseEvent], AS_OF)
      expect(d.outcomes.get(eventKey(early))).toEqual({ status: 'rejected', reason: 'RECALL_NOT_FOUND' })
      expect(d.case?.status).toBe('initiated')
    },
  )

  it('a back-dated notice arriving later turns a rejected progress report into an applied one', () => {
    const progress = step('recall.progress-reported', '2025-02-01T10:00:00+08:00', {
      data: { unitsRemedied: 5 },
    })
    const notice = step('recall.notice-published', '2025-01-24T10:00:00+08:00', {
      recordedAt: '2025-03-01T00:00:00Z',
    })
    expect(deriveAt([...accepted, progress], AS_OF).outcomes.get(eventKey(progress))?.status).toBe('rejected')
    const d = deriveAt([...accepted, progress, notice], AS_OF)
    expect(d.outcomes.get(eventKey(progress))).toEqual({ status: 'applied' })
    expect(d.case?.unitsRemedied).toBe(5)
  })
})

describe('order and asOf', () => {
  it('equal times apply in recordedAt order', () => {
    const time = '2025-01-24T10:00:00+08:00'
    const notice = (recordedAt: string) => step('recall.notice-published', time, { recordedAt })
    const progress = (recordedAt: string) =>
      step('recall.progress-reported', time, { recordedAt, data: { unitsRemedied: 1 } })
    const first = deriveAt(
      [...accepted, progress('2025-01-24T03:00:00Z'), notice('2025-01-24T02:00:00Z')],
      AS_OF,
    )
    expect(first.case?.unitsRemedied).toBe(1)
    const second = deriveAt(
      [...accepted, progress('2025-01-24T02:00:00Z'), notice('2025-01-24T03:00:00Z')],
      AS_OF,
    )
    expect(second.case?.unitsRemedied).toBe(0)
  })

  it('only events with time ≤ asOf count; a later one gets no outcome yet and sets nextChangeAt', () => {
    const late = step('recall.progress-reported', '2025-02-03T10:00:00+08:00', {
      data: { unitsRemedied: 200 },
    })
    const d = deriveAt([...published, late], '2025-02-02T00:00:00+08:00')
    expect(d.case?.unitsRemedied).toBe(100)
    expect(d.outcomes.has(eventKey(late))).toBe(false)
    expect(d.nextChangeAt).toBe(new Date('2025-02-03T10:00:00+08:00').toISOString())
  })

  it('a duplicate (source, id) counts once', () => {
    const d = deriveAt([...published, published[4] as CaseEvent], AS_OF)
    expect(d.case?.timeline).toHaveLength(published.length)
  })

  it('no case, nothing to publish, until an opening step applies', () => {
    const d = deriveAt([], AS_OF)
    expect(d).toEqual({ case: undefined, outcomes: new Map(), statuses: [], decisions: [] })
  })
})

describe('nextChangeAt', () => {
  it.each([
    // Time changes the case just after a due instant: at the instant itself a step is still on time.
    [
      'after the opening: the plan is due',
      published.slice(0, 1),
      '2025-01-21',
      justAfter(endOf('2025-02-08')),
    ],
    // Accepted 23 Jan: 3 WD is 24:00 27 Jan (the make-up Sunday 26 Jan counts).
    ['after the acceptance: the notice is due', accepted, '2025-01-24', justAfter(endOf('2025-01-27'))],
    ['while in progress: the period ends', published, AS_OF, justAfter(endOf('2025-04-24'))],
    ['closed: time changes nothing', closed, AS_OF, undefined],
  ])('%s', (_, history, asOf, expected) => {
    expect(deriveAt(history, asOf).nextChangeAt).toBe(expected)
  })

  it('a period ends and the next begins just after: nextChangeAt moves on', () => {
    const history = upToNotice('2025-01-15T10:00:00+08:00')
    expect(deriveAt(history, endOf('2025-04-15')).nextChangeAt).toBe(justAfter(endOf('2025-04-15')))
    expect(deriveAt(history, justAfter(endOf('2025-04-15'))).nextChangeAt).toBe(
      justAfter(endOf('2025-07-15')),
    )
  })
})

// A small deterministic PRNG (mulberry32), so a failing shuffle can be replayed.
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
const shuffle = <T>(items: readonly T[], seed: number): T[] => {
  const next = random(seed)
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1))
    ;[out[i], out[j]] = [out[j] as T, out[i] as T]
  }
  return out
}

describe('arrival order does not matter', () => {
  const history: CaseEvent[] = [
    step('recall.plan-submitted', '2025-01-19T10:00:00+08:00', { id: 'too-early' }),
    step('recall.initiated', '2025-01-20T10:00:00+08:00', { recordedAt: '2025-06-01T00:00:00Z' }),
    step('recall.ordered', '2025-01-21T10:00:00+08:00', { source: AGENCY }),
    step('recall.plan-submitted', '2025-02-10T10:00:00+08:00'),
    step('recall.plan-returned', '2025-02-11T10:00:00+08:00'),
    step('recall.plan-submitted', '2025-02-12T10:00:00+08:00'),
    step('recall.plan-accepted', '2025-02-13T10:00:00+08:00'),
    step('recall.progress-reported', '2025-02-14T10:00:00+08:00', { id: 'before-notice' }),
    step('recall.notice-published', '2025-02-20T10:00:00+08:00'),
    step('recall.progress-reported', '2025-02-20T10:00:00+08:00', {
      recordedAt: '2025-02-20T03:00:00Z',
      data: { unitsRemedied: 10 },
    }),
    step('recall.progress-reported', '2025-09-01T10:00:00+08:00', { data: { unitsRemedied: 5 } }),
    step('recall.progress-reported', '2025-09-02T10:00:00+08:00', { data: { unitsRemedied: 400 } }),
    step('recall.completed', '2025-10-01T10:00:00+08:00', { data: { unitsRemedied: 900 } }),
    step('recall.closed', '2026-01-05T10:00:00+08:00'),
    step('recall.closed', '2026-01-06T10:00:00+08:00'),
  ]

  it.each([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])('shuffle %i gives the same derivation', (seed) => {
    for (const asOf of ['2025-03-01', '2025-12-01', '2026-06-01']) {
      expect(deriveAt(shuffle(history, seed), asOf)).toEqual(deriveAt(history, asOf))
    }
  })

  it('the history itself is a meaningful one', () => {
    const d = deriveAt(history, '2026-06-01')
    const rejected = [...d.outcomes].filter(([, o]) => o.status === 'rejected').map(([k, o]) => [k, o.reason])
    expect(rejected).toEqual([
      [`firm:${FIRM}/too-early`, 'RECALL_NOT_FOUND'],
      [`firm:${FIRM}/before-notice`, 'RECALL_TRANSITION_INVALID'],
      [`firm:${FIRM}/progress-reported@2025-09-01T10:00:00+08:00`, 'UNITS_DECREASED'],
      [`${AGENCY}/closed@2026-01-06T10:00:00+08:00`, 'RECALL_CLOSED'],
    ])
    expect(d.case).toMatchObject({ status: 'closed', ordered: true, unitsRemedied: 900, completionRate: 0.9 })
  })
})
