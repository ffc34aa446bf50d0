/**
 * The comparisons of the change feed, fact by fact (contract §8): each tells what changed between
 * the stored and the new full profile, with the instant the fact itself names when it names one
 * (changes.ts dates the others and groups them).
 */
import type { Change } from '@ecrs/contracts'
import type {
  AbnormalListingView,
  EventRef,
  FullProfile,
  ObligationFact,
  PenaltyView,
  RestrictionView,
  SeriousListingView,
} from './types.js'

/** One side of the comparison: a full profile and what the feed needs beside it. */
export interface ProfileFacts {
  readonly profile: FullProfile
  /**
   * Recall obligations at the profile's asOf: the overdue and unsettled ones (the stored side needs
   * no more); the new side also gives the settled ones, for when they were settled.
   */
  readonly obligations: readonly ObligationFact[]
  /** When the registration took effect (ISO): the time of `registered` (the new side). */
  readonly registeredTime?: string
}

/** The removal reason of a listing that no longer exists (a system decision whose premise failed). */
export const VOIDED_REASON = 'voided'

/** The obligations overdue and unsettled, as a stored profile keeps them. */
export const overdueOnly = (obligations: readonly ObligationFact[]): ObligationFact[] =>
  obligations.filter((o) => o.settledAt === undefined)

/** Takes a change and the instant it names (ISO), if any. */
export type Collect = (change: Change, at?: string) => void

/** Epoch ms of an instant, or undefined. */
export const ms = (t: string | undefined): number | undefined => {
  if (t === undefined) return undefined
  const n = Date.parse(t)
  return Number.isNaN(n) ? undefined : n
}

export const statusChanges = (
  before: ProfileFacts | undefined,
  after: ProfileFacts,
  collect: Collect,
): void => {
  if (before === undefined) collect({ kind: 'registered' }, after.registeredTime)
  if (after.profile.status === 'deregistered' && before?.profile.status !== 'deregistered') {
    collect({ kind: 'deregistered' }, after.profile.deregisteredAt)
  }
}

interface ListingRow {
  readonly listingId: string
  readonly listedAt: string
  readonly active: boolean
  readonly removedAt?: string
  readonly removalReason?: string
}

/**
 * Listings new to the profile (listed, and removed too if already removed), removed since, listed
 * again (a removal that no longer holds, at the update's instant), or gone (a system listing whose
 * premise failed: removed as `voided`, at the update's instant).
 */
const listingChanges = <L extends ListingRow>(
  before: readonly L[],
  after: readonly L[],
  collect: Collect,
  kinds: { listed: (l: L) => Change; removed: (listingId: string, reason: string) => Change },
): void => {
  const prev = new Map(before.map((l) => [l.listingId, l]))
  for (const l of after) {
    const b = prev.get(l.listingId)
    if (b === undefined) collect(kinds.listed(l), l.listedAt)
    else if (!b.active && l.active) collect(kinds.listed(l))
    if (!l.active && (b === undefined || b.active)) {
      collect(kinds.removed(l.listingId, l.removalReason ?? 'removed'), l.removedAt)
    }
  }
  const now = new Set(after.map((l) => l.listingId))
  for (const b of before) {
    if (b.active && !now.has(b.listingId)) collect(kinds.removed(b.listingId, VOIDED_REASON))
  }
}

/** Abnormal listings: see {@link listingChanges}. */
export const abnormalChanges = (
  before: readonly AbnormalListingView[],
  after: readonly AbnormalListingView[],
  collect: Collect,
): void =>
  listingChanges(before, after, collect, {
    listed: (l) => ({
      kind: 'abnormal-listed',
      listingId: l.listingId,
      reason: l.reason,
      ...(l.year === undefined ? {} : { year: l.year }),
    }),
    removed: (listingId, removalReason) => ({ kind: 'abnormal-removed', listingId, removalReason }),
  })

/** Serious listings: see {@link listingChanges}. */
export const seriousChanges = (
  before: readonly SeriousListingView[],
  after: readonly SeriousListingView[],
  collect: Collect,
): void =>
  listingChanges(before, after, collect, {
    listed: (l) => ({ kind: 'serious-listed', listingId: l.listingId, basis: l.basis, endsAt: l.endsAt }),
    removed: (listingId, removalReason) => ({ kind: 'serious-removed', listingId, removalReason }),
  })

/** A measure's terms: the union of its rows (a ban per serious listing runs side by side). */
interface Terms {
  readonly since: string
  readonly until?: string
  readonly because: readonly EventRef[]
}

const termsByMeasure = (rows: readonly RestrictionView[]): Map<string, Terms> => {
  const out = new Map<string, Terms>()
  for (const r of rows) {
    const t = out.get(r.measure)
    if (t === undefined) {
      out.set(r.measure, {
        since: r.since,
        ...(r.until === undefined ? {} : { until: r.until }),
        because: r.because,
      })
      continue
    }
    const since = Date.parse(r.since) < Date.parse(t.since) ? r.since : t.since
    // No `until` on any row: in force while its cause lasts, with no end known.
    const until =
      t.until === undefined || r.until === undefined
        ? undefined
        : Date.parse(r.until) > Date.parse(t.until)
          ? r.until
          : t.until
    out.set(r.measure, {
      since,
      ...(until === undefined ? {} : { until }),
      because: [...t.because, ...r.because],
    })
  }
  return out
}

/**
 * A measure that came into force (at its `since`), whose terms changed (said again as started, at
 * the update's instant), or that ended: at its `until` when that has passed, else when the last of
 * the listings it rested on was removed, else at the update's instant.
 */
export const restrictionChanges = (
  before: FullProfile | undefined,
  after: FullProfile,
  now: Date,
  collect: Collect,
): void => {
  const prev = termsByMeasure(before?.restrictions ?? [])
  const next = termsByMeasure(after.restrictions)
  for (const [measure, t] of next) {
    const b = prev.get(measure)
    const change: Change = {
      kind: 'restriction-started',
      measure,
      since: t.since,
      ...(t.until === undefined ? {} : { until: t.until }),
    }
    if (b === undefined) collect(change, t.since)
    else if (b.since !== t.since || b.until !== t.until) collect(change)
  }
  const removedAt = new Map(
    [...after.abnormalListings, ...after.seriousListings].flatMap((l) =>
      l.removedAt === undefined ? [] : [[`${l.provenance.source}/${l.provenance.id}`, l.removedAt] as const],
    ),
  )
  for (const [measure, b] of prev) {
    if (next.has(measure)) continue
    const untilMs = ms(b.until)
    if (b.until !== undefined && untilMs !== undefined && untilMs <= now.getTime()) {
      collect({ kind: 'restriction-ended', measure }, b.until)
      continue
    }
    const removals = b.because.map((r) => ms(removedAt.get(`${r.source}/${r.id}`)))
    const last = removals.every((n) => n !== undefined) ? Math.max(...removals) : undefined
    collect(
      { kind: 'restriction-ended', measure },
      last === undefined || removals.length === 0 ? undefined : new Date(last).toISOString(),
    )
  }
}

const publicNow = (p: PenaltyView | undefined): boolean =>
  p !== undefined && p.publicity.published && !p.publicity.ended

/**
 * A penalty new to the profile and published (at its decision; ended too if its publicity has
 * already ended), published again or for a new term (at the update's instant), or whose publicity
 * ended (at its end).
 */
export const penaltyChanges = (
  before: readonly PenaltyView[],
  after: readonly PenaltyView[],
  collect: Collect,
): void => {
  const prev = new Map(before.map((p) => [p.decisionNo, p]))
  const seen = new Set<string>()
  for (const p of after) {
    seen.add(p.decisionNo)
    const b = prev.get(p.decisionNo)
    const until = p.publicity.until
    if (p.publicity.published && until !== undefined) {
      const published: Change = { kind: 'penalty-published', decisionNo: p.decisionNo, until }
      if (b === undefined) collect(published, p.decidedAt)
      else if (publicNow(p) && (!publicNow(b) || b.publicity.until !== until)) collect(published)
    }
    const wasPublic = b === undefined ? p.publicity.published : publicNow(b)
    if (wasPublic && !publicNow(p)) {
      // Not public any more without having ended: the decision that stands now is never published
      // (a back-dated one of the same number); as good as revoked for whoever relied on it.
      collect(
        {
          kind: 'penalty-publicity-ended',
          decisionNo: p.decisionNo,
          endedBy: p.publicity.endedBy ?? 'revoked',
        },
        p.publicity.ended ? until : undefined,
      )
    }
  }
  for (const b of before) {
    if (!seen.has(b.decisionNo) && publicNow(b)) {
      collect({ kind: 'penalty-publicity-ended', decisionNo: b.decisionNo, endedBy: 'revoked' })
    }
  }
}

const obligationKey = (o: ObligationFact): string => `${o.recallId}/${o.obligationId}`

/**
 * Recalls published since (at the update's instant: the profile keeps no instant of publication),
 * obligations overdue since (at their due instant), and obligations overdue before and not now (at
 * when they were fulfilled late or voided).
 */
export const recallChanges = (
  before: ProfileFacts | undefined,
  after: ProfileFacts,
  collect: Collect,
): void => {
  const wasPublished = new Set(before?.profile.recalls.filter((r) => r.published).map((r) => r.recallId))
  for (const r of after.profile.recalls) {
    if (r.published && !wasPublished.has(r.recallId))
      collect({ kind: 'recall-published', recallId: r.recallId })
  }
  const overdueBefore = new Map(overdueOnly(before?.obligations ?? []).map((o) => [obligationKey(o), o]))
  const now = new Map(after.obligations.map((o) => [obligationKey(o), o]))
  for (const o of overdueOnly(after.obligations)) {
    if (!overdueBefore.has(obligationKey(o))) {
      collect(
        { kind: 'recall-obligation-overdue', recallId: o.recallId, obligationId: o.obligationId },
        o.dueAt,
      )
    }
  }
  for (const [key, b] of overdueBefore) {
    const o = now.get(key)
    if (o !== undefined && o.settledAt === undefined) continue
    collect(
      { kind: 'recall-obligation-settled', recallId: b.recallId, obligationId: b.obligationId },
      o?.settledAt,
    )
  }
}
