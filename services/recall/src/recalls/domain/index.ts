/**
 * The recall domain: a case as a pure fold of its events, the producer's obligations and their
 * working-day deadlines, the decisions the service publishes as `ecrs.recall`, and the command check.
 * No I/O: time (`asOf`) and parameters come in as arguments.
 *
 * Where contract.md §7 is silent, this domain decides:
 * - on time means strictly before the due instant (24:00 is already the next day); an obligation is
 *   overdue from its due instant, and a progress period begins at the previous one's end;
 * - `recall.obligation-fulfilled` is published for late fulfilments only (§7); on-time ones are
 *   visible in the case but change nothing in the profile;
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
