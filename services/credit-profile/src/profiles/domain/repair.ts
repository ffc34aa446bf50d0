/**
 * Credit repair (contract §6 rule 5; domain-rules §4, R16, R21): an approved repair takes effect
 * only when eligible at the decision's time, otherwise the decision is refused.
 */
import { addMonthsPeriodEnd } from '@ecrs/contracts'
import { ANNUAL_REPORT_REASON, mayRemove, seriousRepairable } from './listings.js'
import type { TimedEvent } from './order.js'
import { HEAVY_MEASURES, publicityEnd } from './penalties.js'
import { anyListingActive, applied, rejected, text, type FoldState, type RepairRec } from './state.js'

const targetExists = (s: FoldState, kind: string, ref: string): boolean => {
  switch (kind) {
    case 'penalty':
      return s.penalties.has(ref)
    case 'serious-listing':
      return s.serious.has(ref)
    case 'abnormal-listing':
      return s.abnormal.has(ref)
    default:
      return false
  }
}

/** `credit-repair.applied`: one application per `repairId`, for a target the profile knows. */
export const applyForRepair = (s: FoldState, e: TimedEvent): void => {
  const repairId = text(e.data, 'repairId')
  const target = e.data['target']
  const kind =
    typeof target === 'object' && target !== null
      ? text(target as Record<string, unknown>, 'kind')
      : undefined
  const ref =
    typeof target === 'object' && target !== null ? text(target as Record<string, unknown>, 'ref') : undefined
  if (repairId === undefined || kind === undefined || ref === undefined)
    return rejected(s, e, 'EVENT_INVALID')
  if (s.repairs.has(repairId)) return rejected(s, e, 'DUPLICATE_ENTITY')
  if (!targetExists(s, kind, ref)) return rejected(s, e, 'REPAIR_TARGET_NOT_FOUND')
  s.repairs.set(repairId, { repairId, targetKind: kind, targetRef: ref, decided: false })
  applied(s, e)
}

/**
 * Whether the repair may take effect at `at`. A penalty: still published, none of the measures that
 * can never be repaired, 6 months of publicity (12 in the sensitive domains) behind it, and the
 * enterprise on no list. A serious listing: active for at least the minimum (it ends at 3 years by
 * itself). An abnormal listing: its cause cured (for a missing report, the report filed).
 */
export const repairEligible = (s: FoldState, repair: RepairRec, at: number): boolean => {
  switch (repair.targetKind) {
    case 'penalty': {
      const p = s.penalties.get(repair.targetRef)
      if (p === undefined || p.revokedAt !== undefined) return false
      const end = publicityEnd(p, s.params)
      if (end === undefined || end.at <= at || p.measures.some((m) => HEAVY_MEASURES.has(m))) return false
      const { penaltyMonths, sensitivePenaltyMonths, sensitiveDomains } = s.params.repair
      const months = sensitiveDomains.includes(p.domain) ? sensitivePenaltyMonths : penaltyMonths
      return at >= addMonthsPeriodEnd(new Date(p.decidedAt), months).getTime() && !anyListingActive(s)
    }
    case 'serious-listing': {
      const l = s.serious.get(repair.targetRef)
      return l !== undefined && seriousRepairable(s, l, at)
    }
    case 'abnormal-listing': {
      const l = s.abnormal.get(repair.targetRef)
      if (l === undefined || l.removedAt !== undefined) return false
      return l.reason !== ANNUAL_REPORT_REASON || l.year === undefined || s.reports.has(l.year)
    }
    default:
      return false
  }
}

const takeEffect = (s: FoldState, repair: RepairRec, at: number): void => {
  const listing =
    repair.targetKind === 'serious-listing'
      ? s.serious.get(repair.targetRef)
      : repair.targetKind === 'abnormal-listing'
        ? s.abnormal.get(repair.targetRef)
        : undefined
  if (listing !== undefined) {
    listing.removedAt = at
    listing.removalReason = 'credit-repair'
  }
  // Repair ends publicity, not the record: the penalty keeps its risk points.
  const penalty = repair.targetKind === 'penalty' ? s.penalties.get(repair.targetRef) : undefined
  if (penalty !== undefined) penalty.repairedAt = at
}

/**
 * Who may decide a repair (contract §4.1): the agency that decided the penalty or made the listing;
 * for a listing by `ecrs.rules`, a registration authority, as for `abnormal-list.removed`.
 */
export const mayDecideRepair = (s: FoldState, repair: RepairRec, source: string): boolean => {
  switch (repair.targetKind) {
    case 'penalty':
      return s.penalties.get(repair.targetRef)?.decidedBy === source
    case 'serious-listing':
    case 'abnormal-listing': {
      const l = (repair.targetKind === 'serious-listing' ? s.serious : s.abnormal).get(repair.targetRef)
      return l !== undefined && mayRemove(s, l.listedBy, source)
    }
    default:
      return false
  }
}

/**
 * `credit-repair.decided`: a refusal is recorded; an approval takes effect if eligible. Either only
 * from the agency entitled to decide (anyone else's decision leaves the application open).
 */
export const decideRepair = (s: FoldState, e: TimedEvent): void => {
  const repairId = text(e.data, 'repairId')
  const decision = text(e.data, 'decision')
  const repair = repairId === undefined ? undefined : s.repairs.get(repairId)
  if (repair === undefined) return rejected(s, e, 'REPAIR_NOT_FOUND')
  if (!mayDecideRepair(s, repair, e.source)) return rejected(s, e, 'NOT_DECIDING_AGENCY')
  if (repair.decided) return rejected(s, e, 'REPAIR_ALREADY_DECIDED')
  if (decision === 'approved') {
    // An ineligible approval leaves the application open: a later, eligible decision may follow.
    if (!repairEligible(s, repair, e.at)) return rejected(s, e, 'REPAIR_NOT_ELIGIBLE')
    takeEffect(s, repair, e.at)
  } else if (decision !== 'rejected') {
    return rejected(s, e, 'EVENT_INVALID')
  }
  repair.decided = true
  applied(s, e)
}
