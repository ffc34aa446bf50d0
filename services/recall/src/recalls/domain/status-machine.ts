/**
 * Which step may follow which (contract §7 statuses) and who may take it. One judge serves the fold
 * (events already published) and the synchronous command checks (events about to be published), so
 * a command that passes its check is applied by the consumer.
 */
import { AGENCY_ONLY_STEPS, isRecallStepType, type RecallStepType } from './steps.js'
import type { Actor, Check, RecallCase, RecallStatus, RejectReason } from './types.js'

// The steps that change an existing case, with the statuses they may follow and the one they lead to
// ('same': the status stays). Opening steps are judged apart: they create the case.
const MOVES: Readonly<
  Record<
    Exclude<RecallStepType, 'recall.initiated' | 'recall.ordered'>,
    { readonly from: readonly RecallStatus[]; readonly to: RecallStatus | 'same' }
  >
> = {
  'recall.plan-submitted': { from: ['initiated', 'ordered', 'plan-returned'], to: 'plan-submitted' },
  'recall.plan-accepted': { from: ['plan-submitted'], to: 'plan-accepted' },
  'recall.plan-returned': { from: ['plan-submitted'], to: 'plan-returned' },
  'recall.notice-published': { from: ['plan-accepted'], to: 'in-progress' },
  'recall.progress-reported': { from: ['in-progress'], to: 'same' },
  'recall.completed': { from: ['in-progress'], to: 'completed' },
  'recall.summary-submitted': { from: ['completed'], to: 'summary-submitted' },
  // An agency may close a case at any stage, e.g. when the defect turns out not to exist.
  'recall.closed': {
    from: [
      'initiated',
      'ordered',
      'plan-submitted',
      'plan-accepted',
      'plan-returned',
      'in-progress',
      'completed',
      'summary-submitted',
    ],
    to: 'closed',
  },
}

/** A step about to be judged: what the envelope (or the command's caller) says. */
export interface StepRequest {
  readonly type: string
  /** A `firm:` source is a firm; any other publisher of recall steps is an agency. */
  readonly party: 'firm' | 'agency'
  /** The producer the step claims to be about; omitted when the caller names no subject. */
  readonly subject?: string
  /** The case the step names; omitted when the caller already picked the case. */
  readonly recallId?: string
  /** For progress and completion: the cumulative units remedied. */
  readonly unitsRemedied?: number
}

const refuse = (reason: RejectReason): Check => ({ ok: false, reason })
const OK: Check = { ok: true }

/** Whether `r` may be applied to `c` (undefined: no case yet), and if not, why. */
export const judgeStep = (c: RecallCase | undefined, r: StepRequest): Check => {
  if (!isRecallStepType(r.type)) return refuse('EVENT_TYPE_UNKNOWN')
  const type = r.type
  if (r.party === 'firm' && AGENCY_ONLY_STEPS.has(type)) return refuse('NOT_ALLOWED')
  const opening = type === 'recall.initiated' || type === 'recall.ordered'
  if (c === undefined) return opening ? OK : refuse('RECALL_NOT_FOUND')
  if (r.recallId !== undefined && r.recallId !== c.recallId) return refuse('RECALL_NOT_FOUND')
  // A second opening creates a thing that exists (contract §3 entity keys), whoever sends it.
  if (type === 'recall.initiated' || (type === 'recall.ordered' && c.ordered))
    return refuse('DUPLICATE_ENTITY')
  if (r.subject !== undefined && r.subject !== c.producer.uscc) return refuse('SUBJECT_MISMATCH')
  if (c.status === 'closed') return refuse('RECALL_CLOSED')
  // An order for a voluntary recall turns it into an ordered one, at whatever stage it is.
  if (type === 'recall.ordered') return OK
  if (!MOVES[type].from.includes(c.status)) return refuse('RECALL_TRANSITION_INVALID')
  if (r.unitsRemedied !== undefined) {
    if (r.unitsRemedied < c.unitsRemedied) return refuse('UNITS_DECREASED')
    if (r.unitsRemedied > c.unitsAffected) return refuse('UNITS_EXCEED_AFFECTED')
  }
  return OK
}

/**
 * The status of `c` after an applied step of `type` (one that {@link judgeStep} accepted). An order
 * moves a voluntary recall that has not gone further than `initiated` to `ordered`; later stages keep
 * their status and only the `ordered` flag changes.
 */
export const statusAfter = (c: RecallCase, type: RecallStepType): RecallStatus => {
  if (type === 'recall.initiated') return 'initiated'
  if (type === 'recall.ordered') return c.status === 'initiated' ? 'ordered' : c.status
  const to = MOVES[type].to
  return to === 'same' ? c.status : to
}

const unitsOf = (data: Readonly<Record<string, unknown>> | undefined): number | undefined => {
  const v = data?.unitsRemedied
  return typeof v === 'number' ? v : undefined
}

/**
 * Checks a command before its event is published (contract §7: 409 `RECALL_TRANSITION_INVALID` and
 * friends): the case's state and the actor's rights. A firm acts only on its own cases and only takes
 * firm-side steps; agencies take every step (they may act for the firm). Pass the command's `data`
 * to have progress and completion units checked too.
 */
export const checkTransition = (
  c: RecallCase | undefined,
  type: string,
  actor: Actor,
  data?: Readonly<Record<string, unknown>>,
): Check => {
  const units = type === 'recall.progress-reported' || type === 'recall.completed' ? unitsOf(data) : undefined
  return judgeStep(c, {
    type,
    party: actor.kind,
    ...(actor.kind === 'firm' ? { subject: actor.uscc } : {}),
    ...(units === undefined ? {} : { unitsRemedied: units }),
  })
}
