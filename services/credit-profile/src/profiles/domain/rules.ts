/**
 * The decisions the system takes itself with time alone (contract §6 rules 1–3). They are computed
 * inside the fold from the other events, never read from the history: an `ecrs.rules` event only
 * stands while the computation still produces it (rule 6), so a back-dated on-time report voids the
 * listing it prevents and everything that followed from it.
 *
 * A trigger at instant T sees the events before T and fires before the events at T: a period that
 * ends at T is over at T (a report filed at 1 July 00:00 +08:00 is late).
 */
import { shanghaiDateOf } from '@ecrs/contracts'
import { filedOnTime, missingReportListingAt, owedYears } from './annual-reports.js'
import { decide, decisionId, decisionRecordedAt } from './decisions.js'
import { ANNUAL_REPORT_REASON, addAbnormal, addSerious } from './listings.js'
import { RULES_SOURCE, listingExists, type FoldState, type Trigger } from './state.js'

const RANK: Record<Trigger['kind'], number> = {
  'annual-report-missing': 0,
  'abnormal-3-years': 1,
  'serious-expiry': 2,
}

// Triggers are compared at every step of the fold: their ids are worked out once each.
const ids = new WeakMap<Trigger, string>()

/** The id of the decision a trigger would take. */
export const triggerDecisionId = (s: FoldState, t: Trigger): string => {
  const known = ids.get(t)
  if (known !== undefined) return known
  const id = computeDecisionId(s, t)
  ids.set(t, id)
  return id
}

const computeDecisionId = (s: FoldState, t: Trigger): string => {
  switch (t.kind) {
    case 'annual-report-missing':
      return decisionId('ar-missing', s.uscc, String(t.year))
    case 'abnormal-3-years':
      return decisionId('abn3y', s.uscc, t.listingId)
    case 'serious-expiry':
      return decisionId('serious-expired', s.uscc, t.listingId)
  }
}

const compareTriggers = (s: FoldState, a: Trigger, b: Trigger): number => {
  const ia = triggerDecisionId(s, a)
  const ib = triggerDecisionId(s, b)
  return a.at - b.at || RANK[a.kind] - RANK[b.kind] || (ia < ib ? -1 : ia > ib ? 1 : 0)
}

/**
 * Arms the missing-report rule for every owed year up to the one in progress at asOf (that one only
 * matters for the next change).
 */
export const armAnnualReports = (s: FoldState): void => {
  const owed = owedYears(s)
  if (owed === undefined) return
  const last = Math.min(owed.last, shanghaiDateOf(new Date(s.asOf)).year)
  for (let year = owed.first; year <= last; year++) {
    s.triggers.push({ kind: 'annual-report-missing', at: missingReportListingAt(year).at, year })
  }
}

/** The earliest armed trigger, without taking it. */
export const peekTrigger = (s: FoldState): Trigger | undefined =>
  s.triggers.reduce<Trigger | undefined>(
    (min, t) => (min === undefined || compareTriggers(s, t, min) < 0 ? t : min),
    undefined,
  )

/**
 * Whether the trigger's premise holds in the state so far (for the next change: whether it would
 * fire if nothing else happened). `ignoreAgency` leaves out the agency's own listing of the year.
 */
export const premiseHolds = (s: FoldState, t: Trigger, ignoreAgency = false): boolean => {
  if (listingExists(s, triggerDecisionId(s, t)) && t.kind !== 'serious-expiry') return false
  switch (t.kind) {
    case 'annual-report-missing':
      return (
        s.deregisteredAt === undefined &&
        !filedOnTime(s, t.year) &&
        (ignoreAgency || !s.agencyListedYears.has(t.year))
      )
    case 'abnormal-3-years': {
      const listing = s.abnormal.get(t.listingId)
      if (listing === undefined || listing.removedAt !== undefined || s.deregisteredAt !== undefined)
        return false
      // For a missing report the obligation is the report; for the other reasons, the listing itself.
      return (
        listing.reason !== ANNUAL_REPORT_REASON || listing.year === undefined || !s.reports.has(listing.year)
      )
    }
    case 'serious-expiry':
      return s.serious.get(t.listingId)?.removedAt === undefined
  }
}

/** Takes the trigger out and applies it if its premise holds. */
export const fireTrigger = (s: FoldState, t: Trigger): void => {
  s.triggers.splice(s.triggers.indexOf(t), 1)
  const id = triggerDecisionId(s, t)
  if (!premiseHolds(s, t)) {
    if (t.kind === 'annual-report-missing' && premiseHolds(s, t, true)) s.superseded.add(id)
    return
  }
  const ref = { source: RULES_SOURCE, id }
  const recordedAt = decisionRecordedAt(s, id, t.at)
  switch (t.kind) {
    case 'annual-report-missing': {
      const { provisional } = missingReportListingAt(t.year)
      const reason = ANNUAL_REPORT_REASON
      addAbnormal(s, {
        listingId: id,
        reason,
        year: t.year,
        listedAt: t.at,
        listedBy: RULES_SOURCE,
        recordedAt,
        ref,
        ...(provisional ? { provisional } : {}),
      })
      decide(s, id, 'abnormal-list.entered', t.at, {
        listingId: id,
        reason,
        year: t.year,
        ...(provisional ? { provisional } : {}),
      })
      return
    }
    case 'abnormal-3-years': {
      const basis = 'abnormal-list-3-years'
      const listing = { listingId: id, basis, abnormalListingId: t.listingId }
      addSerious(s, { ...listing, listedAt: t.at, listedBy: RULES_SOURCE, recordedAt, ref })
      decide(s, id, 'serious-list.entered', t.at, listing)
      return
    }
    case 'serious-expiry': {
      const listing = s.serious.get(t.listingId)
      if (listing === undefined) return
      listing.removedAt = t.at
      listing.removalReason = 'expired'
      decide(s, id, 'serious-list.removed', t.at, { listingId: t.listingId, reason: 'expired' })
      return
    }
  }
}
