/**
 * The recall case as a pure fold of its history (architecture principle 2): events in contract §3
 * order, time advanced between them so deadlines fire at their legal instant, each step judged and
 * applied or rejected. The same history and `asOf` always give the same case, outcomes and decisions,
 * whatever order the events arrived in.
 */
import { advance, nextDeadline } from './obligations.js'
import { evolve } from './evolve.js'
import { eventKey, orderHistory, type TimedEvent } from './order.js'
import { assertRecallParams, type RecallParams } from './params.js'
import { EMPTY_LEDGER, reconcile, type StatusTruth } from './reconcile.js'
import { judgeStep } from './status-machine.js'
import { isRecallStepType, readStepData } from './steps.js'
import type { CaseEvent, Derivation, Outcome, RecallCase, RecallDecision, RejectReason } from './types.js'

const rejected = (reason: RejectReason): Outcome => ({ status: 'rejected', reason })
const APPLIED: Outcome = { status: 'applied' }

interface Applied {
  readonly outcome: Outcome
  readonly case: RecallCase | undefined
  readonly status?: RecallDecision
}

// Judges one event against the case as it stands at the event's time; a rejected step changes nothing.
const apply = (c: RecallCase | undefined, t: TimedEvent, params: RecallParams): Applied => {
  const e = t.event
  const refuse = (reason: RejectReason): Applied => ({ outcome: rejected(reason), case: c })
  if (!isRecallStepType(e.type)) return refuse('EVENT_TYPE_UNKNOWN')
  const data = readStepData(e.type, e.data)
  if (data === undefined) return refuse('EVENT_INVALID')
  const check = judgeStep(c, {
    type: e.type,
    // Ingest lets a firm publish only as `firm:<its uscc>`; every other source of a recall step is an agency.
    party: e.source.startsWith('firm:') ? 'firm' : 'agency',
    subject: e.subject,
    recallId: data.recallId,
    ...(data.kind === 'units' ? { unitsRemedied: data.unitsRemedied } : {}),
  })
  if (!check.ok) return refuse(check.reason)
  const changed = evolve(c, { event: e, type: e.type, data, at: t.at }, params)
  return { outcome: APPLIED, case: changed.case, ...(changed.status ? { status: changed.status } : {}) }
}

/**
 * Derives a recall case from its events (one `recallId`; the consumer groups them) as of `asOf`:
 * only events whose `time` ≤ asOf count. Returns the case, an outcome per counted event, the status
 * changes in event order, the decisions the whole history calls for as `ecrs.recall` (what a service
 * that had published nothing yet would publish; see reconcile.ts for one that had), and
 * `nextChangeAt`, the earliest later instant at which a deadline passes, a progress period begins,
 * or a counted-later event takes effect.
 *
 * @throws RangeError for parameters that are not whole, non-negative periods (see assertRecallParams).
 */
export const derive = (events: readonly CaseEvent[], asOf: Date, params: RecallParams): Derivation => {
  assertRecallParams(params)
  const { counted, untimed, nextEventAt } = orderHistory(events, asOf)
  const outcomes = new Map<string, Outcome>()
  for (const e of untimed) outcomes.set(eventKey(e), rejected('EVENT_INVALID'))
  const statuses: StatusTruth[] = []
  let c: RecallCase | undefined
  for (const t of counted) {
    if (c !== undefined) c = advance(c, t.at, params)
    const result = apply(c, t, params)
    outcomes.set(eventKey(t.event), result.outcome)
    c = result.case
    if (result.status !== undefined) statuses.push({ step: t.event, decision: result.status })
  }
  let next = nextEventAt
  if (c !== undefined) {
    c = advance(c, asOf.getTime(), params)
    const deadline = nextDeadline(c, params)
    if (deadline !== undefined) next = next === undefined ? deadline : Math.min(next, deadline)
  }
  return {
    case: c,
    outcomes,
    statuses,
    decisions: reconcile(c, statuses, EMPTY_LEDGER).decisions,
    ...(next === undefined ? {} : { nextChangeAt: new Date(next).toISOString() }),
  }
}
