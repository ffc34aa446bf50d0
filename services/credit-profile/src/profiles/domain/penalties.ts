/**
 * Penalty decisions and their publicity (contract §6 rule 4; Order 45 Arts. 2, 13).
 *
 * Measure severity follows the order of Administrative Penalty Law Art. 9, which is also the order of
 * the catalogue: warning < criticism < fine < confiscation < qualification-downgrade <
 * license-revocation < business-restriction < suspension < closure < practice-ban. Only the lower
 * end matters for the rules (warning, criticism, fine against everything heavier).
 */
import { addMonthsPeriodEnd, addYearsPeriodEnd, endOfShanghaiDay, parseDate } from '@ecrs/contracts'
import { endSeriousForRevokedPenalty } from './listings.js'
import { iso, type TimedEvent } from './order.js'
import type { ProfileParams } from './params.js'
import { applied, flag, numeric, rejected, text, texts, type FoldState, type PenaltyRec } from './state.js'
import type { PublicityView } from './types.js'

/** The measures from lightest to heaviest. */
export const MEASURE_SEVERITY = [
  'warning',
  'criticism',
  'fine',
  'confiscation',
  'qualification-downgrade',
  'license-revocation',
  'business-restriction',
  'suspension',
  'closure',
  'practice-ban',
] as const

/** Measures that make a penalty heavy (risk) and that credit repair can never end early. */
export const HEAVY_MEASURES: ReadonlySet<string> = new Set([
  'qualification-downgrade',
  'license-revocation',
  'business-restriction',
  'suspension',
  'closure',
  'practice-ban',
])

const severity = (measure: string): number => (MEASURE_SEVERITY as readonly string[]).indexOf(measure)

/** The heaviest of `measures` (an unknown measure counts as the heaviest: never treat it as light). */
export const heaviestMeasure = (measures: readonly string[]): string =>
  measures.reduce((a, b) => {
    const sa = severity(a) < 0 ? Infinity : severity(a)
    const sb = severity(b) < 0 ? Infinity : severity(b)
    return sb > sa ? b : a
  }, 'warning')

// In fen, so 99 999.99 against 100 000 is exact.
const fen = (cny: number): number => Math.round(cny * 100)

/**
 * When publicity ends by itself, or undefined when the decision is never published: simple
 * procedure and warnings alone (Art. 2). Criticism or a lower-amount fine as the heaviest measure: 3
 * months; anything else: 3 years, or to the end of the restriction if later (Art. 13).
 */
export const naturalPublicityEnd = (p: PenaltyRec, params: ProfileParams): number | undefined => {
  const heaviest = heaviestMeasure(p.measures)
  if (p.procedure === 'simple' || heaviest === 'warning') return undefined
  const decided = new Date(p.decidedAt)
  const threshold = p.individual
    ? params.lowerAmountThreshold.individual
    : params.lowerAmountThreshold.enterprise
  const lowerFine = heaviest === 'fine' && p.fineAmount !== undefined && fen(p.fineAmount) < fen(threshold)
  if (heaviest === 'criticism' || lowerFine) {
    return addMonthsPeriodEnd(decided, params.publicity.shortMonths).getTime()
  }
  const threeYears = addYearsPeriodEnd(decided, params.publicity.longYears).getTime()
  const restriction = p.restrictionEndsAt === undefined ? undefined : parseDate(p.restrictionEndsAt)
  return Math.max(threeYears, restriction === undefined ? 0 : endOfShanghaiDay(restriction).getTime())
}

/** When and why publicity ends (or ended): the earliest of expiry, revocation and repair. */
export const publicityEnd = (
  p: PenaltyRec,
  params: ProfileParams,
): { at: number; by: NonNullable<PublicityView['endedBy']> } | undefined => {
  const natural = naturalPublicityEnd(p, params)
  if (natural === undefined) return undefined
  let end: { at: number; by: NonNullable<PublicityView['endedBy']> } = { at: natural, by: 'expiry' }
  if (p.revokedAt !== undefined && p.revokedAt < end.at) end = { at: p.revokedAt, by: 'revoked' }
  if (p.repairedAt !== undefined && p.repairedAt < end.at) end = { at: p.repairedAt, by: 'credit-repair' }
  return end
}

/** The publicity of a penalty at `asOf`. */
export const publicityAt = (p: PenaltyRec, params: ProfileParams, asOf: number): PublicityView => {
  const end = publicityEnd(p, params)
  if (end === undefined) return { published: false, ended: false }
  const ended = end.at <= asOf
  return { published: true, until: iso(end.at), ended, ...(ended ? { endedBy: end.by } : {}) }
}

/** `penalty.decided`: one decision per `decisionNo`. */
export const decidePenalty = (s: FoldState, e: TimedEvent): void => {
  const decisionNo = text(e.data, 'decisionNo')
  const measures = texts(e.data, 'measures')
  const domain = text(e.data, 'domain')
  if (decisionNo === undefined || measures === undefined || measures.length === 0 || domain === undefined) {
    return rejected(s, e, 'EVENT_INVALID')
  }
  if (s.penalties.has(decisionNo)) return rejected(s, e, 'DUPLICATE_ENTITY')
  const fineAmount = numeric(e.data, 'fineAmount')
  const restrictionEndsAt = text(e.data, 'restrictionEndsAt')
  const kind = s.kind ?? s.registration?.kind
  s.penalties.set(decisionNo, {
    decisionNo,
    decidedAt: e.at,
    decidedBy: e.source,
    measures: [...new Set(measures)],
    domain,
    ...(fineAmount === undefined ? {} : { fineAmount }),
    aggravated: flag(e.data, 'aggravated'),
    procedure: text(e.data, 'procedure') === 'simple' ? 'simple' : 'ordinary',
    ...(restrictionEndsAt === undefined ? {} : { restrictionEndsAt }),
    individual: kind === 'individual',
    ref: e.ref,
  })
  applied(s, e)
}

/** `penalty.revoked`: only the deciding agency; ends publicity and penalty-based serious listings. */
export const revokePenalty = (s: FoldState, e: TimedEvent): void => {
  const decisionNo = text(e.data, 'decisionNo')
  const penalty = decisionNo === undefined ? undefined : s.penalties.get(decisionNo)
  if (penalty === undefined) return rejected(s, e, 'PENALTY_NOT_FOUND')
  if (penalty.decidedBy !== e.source) return rejected(s, e, 'NOT_DECIDING_AGENCY')
  if (penalty.revokedAt !== undefined) return rejected(s, e, 'PENALTY_ALREADY_REVOKED')
  penalty.revokedAt = e.at
  endSeriousForRevokedPenalty(s, penalty.decisionNo, e.at)
  applied(s, e)
}
