/**
 * The profile views of contract §6: the full view from the fold's state, the public view, and the
 * fields search and stats index.
 */
import { annualReportRows } from './annual-reports.js'
import { inspectionRows } from './enterprise.js'
import { abnormalRows, seriousRows } from './listings.js'
import { iso } from './order.js'
import { heaviestMeasure, publicityAt } from './penalties.js'
import { recallRows } from './recalls.js'
import { restrictionsAt } from './restrictions.js'
import { riskAt } from './risk.js'
import type { FoldState } from './state.js'
import type { FullProfile, PenaltyView, PublicProfile, RiskView } from './types.js'

const penaltyRows = (s: FoldState): PenaltyView[] =>
  [...s.penalties.values()]
    .sort((a, b) => a.decidedAt - b.decidedAt)
    .map((p) => ({
      decisionNo: p.decisionNo,
      decidedAt: iso(p.decidedAt),
      decidedBy: p.decidedBy,
      measures: p.measures,
      heaviestMeasure: heaviestMeasure(p.measures),
      domain: p.domain,
      ...(p.fineAmount === undefined ? {} : { fineAmount: p.fineAmount }),
      aggravated: p.aggravated,
      procedure: p.procedure,
      ...(p.restrictionEndsAt === undefined ? {} : { restrictionEndsAt: p.restrictionEndsAt }),
      revoked: p.revokedAt !== undefined,
      ...(p.revokedAt === undefined ? {} : { revokedAt: iso(p.revokedAt) }),
      publicity: publicityAt(p, s.params, s.asOf),
      provenance: p.ref,
    }))

/** The full profile at the fold's asOf; undefined while the enterprise is not registered. */
export const fullProfile = (s: FoldState, nextChangeAt: number | undefined): FullProfile | undefined => {
  if (!s.registered || s.name === undefined || s.region === undefined || s.registeredAt === undefined) {
    return undefined
  }
  return {
    uscc: s.uscc,
    name: s.name,
    region: s.region,
    kind: s.kind ?? 'company',
    registeredAt: s.registeredAt,
    ...(s.legalRepresentative === undefined ? {} : { legalRepresentative: s.legalRepresentative }),
    ...(s.address === undefined ? {} : { address: s.address }),
    status: s.deregisteredAt === undefined ? 'active' : 'deregistered',
    ...(s.deregisteredAt === undefined ? {} : { deregisteredAt: iso(s.deregisteredAt) }),
    asOf: iso(s.asOf),
    annualReports: annualReportRows(s),
    abnormalListings: abnormalRows(s),
    seriousListings: seriousRows(s),
    penalties: penaltyRows(s),
    inspections: inspectionRows(s),
    recalls: recallRows(s),
    restrictions: restrictionsAt(s),
    risk: riskAt(s),
    ...(nextChangeAt === undefined ? {} : { nextChangeAt: iso(nextChangeAt) }),
  }
}

const publishable = (p: PenaltyView): boolean => p.publicity.published && !p.publicity.ended

/**
 * The public view of `full` (contract §6). `nowFull` is the profile now: with a past asOf, a fact
 * shows only if it is publishable both then and now, so asking about the past never undoes a repair
 * or an expiry. Pass `undefined` when `full` is the profile now.
 */
export const publicView = (full: FullProfile, nowFull: FullProfile | undefined): PublicProfile => {
  const nowPenalties = new Map(nowFull?.penalties.map((p) => [p.decisionNo, p]))
  const nowSerious = new Map(nowFull?.seriousListings.map((l) => [l.listingId, l]))
  const nowRecalls = new Map(nowFull?.recalls.map((r) => [r.recallId, r]))
  const stillNow = <T>(now: Map<string, T>, key: string, ok: (x: T) => boolean): boolean => {
    if (nowFull === undefined) return true
    const x = now.get(key)
    return x !== undefined && ok(x)
  }
  const { risk: _risk, restrictions: _restrictions, legalRepresentative: _l, address: _a, ...rest } = full
  return {
    ...rest,
    penalties: full.penalties.filter(
      (p) => publishable(p) && stillNow(nowPenalties, p.decisionNo, publishable),
    ),
    seriousListings: full.seriousListings.filter(
      (l) => l.active && stillNow(nowSerious, l.listingId, (n) => n.active),
    ),
    recalls: full.recalls.filter((r) => r.published && stillNow(nowRecalls, r.recallId, (n) => n.published)),
  }
}

/** What search and stats index of a profile. */
export interface SearchFields {
  readonly uscc: string
  readonly name: string
  readonly region: string
  readonly riskClass: RiskView['class']
  readonly abnormalActive: boolean
  readonly seriousActive: boolean
}

/** The fields search and stats index. */
export const searchFields = (p: FullProfile): SearchFields => ({
  uscc: p.uscc,
  name: p.name,
  region: p.region,
  riskClass: p.risk.class,
  abnormalActive: p.abnormalListings.some((l) => l.active),
  seriousActive: p.seriousListings.some((l) => l.active),
})
