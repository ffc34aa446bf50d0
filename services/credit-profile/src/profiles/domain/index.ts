/**
 * The pure domain of the credit-profile service: the fold of an enterprise's history into its
 * profile, the system's own decisions, the public view and the search fields. No I/O; the clock is
 * the `asOf` parameter.
 */
export { derive } from './fold.js'
export {
  overdueOnly,
  profileChanges,
  profileFacts,
  VOIDED_REASON,
  type ChangeContext,
  type ChangeGroup,
  type ProfileFacts,
} from './changes.js'
export { defaultProfileParams, type ProfileParams, type RiskParams } from './params.js'
export { publicView, searchFields, type SearchFields } from './views.js'
export { compareEvents, eventKey } from './order.js'
export { MEASURE_SEVERITY, HEAVY_MEASURES } from './penalties.js'
export { LISTING_MEASURES } from './restrictions.js'
export { FACTOR_CODES } from './risk.js'
export { RULES_SOURCE, RECALL_SOURCE } from './state.js'
export type {
  AbnormalListingView,
  AnnualReportView,
  Derivation,
  EventRef,
  FullProfile,
  HistoryEvent,
  InspectionView,
  ObligationFact,
  Outcome,
  PenaltyView,
  PublicProfile,
  PublicityView,
  RecallView,
  RestrictionView,
  RiskFactor,
  RiskView,
  RuleDecision,
  SeriousListingView,
} from './types.js'
