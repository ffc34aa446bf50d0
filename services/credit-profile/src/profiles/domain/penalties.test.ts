import { describe, expect, it } from 'vitest'
import { heaviestMeasure } from './penalties.js'
import { deriveAt, ev, isoOf, penalty, profileAt, registered } from './testing/events.js'

const reg = registered('2020-05-10')
const individual = registered('2020-05-10', { kind: 'individual' })
const decided = '2024-01-15T10:00:00+08:00'
const threeMonths = isoOf('2024-04-16T00:00:00+08:00')
const threeYears = isoOf('2027-01-16T00:00:00+08:00')

describe('penalty publicity (Order 45)', () => {
  it.each([
    ['a warning alone', reg, { measures: ['warning'] }, undefined],
    ['a simple-procedure fine', reg, { measures: ['fine'], fineAmount: 200, procedure: 'simple' }, undefined],
    ['criticism', reg, { measures: ['criticism'] }, threeMonths],
    ['a warning beside criticism', reg, { measures: ['warning', 'criticism'] }, threeMonths],
    ['a fine of 99 999.99', reg, { measures: ['fine'], fineAmount: 99_999.99 }, threeMonths],
    ['a fine of 100 000', reg, { measures: ['fine'], fineAmount: 100_000 }, threeYears],
    ['a warning beside a small fine', reg, { measures: ['warning', 'fine'], fineAmount: 5000 }, threeMonths],
    [
      'a small fine with confiscation',
      reg,
      { measures: ['fine', 'confiscation'], fineAmount: 5000 },
      threeYears,
    ],
    [
      'criticism with a large fine',
      reg,
      { measures: ['criticism', 'fine'], fineAmount: 200_000 },
      threeYears,
    ],
    ['an individual fined 9 999.99', individual, { measures: ['fine'], fineAmount: 9_999.99 }, threeMonths],
    ['an individual fined 10 000', individual, { measures: ['fine'], fineAmount: 10_000 }, threeYears],
    ['a suspension', reg, { measures: ['suspension'] }, threeYears],
    [
      'a restriction ending after three years',
      reg,
      { measures: ['business-restriction'], restrictionEndsAt: '2028-05-31' },
      isoOf('2028-06-01T00:00:00+08:00'),
    ],
    [
      'a restriction ending before three years',
      reg,
      { measures: ['business-restriction'], restrictionEndsAt: '2025-05-31' },
      threeYears,
    ],
  ])('%s: published until %s', (_, registration, data, until) => {
    const p = profileAt([registration, penalty('P-1', decided, data)], '2024-02-01')
    expect(p.penalties[0]?.publicity).toEqual(
      until === undefined ? { published: false, ended: false } : { published: true, until, ended: false },
    )
  })

  it('ends at the end instant exactly, by expiry', () => {
    const history = [reg, penalty('P-1', decided, { measures: ['criticism'] })]
    expect(profileAt(history, '2024-04-15T23:59:59+08:00').penalties[0]?.publicity.ended).toBe(false)
    expect(profileAt(history, '2024-04-16T00:00:00+08:00').penalties[0]?.publicity).toEqual({
      published: true,
      until: threeMonths,
      ended: true,
      endedBy: 'expiry',
    })
  })

  it('ends at once when the deciding agency revokes it', () => {
    const revoked = ev('penalty.revoked', '2024-03-01T10:00:00+08:00', { decisionNo: 'P-1' })
    const history = [reg, penalty('P-1', decided, { measures: ['confiscation'] }), revoked]
    const p = profileAt(history, '2024-03-02')
    expect(p.penalties[0]).toMatchObject({
      revoked: true,
      publicity: {
        published: true,
        until: isoOf('2024-03-01T10:00:00+08:00'),
        ended: true,
        endedBy: 'revoked',
      },
    })
  })

  it.each([
    ['another agency', { source: 'samr.xm' }, { decisionNo: 'P-1' }, 'NOT_DECIDING_AGENCY'],
    ['an unknown decision', {}, { decisionNo: 'P-9' }, 'PENALTY_NOT_FOUND'],
  ])('refuses a revocation by %s', (_, options, data, reason) => {
    const revoked = ev('penalty.revoked', '2024-03-01T10:00:00+08:00', data, options)
    const d = deriveAt([reg, penalty('P-1', decided, { measures: ['criticism'] }), revoked], '2024-03-02')
    expect(d.outcomes.get(`${revoked.source}/${revoked.id}`)).toEqual({ status: 'rejected', reason })
    expect(d.profile?.penalties[0]?.revoked).toBe(false)
  })

  it('refuses a second decision with the same number', () => {
    const second = penalty('P-1', '2024-02-01T10:00:00+08:00', { measures: ['warning'] })
    const d = deriveAt([reg, penalty('P-1', decided, { measures: ['criticism'] }), second], '2024-03-02')
    expect(d.outcomes.get(`samr.fj/${second.id}`)).toEqual({ status: 'rejected', reason: 'DUPLICATE_ENTITY' })
    expect(d.profile?.penalties).toHaveLength(1)
  })

  it.each([
    [['warning'], 'warning'],
    [['fine', 'warning', 'criticism'], 'fine'],
    [['closure', 'confiscation'], 'closure'],
    [['practice-ban', 'license-revocation'], 'practice-ban'],
  ])('the heaviest of %j is %s', (measures, heaviest) => {
    expect(heaviestMeasure(measures)).toBe(heaviest)
  })
})
