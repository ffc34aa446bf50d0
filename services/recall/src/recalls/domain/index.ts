/**
 * The recall domain: a case as a pure fold of its events, the producer's obligations and their
 * working-day deadlines, the decisions the service publishes as `ecrs.recall`, and the command check.
 * No I/O: time (`asOf`) and parameters come in as arguments.
 *
 * Where contract.md §7 is silent, this domain decides:
 * - deadlines are inclusive (§3, §7): a step at the due instant itself is on time, an obligation is
 *   overdue once its due instant has passed, and a report at a period's end belongs to that period;
 * - `recall.obligation-fulfilled` is published for late fulfilments only (§7); on-time ones are
 *   visible in the case but change nothing in the profile;
 * - an overdue decision taken on part of the history and contradicted by the rest is voided
 *   (`recall.obligation-voided`), and said again as a new generation if it comes true again
 *   (reconcile.ts);
 * - a progress report or a completion also fulfils, late, progress periods already missed, and
 *   completion (or a report) with units > 0 fulfils `notify-owners`;
 * - `recall.closed` cancels what is open and leaves what is overdue overdue;
 * - `recall.ordered` for an existing voluntary case sets `ordered` and `decisionNo` (status
 *   `initiated` becomes `ordered`) and keeps the deadlines running; a second order is a duplicate;
 * - every step's `subject` must be the producer (`SUBJECT_MISMATCH`), agency steps included;
 * - `producer.name` comes from an optional `producerName` in the opening step's data.
 */
export { derive } from './fold.js'
export { checkTransition, judgeStep, statusAfter, type StepRequest } from './status-machine.js'
export { publicCase, obligationItems, overdueCount, type ObligationItem, type PublicRecall } from './views.js'
export { assertRecallParams, defaultRecallParams, type RecallParams, type Template } from './params.js'
export { eventKey } from './order.js'
export { AGENCY_ONLY_STEPS, RECALL_STEP_TYPES, isRecallStepType, type RecallStepType } from './steps.js'
export { decisionId, obligationId } from './ids.js'
export {
  EMPTY_LEDGER,
  reconcile,
  type Ledger,
  type LedgerObligation,
  type LedgerStatus,
  type Reconciled,
  type StatusTruth,
} from './reconcile.js'
export type { VoidReason } from './decisions.js'
export type {
  Actor,
  CaseEvent,
  Check,
  Derivation,
  EventRef,
  Obligation,
  ObligationKind,
  ObligationStatus,
  Outcome,
  ProductCategory,
  RecallCase,
  RecallDecision,
  RecallDecisionType,
  RecallProduct,
  RecallStatus,
  RejectReason,
  TimelineEntry,
} from './types.js'
