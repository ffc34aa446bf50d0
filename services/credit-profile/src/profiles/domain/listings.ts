/**
 * The abnormal-operations and serious-violations lists as agencies and the system keep them
 * (contract §4.1, §6 rules 1–3): entries, removals, who may remove, and the profile rows.
 */
import { addYearsPeriodEnd } from '@ecrs/contracts'
import { decide, decisionId } from './decisions.js'
import { iso, type TimedEvent } from './order.js'
import {
  RULES_SOURCE,
  applied,
  listingExists,
  numeric,
  rejected,
  text,
  type AbnormalRec,
  type FoldState,
  type SeriousRec,
} from './state.js'
import type { AbnormalListingView, SeriousListingView } from './types.js'

/** The reason of a listing for a missing annual report. */
export const ANNUAL_REPORT_REASON = 'annual-report-not-filed'

/** When a serious listing ends by expiry. */
export const seriousEndsAt = (s: FoldState, l: SeriousRec): number =>
  addYearsPeriodEnd(new Date(l.listedAt), s.params.listing.seriousYears).getTime()

/** Adds an abnormal listing and arms its three-year escalation. */
export const addAbnormal = (s: FoldState, listing: AbnormalRec): void => {
  s.abnormal.set(listing.listingId, listing)
  const years = s.params.listing.abnormalToSeriousYears
  const at = addYearsPeriodEnd(new Date(listing.listedAt), years).getTime()
  s.triggers.push({ kind: 'abnormal-3-years', at, listingId: listing.listingId })
}

/** Adds a serious listing and arms its expiry. */
export const addSerious = (s: FoldState, listing: SeriousRec): void => {
  s.serious.set(listing.listingId, listing)
  s.triggers.push({ kind: 'serious-expiry', at: seriousEndsAt(s, listing), listingId: listing.listingId })
}

/**
 * The listing agency may remove its listing (or decide its repair); a system listing, any
 * registration authority (any agency when none is configured), never a firm nor the system.
 */
export const mayRemove = (s: FoldState, listedBy: string, source: string): boolean => {
  if (source === listedBy) return true
  if (listedBy !== RULES_SOURCE || source.startsWith('firm:') || source.startsWith('ecrs.')) return false
  return s.params.registrationAuthorities?.includes(source) ?? true
}

/** `abnormal-list.entered` by an agency. */
export const enterAbnormal = (s: FoldState, e: TimedEvent): void => {
  const listingId = text(e.data, 'listingId')
  const reason = text(e.data, 'reason')
  const year = numeric(e.data, 'year')
  if (listingId === undefined || reason === undefined) return rejected(s, e, 'EVENT_INVALID')
  if (reason === ANNUAL_REPORT_REASON && (year === undefined || !Number.isInteger(year))) {
    return rejected(s, e, 'EVENT_INVALID')
  }
  if (listingExists(s, listingId)) return rejected(s, e, 'DUPLICATE_ENTITY')
  // One listing per (reason, year) while it stands.
  const twin = [...s.abnormal.values()].find(
    (l) =>
      reason === ANNUAL_REPORT_REASON && l.reason === reason && l.year === year && l.removedAt === undefined,
  )
  if (twin !== undefined) return rejected(s, e, 'DUPLICATE_ENTITY')
  addAbnormal(s, {
    listingId,
    reason,
    ...(year === undefined ? {} : { year }),
    listedAt: e.at,
    listedBy: e.source,
    recordedAt: e.recordedAt,
    ref: e.ref,
  })
  applied(s, e)
}

/** `abnormal-list.removed`: by the listing agency (for a system listing, a registration authority). */
export const removeAbnormal = (s: FoldState, e: TimedEvent): void => {
  const listingId = text(e.data, 'listingId')
  const listing = listingId === undefined ? undefined : s.abnormal.get(listingId)
  if (listing === undefined) return rejected(s, e, 'LISTING_NOT_FOUND')
  if (listing.removedAt !== undefined) return rejected(s, e, 'LISTING_ALREADY_REMOVED')
  if (!mayRemove(s, listing.listedBy, e.source)) return rejected(s, e, 'NOT_LISTING_AGENCY')
  listing.removedAt = e.at
  listing.removalReason = text(e.data, 'reason') ?? 'removed'
  applied(s, e)
}

/** `serious-list.entered` by an agency. */
export const enterSerious = (s: FoldState, e: TimedEvent): void => {
  const listingId = text(e.data, 'listingId')
  const basis = text(e.data, 'basis')
  const decisionNo = text(e.data, 'decisionNo')
  if (listingId === undefined || basis === undefined) return rejected(s, e, 'EVENT_INVALID')
  if (listingExists(s, listingId)) return rejected(s, e, 'DUPLICATE_ENTITY')
  // A listing on a penalty already revoked would end the instant it began.
  if (
    basis === 'heavier-penalty' &&
    decisionNo !== undefined &&
    s.penalties.get(decisionNo)?.revokedAt !== undefined
  ) {
    return rejected(s, e, 'PENALTY_REVOKED')
  }
  addSerious(s, {
    listingId,
    basis,
    ...(decisionNo === undefined ? {} : { decisionNo }),
    listedAt: e.at,
    listedBy: e.source,
    recordedAt: e.recordedAt,
    ref: e.ref,
  })
  applied(s, e)
}

/** Tells whether a serious listing has been listed long enough for early removal (rule 5). */
export const seriousRepairable = (s: FoldState, l: SeriousRec, at: number): boolean =>
  l.removedAt === undefined &&
  at >= addYearsPeriodEnd(new Date(l.listedAt), s.params.repair.seriousMinYears).getTime()

/** `serious-list.removed` by an agency: an early `expired` or an ineligible `credit-repair` is refused. */
export const removeSerious = (s: FoldState, e: TimedEvent): void => {
  const listingId = text(e.data, 'listingId')
  const reason = text(e.data, 'reason') ?? 'removed'
  const listing = listingId === undefined ? undefined : s.serious.get(listingId)
  if (listing === undefined) return rejected(s, e, 'LISTING_NOT_FOUND')
  if (listing.removedAt !== undefined) return rejected(s, e, 'LISTING_ALREADY_REMOVED')
  if (!mayRemove(s, listing.listedBy, e.source)) return rejected(s, e, 'NOT_LISTING_AGENCY')
  if (reason === 'expired' && e.at < seriousEndsAt(s, listing)) return rejected(s, e, 'LISTING_NOT_EXPIRED')
  if (reason === 'credit-repair' && !seriousRepairable(s, listing, e.at)) {
    return rejected(s, e, 'REPAIR_NOT_ELIGIBLE')
  }
  listing.removedAt = e.at
  listing.removalReason = reason
  applied(s, e)
}

/** Rule 3: a revoked penalty ends the serious listings based on it, at the revocation. */
export const endSeriousForRevokedPenalty = (s: FoldState, decisionNo: string, at: number): void => {
  for (const l of s.serious.values()) {
    if (l.basis !== 'heavier-penalty' || l.decisionNo !== decisionNo || l.removedAt !== undefined) continue
    l.removedAt = at
    l.removalReason = 'decision-revoked'
    const id = decisionId('serious-revoked', s.uscc, l.listingId)
    decide(s, id, 'serious-list.removed', at, {
      listingId: l.listingId,
      reason: 'decision-revoked',
      decisionNo,
    })
  }
}

const byListedAt = <T extends { listedAt: number; listingId: string }>(a: T, b: T): number =>
  a.listedAt - b.listedAt || (a.listingId < b.listingId ? -1 : a.listingId > b.listingId ? 1 : 0)

/** The abnormal-list rows at asOf. */
export const abnormalRows = (s: FoldState): AbnormalListingView[] =>
  [...s.abnormal.values()].sort(byListedAt).map((l) => ({
    listingId: l.listingId,
    reason: l.reason,
    ...(l.year === undefined ? {} : { year: l.year }),
    listedAt: iso(l.listedAt),
    listedBy: l.listedBy,
    recordedAt: l.recordedAt,
    active: l.removedAt === undefined,
    ...(l.removedAt === undefined ? {} : { removedAt: iso(l.removedAt) }),
    ...(l.removalReason === undefined ? {} : { removalReason: l.removalReason }),
    ...(l.provisional === true ? { provisional: true } : {}),
    provenance: l.ref,
  }))

/** The serious-list rows at asOf. */
export const seriousRows = (s: FoldState): SeriousListingView[] =>
  [...s.serious.values()].sort(byListedAt).map((l) => ({
    listingId: l.listingId,
    basis: l.basis,
    ...(l.decisionNo === undefined ? {} : { decisionNo: l.decisionNo }),
    ...(l.abnormalListingId === undefined ? {} : { abnormalListingId: l.abnormalListingId }),
    listedAt: iso(l.listedAt),
    listedBy: l.listedBy,
    recordedAt: l.recordedAt,
    active: l.removedAt === undefined,
    endsAt: iso(seriousEndsAt(s, l)),
    ...(l.removedAt === undefined ? {} : { removedAt: iso(l.removedAt) }),
    ...(l.removalReason === undefined ? {} : { removalReason: l.removalReason }),
    provenance: l.ref,
  }))
