/**
 * The configurable numbers of the credit-profile rules (contract.md §6). Domain-rules.md tags most of
 * them [S] or [M]: defaults to confirm, not constants, so every one is a parameter.
 */

/** Weights, caps, windows and class thresholds of the risk model. */
export interface RiskParams {
  readonly abnormalFirst: number
  readonly abnormalFurther: number
  readonly abnormalMax: number
  readonly penaltyHeavy: number
  readonly penalty: number
  readonly penaltyWindowYears: number
  readonly inspectionFailed: number
  readonly inspectionNonCooperation: number
  readonly inspectionWindowYears: number
  readonly recallObligationOverdue: number
  readonly recallOrdered: number
  readonly recallOrderedWindowYears: number
  readonly annualReportLate: number
  readonly annualReportLateWindowYears: number
  /** The least score of each class above A. */
  readonly classFrom: { readonly B: number; readonly C: number; readonly D: number }
}

/** Everything the profile rules can be configured with. */
export interface ProfileParams {
  /** Names this configuration; reported with every risk class. */
  readonly modelVersion: string
  /** The first year for which an annual report is owed (the regulation took effect in 2014). */
  readonly annualReportsFrom: number
  /** A fine below this (CNY) is a lower-amount fine: 3 months of publicity. */
  readonly lowerAmountThreshold: { readonly enterprise: number; readonly individual: number }
  readonly publicity: { readonly shortMonths: number; readonly longYears: number }
  readonly listing: {
    /** Abnormal listing with the obligation unmet this long → serious listing. */
    readonly abnormalToSeriousYears: number
    /** A serious listing ends after this long. */
    readonly seriousYears: number
    /** The legal representative is barred this long from a serious listing's date. */
    readonly legalRepresentativeBanYears: number
  }
  readonly repair: {
    readonly penaltyMonths: number
    /** For penalties in the domains below. */
    readonly sensitivePenaltyMonths: number
    readonly sensitiveDomains: readonly string[]
    readonly seriousMinYears: number
  }
  readonly risk: RiskParams
  /** Agencies that may remove `ecrs.rules` listings; undefined means any agency. */
  readonly registrationAuthorities?: readonly string[]
}

/** Risk model v1 and the rule periods exactly as contract.md §6 states them. */
export const defaultProfileParams: ProfileParams = Object.freeze({
  modelVersion: 'v1',
  annualReportsFrom: 2014,
  lowerAmountThreshold: { enterprise: 100_000, individual: 10_000 },
  publicity: { shortMonths: 3, longYears: 3 },
  listing: { abnormalToSeriousYears: 3, seriousYears: 3, legalRepresentativeBanYears: 3 },
  repair: {
    penaltyMonths: 6,
    sensitivePenaltyMonths: 12,
    sensitiveDomains: ['food', 'drug', 'special-equipment'],
    seriousMinYears: 1,
  },
  risk: {
    abnormalFirst: 30,
    abnormalFurther: 10,
    abnormalMax: 50,
    penaltyHeavy: 25,
    penalty: 10,
    penaltyWindowYears: 3,
    inspectionFailed: 10,
    inspectionNonCooperation: 20,
    inspectionWindowYears: 2,
    recallObligationOverdue: 15,
    recallOrdered: 10,
    recallOrderedWindowYears: 3,
    annualReportLate: 5,
    annualReportLateWindowYears: 3,
    classFrom: { B: 10, C: 30, D: 60 },
  },
})
