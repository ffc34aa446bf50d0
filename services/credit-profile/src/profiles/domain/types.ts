/**
 * The shapes the credit-profile domain reads and produces (contract.md §6). Dates are ISO strings
 * (`2025-07-01T00:00:00.000Z`) so a profile can be stored and served as it is.
 */

/** One applied event of an enterprise's history, as stored (the `data` already parsed). */
export interface HistoryEvent {
  readonly source: string
  readonly id: string
  readonly type: string
  readonly subject: string
  /** RFC 3339 with offset: when the fact took effect. */
  readonly time: string
  /** ISO instant: when the system learned of it. */
  readonly recordedAt: string
  readonly data: Readonly<Record<string, unknown>>
}

/** Names the event a fact comes from. */
export interface EventRef {
  readonly source: string
  readonly id: string
}

/** How the profile judged one event of the history. */
export interface Outcome {
  readonly status: 'applied' | 'rejected'
  readonly reason?: string
}

/** A decision the system takes itself, to be published as an `ecrs.rules` event (contract §6). */
export interface RuleDecision {
  /** Deterministic: the same premise always gives the same id. */
  readonly id: string
  readonly type: 'abnormal-list.entered' | 'serious-list.entered' | 'serious-list.removed'
  readonly subject: string
  /** The legal trigger instant (ISO), never the moment the code ran. */
  readonly time: string
  readonly data: Record<string, unknown>
}

/** One owed annual report. */
export interface AnnualReportView {
  readonly year: number
  readonly status: 'filed' | 'filed-late' | 'overdue' | 'not-yet-due'
  readonly dueBy: string
  /** The first filing; corrections are in `versions`. */
  readonly filedAt?: string
  readonly versions: readonly (EventRef & { readonly filedAt: string })[]
}

/** An entry of the abnormal-operations list. */
export interface AbnormalListingView {
  readonly listingId: string
  readonly reason: string
  readonly year?: number
  readonly listedAt: string
  readonly listedBy: string
  readonly recordedAt: string
  readonly active: boolean
  readonly removedAt?: string
  readonly removalReason?: string
  /** The listing date came from working days the calendar data does not cover yet. */
  readonly provisional?: boolean
  readonly provenance: EventRef
}

/** An entry of the serious-violations list. */
export interface SeriousListingView {
  readonly listingId: string
  readonly basis: string
  readonly decisionNo?: string
  /** For `abnormal-list-3-years`: the abnormal listing it escalates. */
  readonly abnormalListingId?: string
  readonly listedAt: string
  readonly listedBy: string
  readonly recordedAt: string
  readonly active: boolean
  readonly endsAt: string
  readonly removedAt?: string
  readonly removalReason?: string
  readonly provenance: EventRef
}

/** The publicity of a penalty on the public profile (Order 45). */
export interface PublicityView {
  /** Whether the decision is of a kind that is published at all. */
  readonly published: boolean
  /** When publicity ends (or ended); present whenever published. */
  readonly until?: string
  readonly ended: boolean
  readonly endedBy?: 'expiry' | 'credit-repair' | 'revoked'
}

/** An administrative penalty decision. */
export interface PenaltyView {
  readonly decisionNo: string
  readonly decidedAt: string
  readonly decidedBy: string
  readonly measures: readonly string[]
  readonly heaviestMeasure: string
  readonly domain: string
  readonly fineAmount?: number
  readonly aggravated: boolean
  readonly procedure: 'ordinary' | 'simple'
  readonly restrictionEndsAt?: string
  readonly revoked: boolean
  readonly revokedAt?: string
  readonly publicity: PublicityView
  readonly provenance: EventRef
}

/** An inspection and its findings. */
export interface InspectionView {
  readonly inspectionId: string
  readonly kind: string
  readonly inspectedAt: string
  readonly agency: string
  readonly results: readonly string[]
  readonly provenance: EventRef
}

/** A recall case as the credit profile sees it (from `ecrs.recall` events). */
export interface RecallView {
  readonly recallId: string
  readonly status: string
  readonly published: boolean
  readonly ordered: boolean
  readonly productName?: string
  /** Obligations of the case overdue and not yet fulfilled. */
  readonly overdueObligations: number
}

/** A joint-punishment measure in force (contract §6 rule 7). */
export interface RestrictionView {
  readonly measure: string
  readonly since: string
  readonly until?: string
  readonly because: readonly EventRef[]
}

/** One factor of the risk score. */
export interface RiskFactor {
  readonly code: string
  readonly points: number
  readonly because: readonly EventRef[]
}

/** The credit-risk class (regulators only). */
export interface RiskView {
  readonly class: 'A' | 'B' | 'C' | 'D'
  readonly score: number
  readonly modelVersion: string
  readonly factors: readonly RiskFactor[]
}

/** The full credit profile (regulators). */
export interface FullProfile {
  readonly uscc: string
  readonly name: string
  readonly region: string
  readonly kind: string
  readonly registeredAt: string
  readonly legalRepresentative?: string
  readonly address?: string
  readonly status: 'active' | 'deregistered'
  readonly deregisteredAt?: string
  readonly asOf: string
  readonly annualReports: readonly AnnualReportView[]
  readonly abnormalListings: readonly AbnormalListingView[]
  readonly seriousListings: readonly SeriousListingView[]
  readonly penalties: readonly PenaltyView[]
  readonly inspections: readonly InspectionView[]
  readonly recalls: readonly RecallView[]
  readonly restrictions: readonly RestrictionView[]
  readonly risk: RiskView
  readonly nextChangeAt?: string
}

/**
 * The public view: no risk, no restrictions (the firm gets those beside it), no personal data;
 * penalties only while published, serious listings only while active, recalls only when published.
 */
export type PublicProfile = Omit<FullProfile, 'risk' | 'restrictions' | 'legalRepresentative' | 'address'>

/**
 * A recall obligation as the change feed sees it (contract §8): the latest decision of the recall
 * service that says it is overdue, due before asOf and unsettled, or settled (fulfilled late or voided).
 */
export interface ObligationFact {
  readonly recallId: string
  readonly obligationId: string
  /** The due instant (ISO): the obligation is overdue from just after it. */
  readonly dueAt: string
  /** When it was fulfilled late or voided (ISO); absent while it is overdue. */
  readonly settledAt?: string
}

/** Everything derived from one enterprise's history at an instant. */
export interface Derivation {
  /** Undefined: not registered (yet) at asOf. */
  readonly profile: FullProfile | undefined
  /** For every history event with `time` ≤ asOf, keyed `${source}/${id}`. */
  readonly outcomes: ReadonlyMap<string, Outcome>
  /** The system decisions whose trigger time is ≤ asOf, in time order. */
  readonly decisions: readonly RuleDecision[]
  /**
   * The fold's steps: events applied and rule triggers taken. It grows with the history and the
   * owed years up to asOf, never with the days or quarters spanned (asOf is bounded at the door).
   */
  readonly steps: number
  /** The earliest instant after asOf at which the profile can change with time alone. */
  readonly nextChangeAt?: string
  /** The recall obligations said overdue (see {@link ObligationFact}); the profile shows only counts. */
  readonly obligations: readonly ObligationFact[]
  /** The time of the applied `enterprise.registered` (ISO), whenever there is a profile. */
  readonly registeredTime?: string
}
