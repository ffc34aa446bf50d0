import type { Change } from '@ecrs/contracts'
import { describe, expect, it } from 'vitest'
import { overdueOnly, profileChanges, profileFacts, type ProfileFacts } from './changes.js'
import { LISTING_MEASURES } from './restrictions.js'
import { USCC, at, deriveAt, ev, filed, isoOf, penalty, registered } from './testing/events.js'
import type { HistoryEvent } from './types.js'

const reg = registered('2020-05-10')
const reports = [2020, 2021, 2022, 2023, 2024].map((y) => filed(y, `${y + 1}-03-01T10:00:00+08:00`))
const base = [reg, ...reports]
const recall = { source: 'ecrs.recall' }

/** The stored side: the profile derived at `asOf` with its overdue obligations, as a document keeps it. */
const stored = (history: readonly HistoryEvent[], asOf: string): ProfileFacts | undefined => {
  const d = deriveAt(history, asOf)
  return d.profile === undefined ? undefined : { profile: d.profile, obligations: overdueOnly(d.obligations) }
}

/**
 * The changes of an update as the projector computes them: `history` as stored at `since` (none:
 * a brand-new enterprise), `fresh` arriving, the new profile at `asOf`.
 */
const update = (
  history: readonly HistoryEvent[],
  since: string | undefined,
  fresh: readonly HistoryEvent[],
  asOf: string,
) =>
  profileChanges(
    since === undefined ? undefined : stored(history, since),
    profileFacts(deriveAt([...history, ...fresh], asOf)),
    { now: at(asOf), eventTimes: fresh.map((e) => e.time) },
  )

const listingMeasures = (kind: 'restriction-started' | 'restriction-ended', since?: string): Change[] =>
  LISTING_MEASURES.map((measure) =>
    kind === 'restriction-started' ? { kind, measure, since: since ?? '' } : { kind, measure },
  )

const T = '2025-02-01T10:00:00+08:00'
const unreachable = ev('abnormal-list.entered', T, { listingId: 'A-1', reason: 'unreachable-at-address' })
const cured = ev('abnormal-list.removed', '2025-04-01T10:00:00+08:00', { listingId: 'A-1', reason: 'cured' })
const serious = ev('serious-list.entered', T, { listingId: 'S-1', basis: 'false-registration' })
// Listed 1 Feb 2025: three years end at 24:00 on 1 Feb 2028.
const seriousEnds = isoOf('2028-02-02T00:00:00+08:00')
const fine = penalty('P-1', T, { measures: ['fine'], fineAmount: 200_000 })
const criticism = penalty('P-2', T, { measures: ['criticism'] })
const status = ev(
  'recall.status-changed',
  T,
  { recallId: 'RC-1', status: 'initiated', published: true, ordered: false, productName: 'Kettle' },
  recall,
)
const due = '2025-03-16T00:00:00+08:00'
const overdue = ev(
  'recall.obligation-overdue',
  due,
  { recallId: 'RC-1', obligationId: 'O-1', kind: 'submit-plan', dueAt: due },
  recall,
)

describe('profile changes (contract §8)', () => {
  describe('nothing of §8 changed: no change', () => {
    it('at the same instant', () => {
      expect(update(base, '2025-01-01', [], '2025-01-01')).toEqual([])
    })

    it('after a while, with nothing that ends by time', () => {
      expect(update([...base, unreachable], '2025-03-01', [], '2025-12-01')).toEqual([])
    })

    it('for an event that touches none of the facts the feed reports', () => {
      const inspection = ev('inspection.recorded', T, {
        inspectionId: 'I-1',
        kind: 'random',
        results: ['no-problem'],
      })
      const renamed = ev('enterprise.changed', T, { name: 'Fuzhou Acme Holdings' })
      expect(update(base, '2025-01-01', [inspection, renamed], '2025-03-01')).toEqual([])
    })

    it('while the enterprise is not registered', () => {
      expect(update([], undefined, [unreachable], '2025-03-01')).toEqual([])
    })
  })

  it('reports a brand-new enterprise as registered, with its first risk class', () => {
    expect(update([], undefined, [reg], '2020-06-01')).toEqual([
      {
        time: isoOf('2020-05-10T09:00:00+08:00'),
        changes: [{ kind: 'registered' }, { kind: 'risk-class-changed', from: null, to: 'A' }],
      },
    ])
  })

  it('reports everything a brand-new enterprise brings at once, each at its own instant', () => {
    expect(update([], undefined, [...base, fine], '2025-03-01')).toEqual([
      { time: isoOf('2020-05-10T09:00:00+08:00'), changes: [{ kind: 'registered' }] },
      { time: isoOf(T), changes: [{ kind: 'penalty-published', decisionNo: 'P-1', until: seriousEnds }] },
      // The risk class names no instant: the latest of the update (the 2024 report, filed on 1 March).
      {
        time: isoOf('2025-03-01T10:00:00+08:00'),
        changes: [{ kind: 'risk-class-changed', from: null, to: 'B' }],
      },
    ])
  })

  it('reports a deregistration at its event time', () => {
    const dereg = ev('enterprise.deregistered', T, {})
    expect(update(base, '2025-01-01', [dereg], '2025-03-01')).toEqual([
      { time: isoOf(T), changes: [{ kind: 'deregistered' }] },
    ])
  })

  it('reports an abnormal listing with the restrictions it brings and the new risk class', () => {
    expect(update(base, '2025-01-01', [unreachable], '2025-03-01')).toEqual([
      {
        time: isoOf(T),
        changes: [
          { kind: 'abnormal-listed', listingId: 'A-1', reason: 'unreachable-at-address' },
          ...listingMeasures('restriction-started', isoOf(T)),
          { kind: 'risk-class-changed', from: 'A', to: 'C' },
        ],
      },
    ])
  })

  it('gives the year of a listing for a missing report', () => {
    const listing = ev('abnormal-list.entered', T, {
      listingId: 'A-2',
      reason: 'annual-report-not-filed',
      year: 2024,
    })
    expect(update(base, '2025-01-01', [listing], '2025-03-01')[0]?.changes[0]).toEqual({
      kind: 'abnormal-listed',
      listingId: 'A-2',
      reason: 'annual-report-not-filed',
      year: 2024,
    })
  })

  it('reports a removal with its reason, the restrictions that end with it and the new risk class', () => {
    expect(update([...base, unreachable], '2025-03-01', [cured], '2025-05-01')).toEqual([
      {
        time: isoOf('2025-04-01T10:00:00+08:00'),
        changes: [
          { kind: 'abnormal-removed', listingId: 'A-1', removalReason: 'cured' },
          ...listingMeasures('restriction-ended'),
          { kind: 'risk-class-changed', from: 'C', to: 'A' },
        ],
      },
    ])
  })

  it('reports a listing that arrives already removed as listed and removed, and no restriction', () => {
    expect(update(base, '2025-01-01', [unreachable, cured], '2025-05-01')).toEqual([
      {
        time: isoOf(T),
        changes: [{ kind: 'abnormal-listed', listingId: 'A-1', reason: 'unreachable-at-address' }],
      },
      {
        time: isoOf('2025-04-01T10:00:00+08:00'),
        changes: [{ kind: 'abnormal-removed', listingId: 'A-1', removalReason: 'cured' }],
      },
    ])
  })

  it('reports system listings voided by a back-dated report as removed (voided), at its time', () => {
    // The 2020 report was never filed: listed on 1 July 2021 (the first working day after 30 June),
    // escalated three years later; the report, filed on time after all, voids both.
    const history = [reg, ...reports.slice(1)]
    const before = stored(history, '2025-01-01')
    expect(before?.profile.abnormalListings.map((l) => l.listingId)).toEqual([`ar-missing:${USCC}:2020`])
    expect(before?.profile.risk.class).toBe('D')
    const onTime = filed(2020, '2021-06-01T10:00:00+08:00')
    expect(update(history, '2025-01-01', [onTime], '2025-01-01')).toEqual([
      {
        time: isoOf('2021-06-01T10:00:00+08:00'),
        changes: [
          { kind: 'abnormal-removed', listingId: `ar-missing:${USCC}:2020`, removalReason: 'voided' },
          {
            kind: 'serious-removed',
            listingId: `abn3y:${USCC}:ar-missing:${USCC}:2020`,
            removalReason: 'voided',
          },
          ...listingMeasures('restriction-ended'),
          { kind: 'restriction-ended', measure: 'legal-representative-ban' },
          { kind: 'risk-class-changed', from: 'D', to: 'A' },
        ],
      },
    ])
  })

  it('reports a serious listing with its end, the restrictions and the ban it brings', () => {
    expect(update(base, '2025-01-01', [serious], '2025-03-01')).toEqual([
      {
        time: isoOf(T),
        changes: [
          { kind: 'serious-listed', listingId: 'S-1', basis: 'false-registration', endsAt: seriousEnds },
          ...listingMeasures('restriction-started', isoOf(T)),
          {
            kind: 'restriction-started',
            measure: 'legal-representative-ban',
            since: isoOf(T),
            until: seriousEnds,
          },
          { kind: 'risk-class-changed', from: 'A', to: 'D' },
        ],
      },
    ])
  })

  it('reports the expiry of a serious listing by time alone, at its end', () => {
    const later = [2025, 2026].map((y) => filed(y, `${y + 1}-03-01T10:00:00+08:00`))
    expect(update([...base, ...later, serious], '2027-12-01', [], '2028-03-01')).toEqual([
      {
        time: seriousEnds,
        changes: [
          { kind: 'serious-removed', listingId: 'S-1', removalReason: 'expired' },
          ...listingMeasures('restriction-ended'),
          { kind: 'restriction-ended', measure: 'legal-representative-ban' },
          { kind: 'risk-class-changed', from: 'D', to: 'A' },
        ],
      },
    ])
  })

  it('says a restriction again when its terms change: a second serious listing extends the ban', () => {
    const second = ev('serious-list.entered', '2026-01-10T10:00:00+08:00', {
      listingId: 'S-2',
      basis: 'false-registration',
    })
    const ends = isoOf('2029-01-11T00:00:00+08:00')
    expect(update([...base, serious], '2025-03-01', [second], '2026-02-01')).toEqual([
      {
        time: isoOf('2026-01-10T10:00:00+08:00'),
        changes: [
          { kind: 'serious-listed', listingId: 'S-2', basis: 'false-registration', endsAt: ends },
          { kind: 'restriction-started', measure: 'legal-representative-ban', since: isoOf(T), until: ends },
        ],
      },
    ])
  })

  it('reports the removal of a serious listing, while its ban runs on', () => {
    const repaired = ev('serious-list.removed', '2026-03-01T10:00:00+08:00', {
      listingId: 'S-1',
      reason: 'credit-repair',
    })
    expect(update([...base, serious], '2025-03-01', [repaired], '2026-04-01')).toEqual([
      {
        time: isoOf('2026-03-01T10:00:00+08:00'),
        changes: [
          { kind: 'serious-removed', listingId: 'S-1', removalReason: 'credit-repair' },
          ...listingMeasures('restriction-ended'),
          { kind: 'risk-class-changed', from: 'D', to: 'A' },
        ],
      },
    ])
  })

  it('reports a penalty published, until the end of its publicity', () => {
    expect(update(base, '2025-01-01', [fine], '2025-03-01')).toEqual([
      {
        time: isoOf(T),
        changes: [
          { kind: 'penalty-published', decisionNo: 'P-1', until: seriousEnds },
          { kind: 'risk-class-changed', from: 'A', to: 'B' },
        ],
      },
    ])
  })

  it('reports nothing for a penalty that is never published, but its risk', () => {
    const warning = penalty('P-3', T, { measures: ['warning', 'suspension'], procedure: 'simple' })
    expect(update(base, '2025-01-01', [warning], '2025-03-01')).toEqual([
      { time: isoOf(T), changes: [{ kind: 'risk-class-changed', from: 'A', to: 'B' }] },
    ])
  })

  it('reports the end of publicity by time alone, at its end', () => {
    // Criticism: three months, to 24:00 on 1 May 2025.
    expect(update([...base, criticism], '2025-03-01', [], '2025-06-01')).toEqual([
      {
        time: isoOf('2025-05-02T00:00:00+08:00'),
        changes: [{ kind: 'penalty-publicity-ended', decisionNo: 'P-2', endedBy: 'expiry' }],
      },
    ])
  })

  it('reports the end of publicity by revocation, at the revocation', () => {
    const revoked = ev('penalty.revoked', '2025-04-01T10:00:00+08:00', { decisionNo: 'P-1' })
    expect(update([...base, fine], '2025-03-01', [revoked], '2025-05-01')).toEqual([
      {
        time: isoOf('2025-04-01T10:00:00+08:00'),
        changes: [
          { kind: 'penalty-publicity-ended', decisionNo: 'P-1', endedBy: 'revoked' },
          { kind: 'risk-class-changed', from: 'B', to: 'A' },
        ],
      },
    ])
  })

  it('reports the end of publicity by credit repair, at the approval', () => {
    const old = penalty('P-4', '2024-01-15T10:00:00+08:00', { measures: ['fine'], fineAmount: 500_000 })
    const applied = ev(
      'credit-repair.applied',
      '2024-03-01T10:00:00+08:00',
      { repairId: 'R-1', target: { kind: 'penalty', ref: 'P-4' } },
      { source: `firm:${USCC}` },
    )
    const approved = ev('credit-repair.decided', '2024-08-01T10:00:00+08:00', {
      repairId: 'R-1',
      decision: 'approved',
    })
    const history = [reg, ...reports.slice(0, 4), old, applied]
    expect(update(history, '2024-07-01', [approved], '2024-09-01')).toEqual([
      {
        time: isoOf('2024-08-01T10:00:00+08:00'),
        changes: [{ kind: 'penalty-publicity-ended', decisionNo: 'P-4', endedBy: 'credit-repair' }],
      },
    ])
  })

  it('reports a penalty published again when a back-dated listing makes its repair ineligible', () => {
    const old = penalty('P-4', '2024-01-15T10:00:00+08:00', { measures: ['fine'], fineAmount: 500_000 })
    const applied = ev(
      'credit-repair.applied',
      '2024-03-01T10:00:00+08:00',
      { repairId: 'R-1', target: { kind: 'penalty', ref: 'P-4' } },
      { source: `firm:${USCC}` },
    )
    const approved = ev('credit-repair.decided', '2024-08-01T10:00:00+08:00', {
      repairId: 'R-1',
      decision: 'approved',
    })
    const listed = '2024-07-01T10:00:00+08:00'
    const listing = ev('abnormal-list.entered', listed, {
      listingId: 'A-9',
      reason: 'unreachable-at-address',
    })
    const history = [reg, ...reports.slice(0, 4), old, applied, approved]
    expect(update(history, '2024-09-01', [listing], '2024-09-01')).toEqual([
      {
        time: isoOf(listed),
        changes: [
          { kind: 'abnormal-listed', listingId: 'A-9', reason: 'unreachable-at-address' },
          ...listingMeasures('restriction-started', isoOf(listed)),
          // Published again: at the update's instant, not at the decision (that change was said once).
          { kind: 'penalty-published', decisionNo: 'P-4', until: isoOf('2027-01-16T00:00:00+08:00') },
          { kind: 'risk-class-changed', from: 'B', to: 'C' },
        ],
      },
    ])
  })

  it('says the listing measures again when the earliest listing goes and a later one stays', () => {
    const second = ev('abnormal-list.entered', '2025-03-01T10:00:00+08:00', {
      listingId: 'A-3',
      reason: 'false-information',
    })
    expect(update([...base, unreachable, second], '2025-03-10', [cured], '2025-05-01')).toEqual([
      {
        time: isoOf('2025-04-01T10:00:00+08:00'),
        changes: [
          { kind: 'abnormal-removed', listingId: 'A-1', removalReason: 'cured' },
          ...listingMeasures('restriction-started', isoOf('2025-03-01T10:00:00+08:00')),
        ],
      },
    ])
  })

  it('reports a back-dated penalty whose publicity has already ended as published and ended', () => {
    const old = penalty('P-5', '2024-01-15T10:00:00+08:00', { measures: ['criticism'] })
    const until = isoOf('2024-04-16T00:00:00+08:00')
    expect(update(base, '2025-01-01', [old], '2025-01-01')).toEqual([
      {
        time: isoOf('2024-01-15T10:00:00+08:00'),
        changes: [{ kind: 'penalty-published', decisionNo: 'P-5', until }],
      },
      {
        time: until,
        changes: [
          { kind: 'penalty-publicity-ended', decisionNo: 'P-5', endedBy: 'expiry' },
          { kind: 'risk-class-changed', from: 'A', to: 'B' },
        ],
      },
    ])
  })

  it('reports a recall published, at the time of the status that says so', () => {
    expect(update(base, '2025-01-01', [status], '2025-03-01')).toEqual([
      { time: isoOf(T), changes: [{ kind: 'recall-published', recallId: 'RC-1' }] },
    ])
    const unpublished = { ...status, id: 'st-0', data: { ...status.data, published: false } }
    expect(update(base, '2025-01-01', [unpublished], '2025-03-01')).toEqual([])
  })

  it('reports an obligation overdue at its due instant', () => {
    expect(update([...base, status], '2025-03-01', [overdue], '2025-04-01')).toEqual([
      {
        time: isoOf(due),
        changes: [
          { kind: 'recall-obligation-overdue', recallId: 'RC-1', obligationId: 'O-1' },
          { kind: 'risk-class-changed', from: 'A', to: 'B' },
        ],
      },
    ])
  })

  it('reports an overdue obligation settled when fulfilled late, or voided', () => {
    const fulfilled = ev(
      'recall.obligation-fulfilled',
      '2025-04-10T10:00:00+08:00',
      { recallId: 'RC-1', obligationId: 'O-1', kind: 'submit-plan', late: true },
      recall,
    )
    const voided = ev(
      'recall.obligation-voided',
      due,
      { recallId: 'RC-1', obligationId: 'O-1', reason: 'not-owed' },
      recall,
    )
    const settled = (time: string) => [
      {
        time: isoOf(time),
        changes: [
          { kind: 'recall-obligation-settled', recallId: 'RC-1', obligationId: 'O-1' },
          { kind: 'risk-class-changed', from: 'B', to: 'A' },
        ],
      },
    ]
    expect(update([...base, status, overdue], '2025-04-01', [fulfilled], '2025-05-01')).toEqual(
      settled('2025-04-10T10:00:00+08:00'),
    )
    expect(update([...base, status, overdue], '2025-04-01', [voided], '2025-05-01')).toEqual(settled(due))
  })

  it('groups the changes of one update by instant, in time order; undated ones at its latest instant', () => {
    const later = penalty('P-1', '2025-02-10T10:00:00+08:00', { measures: ['fine'], fineAmount: 200_000 })
    expect(update(base, '2025-01-01', [later, unreachable], '2025-03-01')).toEqual([
      {
        time: isoOf(T),
        changes: [
          { kind: 'abnormal-listed', listingId: 'A-1', reason: 'unreachable-at-address' },
          ...listingMeasures('restriction-started', isoOf(T)),
        ],
      },
      {
        time: isoOf('2025-02-10T10:00:00+08:00'),
        changes: [
          { kind: 'penalty-published', decisionNo: 'P-1', until: isoOf('2028-02-11T00:00:00+08:00') },
          { kind: 'risk-class-changed', from: 'A', to: 'C' },
        ],
      },
    ])
  })

  it('dates a change of time alone that names no instant at now', () => {
    const failed = ev('inspection.recorded', '2023-02-01T10:00:00+08:00', {
      inspectionId: 'I-1',
      kind: 'random',
      results: ['false-information'],
    })
    // The inspection counts for two years, to 24:00 on 1 Feb 2025.
    expect(update([...base, failed], '2025-01-01', [], '2025-03-01T12:00:00+08:00')).toEqual([
      {
        time: isoOf('2025-03-01T12:00:00+08:00'),
        changes: [{ kind: 'risk-class-changed', from: 'B', to: 'A' }],
      },
    ])
  })
})
