/**
 * The credit profile as a pure fold of one enterprise's history (architecture principle 2): events
 * in event order, interleaved with the system's own time-driven decisions, up to asOf.
 */
import { change, deregister, recordInspection, register, registrationFacts } from './enterprise.js'
import { fileAnnualReport } from './annual-reports.js'
import {
  enterAbnormal,
  enterSerious,
  removeAbnormal,
  removeSerious,
  ANNUAL_REPORT_REASON,
} from './listings.js'
import { nextChangeAt } from './next-change.js'
import { orderHistory, iso, type TimedEvent } from './order.js'
import { defaultProfileParams, type ProfileParams } from './params.js'
import { decidePenalty, revokePenalty } from './penalties.js'
import {
  changeRecallStatus,
  markObligationFulfilled,
  markObligationOverdue,
  markObligationVoided,
  obligationFacts,
  statusGenerations,
} from './recalls.js'
import { applyForRepair, decideRepair } from './repair.js'
import { armAnnualReports, fireTrigger, peekTrigger } from './rules.js'
import { RECALL_SOURCE, RULES_SOURCE, numeric, rejected, text, type FoldState } from './state.js'
import type { Derivation, HistoryEvent, Outcome } from './types.js'
import { fullProfile } from './views.js'

type Handler = (s: FoldState, e: TimedEvent) => void

const HANDLERS: Readonly<Record<string, Handler>> = {
  'enterprise.registered': register,
  'enterprise.changed': change,
  'enterprise.deregistered': deregister,
  'annual-report.filed': fileAnnualReport,
  'inspection.recorded': recordInspection,
  'penalty.decided': decidePenalty,
  'penalty.revoked': revokePenalty,
  'abnormal-list.entered': enterAbnormal,
  'abnormal-list.removed': removeAbnormal,
  'serious-list.entered': enterSerious,
  'serious-list.removed': removeSerious,
  'credit-repair.applied': applyForRepair,
  'credit-repair.decided': decideRepair,
  'recall.status-changed': changeRecallStatus,
  'recall.obligation-overdue': markObligationOverdue,
  'recall.obligation-fulfilled': markObligationFulfilled,
  'recall.obligation-voided': markObligationVoided,
}

const apply = (s: FoldState, e: TimedEvent): void => {
  const handler = HANDLERS[e.type]
  if (handler === undefined) return rejected(s, e, 'EVENT_TYPE_UNKNOWN')
  // Only the recall service speaks for recalls, and it speaks of nothing else (contract §4.1).
  const recallType = e.type.startsWith('recall.')
  if (recallType !== (e.source === RECALL_SOURCE) || (!recallType && e.source.startsWith('ecrs.'))) {
    return rejected(s, e, 'SOURCE_NOT_ALLOWED')
  }
  handler(s, e)
}

// What the fold must know before it starts: the registration (owed years and rule triggers hang on
// it, and events before it count once it exists), the deregistration, the years an agency listed.
const createState = (events: readonly TimedEvent[], asOf: number, params: ProfileParams): FoldState => {
  const regIndex = events.findIndex(
    (e) => e.type === 'enterprise.registered' && registrationFacts(e.data) !== undefined,
  )
  const regEvent = events[regIndex]
  const facts = regEvent === undefined ? undefined : registrationFacts(regEvent.data)
  const dereg = events.find((e, i) => i > regIndex && regIndex >= 0 && e.type === 'enterprise.deregistered')
  const agencyListedYears = new Set<number>()
  const listingIds = new Set<string>()
  for (const e of events) {
    if (e.type !== 'abnormal-list.entered' || e.source.startsWith('ecrs.')) continue
    const listingId = text(e.data, 'listingId')
    if (listingId === undefined || listingIds.has(listingId)) continue
    listingIds.add(listingId)
    const year = numeric(e.data, 'year')
    if (text(e.data, 'reason') === ANNUAL_REPORT_REASON && year !== undefined) agencyListedYears.add(year)
  }
  return {
    uscc: regEvent?.subject ?? events[0]?.subject ?? '',
    params,
    asOf,
    ...(regEvent === undefined || facts === undefined
      ? {}
      : {
          registration: {
            at: regEvent.at,
            registeredAt: facts.registeredAt,
            year: facts.year,
            kind: facts.kind,
          },
        }),
    ...(dereg === undefined ? {} : { deregistrationAt: dereg.at }),
    agencyListedYears,
    statusGenerations: statusGenerations(events.filter((e) => e.source === RECALL_SOURCE)),
    publishedDecisions: new Map(events.filter((e) => e.source === RULES_SOURCE).map((e) => [e.id, e])),
    registered: false,
    reports: new Map(),
    abnormal: new Map(),
    serious: new Map(),
    penalties: new Map(),
    inspections: new Map(),
    repairs: new Map(),
    recalls: new Map(),
    obligations: new Map(),
    outcomes: new Map(),
    decisions: [],
    superseded: new Set(),
    triggers: [],
  }
}

// Rule 6: an `ecrs.rules` event stands only while the computation still produces it.
const judgeSystemEvents = (s: FoldState, events: readonly TimedEvent[]): void => {
  const computed = new Set(s.decisions.map((d) => d.id))
  for (const e of events) {
    if (e.source !== RULES_SOURCE) continue
    const outcome: Outcome = computed.has(e.id)
      ? { status: 'applied' }
      : { status: 'rejected', reason: s.superseded.has(e.id) ? 'SUPERSEDED' : 'PREMISE_VOID' }
    s.outcomes.set(e.key, outcome)
  }
}

/**
 * Everything derived from one enterprise's history at `asOf`: the profile, the outcome of each event
 * with `time` ≤ asOf, the system decisions due by then, and the next change with time alone. Pure:
 * the same history, in any order, gives the same result.
 */
export const derive = (
  history: readonly HistoryEvent[],
  asOf: Date,
  params: ProfileParams = defaultProfileParams,
): Derivation => {
  const asOfMs = asOf.getTime()
  const ordered = orderHistory(history)
  const events = ordered.events.filter((e) => e.at <= asOfMs)
  const s = createState(events, asOfMs, params)
  armAnnualReports(s)
  let next = 0
  let steps = 0
  for (; ; steps++) {
    const trigger = peekTrigger(s)
    const event = events[next]
    // Events at a trigger's instant apply before it: deadlines are inclusive (contract §3), so a
    // report filed at 30 June 24:00 itself prevents the listing dated that instant.
    if (trigger !== undefined && trigger.at <= asOfMs && (event === undefined || trigger.at < event.at)) {
      fireTrigger(s, trigger)
      continue
    }
    if (event === undefined) break
    next++
    // The system's own events are not replayed: their decisions are recomputed, then judged.
    if (event.source !== RULES_SOURCE) apply(s, event)
  }
  judgeSystemEvents(s, events)
  for (const key of ordered.invalid) s.outcomes.set(key, { status: 'rejected', reason: 'EVENT_INVALID' })
  const nextChange = s.registered ? nextChangeAt(s) : undefined
  const profile = fullProfile(s, nextChange)
  const decisions =
    profile === undefined ? [] : [...s.decisions].sort((a, b) => Date.parse(a.time) - Date.parse(b.time))
  return {
    profile,
    outcomes: s.outcomes,
    decisions,
    steps,
    ...(profile === undefined || nextChange === undefined ? {} : { nextChangeAt: iso(nextChange) }),
    obligations: profile === undefined ? [] : obligationFacts(s),
    ...(profile === undefined || s.registration === undefined
      ? {}
      : { registeredTime: iso(s.registration.at) }),
  }
}
