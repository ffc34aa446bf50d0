/**
 * The obligation periods of a recall, per product category (contract §7 table). The legal numbers
 * behind them are partly unconfirmed (domain-rules R30, R32, R33 are [M]), so every one is
 * configuration; these are the contract's defaults.
 */
import type { ProductCategory } from './types.js'

/** The deadlines of one product category, in working days (WD) or months. */
export interface Template {
  /** `submit-plan` after `recall.initiated` / `recall.ordered`. */
  readonly submitPlanWd: number
  /** `submit-plan` again after a `recall.plan-returned`. */
  readonly resubmitPlanWd: number
  /** `publish-notice` after `recall.plan-accepted`. */
  readonly publishNoticeWd: number
  /** `notify-owners` after `recall.plan-accepted`; absent where the category has no such duty. */
  readonly notifyOwnersWd?: number
  /** The length of each `progress-report` period, counted from the notice. */
  readonly progressPeriodMonths: number
  /** `submit-summary` after `recall.completed`. */
  readonly submitSummaryWd: number
}

/** The recall rules' parameters: one template per product category. */
export interface RecallParams {
  readonly templates: Readonly<Record<ProductCategory, Template>>
}

/** The contract §7 defaults: 10 / 10 / 3 (vehicles 5) WD, vehicles 30 WD to notify owners, 3 months, 15 WD. */
export const defaultRecallParams: RecallParams = Object.freeze({
  templates: Object.freeze({
    'consumer-product': Object.freeze({
      submitPlanWd: 10,
      resubmitPlanWd: 10,
      publishNoticeWd: 3,
      progressPeriodMonths: 3,
      submitSummaryWd: 15,
    }),
    vehicle: Object.freeze({
      submitPlanWd: 10,
      resubmitPlanWd: 10,
      publishNoticeWd: 5,
      notifyOwnersWd: 30,
      progressPeriodMonths: 3,
      submitSummaryWd: 15,
    }),
  }),
})

const isCount = (n: unknown, min: number): boolean =>
  typeof n === 'number' && Number.isSafeInteger(n) && n >= min

const WORKING_DAY_FIELDS = [
  'submitPlanWd',
  'resubmitPlanWd',
  'publishNoticeWd',
  'notifyOwnersWd',
  'submitSummaryWd',
] as const satisfies readonly (keyof Template)[]

/**
 * Checks that every period is a whole number of working days (≥ 0) or months (≥ 1): a 0-month
 * progress period would open periods without end. Configuration errors are programmer errors here.
 *
 * @throws RangeError naming the first bad value.
 */
export const assertRecallParams = (params: RecallParams): void => {
  for (const [category, t] of Object.entries(params.templates)) {
    for (const name of WORKING_DAY_FIELDS) {
      const n = t[name]
      if (n !== undefined && !isCount(n, 0))
        throw new RangeError(`${category}.${name} must be an integer ≥ 0`)
    }
    if (!isCount(t.progressPeriodMonths, 1))
      throw new RangeError(`${category}.progressPeriodMonths must be an integer ≥ 1`)
  }
}
