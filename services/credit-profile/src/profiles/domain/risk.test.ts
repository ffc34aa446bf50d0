import { describe, expect, it } from 'vitest'
import { defaultProfileParams } from './params.js'
import { classOf } from './risk.js'
import { USCC, deriveAt, ev, filed, isoOf, penalty, profileAt, registered } from './testing/events.js'

const reg = registered('2020-05-10')
const reports = [2020, 2021, 2022, 2023, 2024].map((y) => filed(y, `${y + 1}-03-01T10:00:00+08:00`))
const base = [reg, ...reports]
const recall = { source: 'ecrs.recall' }

const factorsAt = (events: Parameters<typeof profileAt>[0], asOf = '2025-06-01') =>
  profileAt([...base, ...events], asOf).risk.factors.map((f) => [f.code, f.points, f.because.length])

describe('risk model v1', () => {
  it.each([
    [0, false, 'A'],
    [9, false, 'A'],
    [10, false, 'B'],
    [29, false, 'B'],
    [30, false, 'C'],
    [59, false, 'C'],
    [60, false, 'D'],
    [0, true, 'D'],
  ])('score %i with a serious listing %s is class %s', (score, serious, cls) => {
    expect(classOf(score, serious, defaultProfileParams.risk)).toBe(cls)
  })

  it('is A with nothing against the enterprise', () => {
    expect(profileAt(base, '2025-06-01').risk).toEqual({
      class: 'A',
      score: 0,
      modelVersion: 'v1',
      factors: [],
    })
  })

  it.each([1, 2, 3, 4])('counts %i active abnormal listings as 30 + 10 each, at most 50', (n) => {
    const listings = Array.from({ length: n }, (_, i) =>
      ev('abnormal-list.entered', `2025-0${i + 1}-10T10:00:00+08:00`, {
        listingId: `L-${i}`,
        reason: 'unreachable-at-address',
      }),
    )
    const p = profileAt([...base, ...listings], '2025-06-01')
    expect(p.risk.factors).toEqual([
      { code: 'abnormal-list-active', points: Math.min(50, 30 + 10 * (n - 1)), because: expect.any(Array) },
    ])
    expect(p.risk.class).toBe('C')
  })

  it.each([
    [{ measures: ['fine'], fineAmount: 1000 }, [['penalty', 10, 1]]],
    [{ measures: ['warning'] }, []],
    [{ measures: ['fine'], fineAmount: 1000, aggravated: true }, [['penalty-heavy', 25, 1]]],
    [{ measures: ['warning', 'license-revocation'] }, [['penalty-heavy', 25, 1]]],
    [{ measures: ['criticism'], procedure: 'simple' }, [['penalty', 10, 1]]],
  ])('scores a penalty %j as %j', (data, factors) => {
    expect(factorsAt([penalty('P-1', '2024-01-15T10:00:00+08:00', data)])).toEqual(factors)
  })

  it('does not score a revoked penalty', () => {
    const events = [
      penalty('P-1', '2024-01-15T10:00:00+08:00', { measures: ['suspension'] }),
      ev('penalty.revoked', '2024-02-15T10:00:00+08:00', { decisionNo: 'P-1' }),
    ]
    expect(factorsAt(events)).toEqual([])
  })

  it('counts a penalty for three years, the last day included', () => {
    const events = [...base, penalty('P-1', '2022-07-01T10:00:00+08:00', { measures: ['confiscation'] })]
    expect(profileAt(events, '2025-07-01T10:00:00+08:00').risk.score).toBe(10)
    const lastMoment = deriveAt(events, '2025-07-01T23:59:59+08:00')
    expect(lastMoment.profile?.risk.score).toBe(10)
    expect(lastMoment.nextChangeAt).toBe(isoOf('2025-07-02T00:00:00+08:00'))
    expect(profileAt(events, '2025-07-02T00:00:00+08:00').risk.score).toBe(0)
  })

  it.each([
    [['no-problem', 'problem-corrected'], []],
    [['no-relevant-business'], []],
    [['problem-pending'], [['inspection-failed', 10, 1]]],
    [['no-problem', 'non-cooperation'], [['inspection-failed', 20, 1]]],
  ])('scores inspection results %j as %j', (results, factors) => {
    const inspection = ev('inspection.recorded', '2024-01-15T10:00:00+08:00', {
      inspectionId: 'I-1',
      kind: 'random',
      results,
    })
    expect(factorsAt([inspection])).toEqual(factors)
  })

  it('forgets a failed inspection after two years', () => {
    const inspection = ev('inspection.recorded', '2023-06-01T10:00:00+08:00', {
      inspectionId: 'I-1',
      kind: 'random',
      results: ['false-information'],
    })
    expect(factorsAt([inspection], '2025-06-01T23:59:59+08:00')).toEqual([['inspection-failed', 10, 1]])
    expect(factorsAt([inspection], '2025-06-02T00:00:00+08:00')).toEqual([])
  })

  it('counts overdue recall obligations until fulfilled, and ordered recalls', () => {
    const status = ev(
      'recall.status-changed',
      '2024-03-01T10:00:00+08:00',
      { recallId: 'RC-1', status: 'ordered', published: false, ordered: true, productName: 'Kettle' },
      recall,
    )
    const overdue = (obligationId: string) =>
      ev(
        'recall.obligation-overdue',
        '2024-03-16T00:00:00+08:00',
        { recallId: 'RC-1', obligationId, kind: 'submit-plan', dueAt: '2024-03-16T00:00:00+08:00' },
        recall,
      )
    const fulfilled = ev(
      'recall.obligation-fulfilled',
      '2024-04-01T10:00:00+08:00',
      { recallId: 'RC-1', obligationId: 'O-1', kind: 'submit-plan', late: true },
      recall,
    )
    const events = [status, overdue('O-1'), overdue('O-2')]
    expect(factorsAt(events, '2024-03-20')).toEqual([
      ['recall-obligation-overdue', 30, 2],
      ['recall-ordered', 10, 1],
    ])
    const p = profileAt([...base, ...events, fulfilled], '2024-05-01')
    expect(p.risk.factors.map((f) => [f.code, f.points])).toEqual([
      ['recall-obligation-overdue', 15],
      ['recall-ordered', 10],
    ])
    expect(p.recalls).toEqual([
      {
        recallId: 'RC-1',
        status: 'ordered',
        published: false,
        ordered: true,
        productName: 'Kettle',
        overdueObligations: 1,
      },
    ])
  })

  it('a status corrected at the same instant does not restart the ordered window (found by the arrival-order property)', () => {
    const status = (time: string, step: string, ordered: boolean, generation?: number) =>
      ev(
        'recall.status-changed',
        time,
        {
          recallId: 'RC-1',
          status: ordered ? 'ordered' : 'initiated',
          published: true,
          ordered,
          step,
          ...(generation === undefined ? {} : { generation }),
        },
        { ...recall, id: `status:RC-1:${step}${generation === undefined ? '' : `:g${generation}`}` },
      )
    const orderedAt = status('2020-03-01T10:00:00+08:00', 'initiated', true)
    // Said first as "not ordered" at the plan, then corrected at that same instant: still ordered.
    const wrong = status('2021-06-01T10:00:00+08:00', 'plan-submitted', false)
    const corrected = status('2021-06-01T10:00:00+08:00', 'plan-submitted', true, 2)
    for (const order of [
      [orderedAt, wrong, corrected],
      [orderedAt, corrected, wrong],
      [corrected, wrong, orderedAt],
    ]) {
      // Three years from 2020-03-01, not from the correction's instant.
      expect(factorsAt(order, '2023-02-01')).toEqual([['recall-ordered', 10, 1]])
      expect(factorsAt(order, '2023-04-01')).toEqual([])
    }
  })

  it('refuses recall facts from anyone but the recall service', () => {
    const forged = ev('recall.obligation-overdue', '2024-03-16T00:00:00+08:00', {
      recallId: 'RC-1',
      obligationId: 'O-1',
      kind: 'submit-plan',
      dueAt: '2024-03-16T00:00:00+08:00',
    })
    const d = deriveAt([...base, forged], '2024-05-01')
    expect(d.outcomes.get(`samr.fj/${forged.id}`)).toEqual({
      status: 'rejected',
      reason: 'SOURCE_NOT_ALLOWED',
    })
    expect(d.profile?.risk.score).toBe(0)
  })

  it('counts a late report only while no listing for its year is active', () => {
    const history = [
      reg,
      ...reports.filter((r) => r.data['year'] !== 2022),
      filed(2022, '2023-07-02T10:00:00+08:00'),
    ]
    // Filed late on Sunday 2 July 2023, before the listing on Monday 3 July: the listing stands.
    expect(profileAt(history, '2023-08-01').risk.factors.map((f) => f.code)).toEqual(['abnormal-list-active'])
    const removed = ev('abnormal-list.removed', '2023-08-10T10:00:00+08:00', {
      listingId: `ar-missing:${USCC}:2022`,
    })
    expect(profileAt([...history, removed], '2023-09-01').risk).toMatchObject({
      class: 'A',
      score: 5,
      factors: [{ code: 'annual-report-late', points: 5 }],
    })
  })

  it('is D with a serious listing whatever the score', () => {
    const listed = ev('serious-list.entered', '2024-02-01T10:00:00+08:00', {
      listingId: 'S-1',
      basis: 'false-registration',
    })
    const p = profileAt([...base, listed], '2024-03-01')
    expect(p.risk).toMatchObject({
      class: 'D',
      score: 0,
      factors: [{ code: 'serious-list-active', points: 0 }],
    })
  })

  it('reaches C and D by adding factors', () => {
    const p1 = penalty('P-1', '2024-01-15T10:00:00+08:00', { measures: ['suspension'] })
    const p2 = penalty('P-2', '2024-02-15T10:00:00+08:00', {
      measures: ['fine'],
      fineAmount: 10,
      aggravated: true,
    })
    const p3 = penalty('P-3', '2024-03-15T10:00:00+08:00', { measures: ['criticism'] })
    expect(profileAt([...base, p1, p2], '2025-01-01').risk).toMatchObject({ class: 'C', score: 50 })
    expect(profileAt([...base, p1, p2, p3], '2025-01-01').risk).toMatchObject({ class: 'D', score: 60 })
  })
})
