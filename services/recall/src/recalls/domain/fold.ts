/**
 * The recall case as a pure fold of its history (architecture principle 2): events in contract §3
 * order, time advanced between them so deadlines fire at their legal instant, each step judged and
 * applied or rejected. The same history and `asOf` always give the same case, outcomes and decisions,
 * whatever order the events arrived in.
 */
import { parseInstant } from '@ecrs/contracts'
import { advance, nextDeadline } from './obligations.js'
import { evolve } from './evolve.js'
import { eventKey, orderHistory, type TimedEvent } from './order.js'
import { assertRecallParams, type RecallParams } from './params.js'
import { judgeStep } from './status-machine.js'
import { isRecallStepType, readStepData } from './steps.js'
import type { CaseEvent, Derivation, Outcome, RecallCase, RecallDecision, RejectReason } from './types.js'

const rejected = (reason: RejectReason): Outcome => ({ status: 'rejected', reason })
const APPLIED: Outcome = { status: 'applied' }

interface Applied {
  readonly outcome: Outcome
  readonly case: RecallCase | undefined
  readonly decisions: readonly RecallDecision[]
}

// Judges one event against the case as it stands at the event's time; a rejected step changes nothing.
const apply = (c: RecallCase | undefined, t: TimedEvent, params: RecallParams): Applied => {
  const e = t.event
  const refuse = (reason: RejectReason): Applied => ({ outcome: rejected(reason), case: c, decisions: [] })
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
  return { outcome: APPLIED, ...changed }
}

// Decision times are parsed instants (due instants) or step times that ordering already parsed.
const instantOf = (s: string): number => parseInstant(s)?.getTime() ?? Number.NaN

const byTimeThenId = (a: RecallDecision, b: RecallDecision): number =>
  instantOf(a.time) - instantOf(b.time) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

/**
 * Derives a recall case from its events (one `recallId`; the consumer groups them) as of `asOf`:
 * only events whose `time` ≤ asOf count. Returns the case, an outcome per counted event, every
 * decision the service must publish as `ecrs.recall` up to `asOf` (publishing one again is harmless:
 * the ids are deterministic), and `nextChangeAt`, the earliest later instant at which a deadline
 * passes, a progress period begins, or a counted-later event takes effect.
 *
 * @throws RangeError for parameters that are not whole, non-negative periods (see assertRecallParams).
 */
export const derive = (events: readonly CaseEvent[], asOf: Date, params: RecallParams): Derivation => {
  assertRecallParams(params)
  const { counted, untimed, nextEventAt } = orderHistory(events, asOf)
  const outcomes = new Map<string, Outcome>()
  for (const e of untimed) outcomes.set(eventKey(e), rejected('EVENT_INVALID'))
  const decisions: RecallDecision[] = []
  let c: RecallCase | undefined
  for (const t of counted) {
    if (c !== undefined) {
      const moved = advance(c, t.at, params)
      c = moved.case
      decisions.push(...moved.decisions)
    }
    const result = apply(c, t, params)
    outcomes.set(eventKey(t.event), result.outcome)
    c = result.case
    decisions.push(...result.decisions)
  }
  let next = nextEventAt
  if (c !== undefined) {
    const moved = advance(c, asOf.getTime(), params)
    c = moved.case
    decisions.push(...moved.decisions)
    const deadline = nextDeadline(c, params)
    if (deadline !== undefined) next = next === undefined ? deadline : Math.min(next, deadline)
  }
  decisions.sort(byTimeThenId)
  return {
    case: c,
    outcomes,
    decisions,
    ...(next === undefined ? {} : { nextChangeAt: new Date(next).toISOString() }),
  }
}
