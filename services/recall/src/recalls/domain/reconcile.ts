/**
 * What the service must publish so that the credit profile says what the whole history says
 * (contract §7 "Decisions on partial history are voided, not left standing").
 *
 * A case is derived again from everything known each time a step arrives or a deadline passes, and
 * history often arrives late and out of order: an obligation judged overdue on a prefix of the history
 * may turn out fulfilled on time, or never owed, once the rest arrives — and, rarely, the other way
 * round again (the step that fulfilled it turns out to be rejected). The ledger remembers what was
 * published about each obligation and each step's status; {@link reconcile} compares it with the truth
 * of the derivation and answers the decisions that bring the profile in line:
 *
 * - obligations: the n-th `recall.obligation-overdue` about an obligation is its generation n; a
 *   `recall.obligation-fulfilled` (late) or `recall.obligation-voided` of generation n settles it. The
 *   profile counts an obligation while its latest generation is overdue, not fulfilled and not voided.
 *   A void is dated no later than the due instant of the decision it voids, so `asOf` reads agree too.
 * - statuses: one `recall.status-changed` per step that changed what the profile shows; when that
 *   changes (the step became rejected, or shows something else), the step's next generation at the
 *   same `time` says what the profile should show from then on.
 *
 * Pure, and a function of (derivation, ledger) only: a crash before the ledger is saved republishes
 * the same ids; a fresh ledger (a rebuild, an all-at-once run) publishes the truth directly, under the
 * first generation's ids.
 */
import { parseInstant } from '@ecrs/contracts'
import {
  fulfilledDecision,
  overdueDecision,
  statusCorrection,
  voidedDecision,
  type ObligationRef,
  type VoidReason,
} from './decisions.js'
import type { Obligation, RecallCase, RecallDecision } from './types.js'

/** What was last published about one obligation. */
export interface LedgerObligation extends ObligationRef {
  /** The latest overdue decision's generation (1, 2, …). */
  readonly generation: number
  /** Its due instant; absent in records made before the ledger kept it (taken as matching). */
  readonly dueAt?: string
  /** Set once its late fulfilment was published. */
  readonly fulfilledAt?: string
  /** Set once it was voided. */
  readonly voided: boolean
}

/** What was last published about one step's status. */
export interface LedgerStatus {
  readonly source: string
  readonly id: string
  readonly time: string
  readonly subject: string
  readonly generation: number
  /** The `data` published, as JSON without `generation`. */
  readonly data: string
}

/** Everything published about one case that later history may contradict. */
export interface Ledger {
  readonly obligations: readonly LedgerObligation[]
  readonly statuses: readonly LedgerStatus[]
}

/** Nothing published yet. */
export const EMPTY_LEDGER: Ledger = { obligations: [], statuses: [] }

/** The result of {@link reconcile}: publish `decisions`, then remember `ledger`. */
export interface Reconciled {
  /** In (time, id) order. */
  readonly decisions: RecallDecision[]
  readonly ledger: Ledger
}

type Truth =
  | { readonly overdue: true; readonly dueAt: string; readonly fulfilledAt?: string }
  | { readonly overdue: false; readonly reason: VoidReason; readonly factAt?: string }

const ms = (s: string): number => parseInstant(s)?.getTime() ?? Number.NaN

const sameInstant = (a: string | undefined, b: string | undefined): boolean =>
  a === undefined || b === undefined ? a === b : ms(a) === ms(b)

const earlier = (a: string, b: string | undefined): string => (b !== undefined && ms(b) < ms(a) ? b : a)

// The last time a step of `type` took effect in the case (its timeline holds applied steps only).
const stepTime = (c: RecallCase | undefined, type: string): string | undefined =>
  c?.timeline.findLast((t) => t.type === type)?.time

// What the whole history says of an obligation the derivation holds.
const truthOf = (c: RecallCase, o: Obligation): Truth => {
  switch (o.status) {
    case 'overdue':
      return { overdue: true, dueAt: o.dueAt }
    case 'fulfilled':
      return o.fulfilledLate === true
        ? {
            overdue: true,
            dueAt: o.dueAt,
            ...(o.fulfilledAt === undefined ? {} : { fulfilledAt: o.fulfilledAt }),
          }
        : {
            overdue: false,
            reason: 'fulfilled-on-time',
            ...(o.fulfilledAt === undefined ? {} : { factAt: o.fulfilledAt }),
          }
    case 'cancelled': {
      const closed = stepTime(c, 'recall.closed')
      return { overdue: false, reason: 'not-owed', ...(closed === undefined ? {} : { factAt: closed }) }
    }
    case 'open':
      return { overdue: false, reason: 'not-owed' }
  }
}

// An obligation the derivation no longer holds was never owed: a progress period after completion, a
// resubmission whose return turned out rejected, anything of a case that no longer opens.
const goneTruth = (c: RecallCase | undefined, l: LedgerObligation): Truth => {
  const fact =
    (l.kind === 'progress-report' ? stepTime(c, 'recall.completed') : undefined) ??
    stepTime(c, 'recall.closed')
  return { overdue: false, reason: 'not-owed', ...(fact === undefined ? {} : { factAt: fact }) }
}

const reconcileObligation = (
  ref: ObligationRef,
  l: LedgerObligation | undefined,
  truth: Truth,
  out: RecallDecision[],
): LedgerObligation | undefined => {
  const live = l !== undefined && !l.voided
  if (!truth.overdue) {
    if (!live) return l
    // The void is dated no later than the due instant of what it voids: an asOf read between the
    // two would otherwise count the obligation there.
    const at =
      l.dueAt === undefined ? (truth.factAt ?? new Date(0).toISOString()) : earlier(l.dueAt, truth.factAt)
    out.push(voidedDecision(l, l.generation, at, truth.reason))
    return { ...l, voided: true }
  }
  const stands =
    live &&
    (l.dueAt === undefined || sameInstant(l.dueAt, truth.dueAt)) &&
    (l.fulfilledAt === undefined || sameInstant(l.fulfilledAt, truth.fulfilledAt))
  if (stands) {
    if (truth.fulfilledAt !== undefined && l.fulfilledAt === undefined)
      out.push(fulfilledDecision(l, l.generation, truth.fulfilledAt))
    return {
      ...l,
      dueAt: l.dueAt ?? truth.dueAt,
      ...(truth.fulfilledAt === undefined ? {} : { fulfilledAt: l.fulfilledAt ?? truth.fulfilledAt }),
    }
  }
  // What was said no longer holds as said (another due instant, another fulfilment): void it and
  // say it again as the next generation.
  if (live) out.push(voidedDecision(l, l.generation, l.dueAt ?? truth.dueAt, 'not-owed'))
  const generation = (l?.generation ?? 0) + 1
  out.push(overdueDecision(ref, generation, truth.dueAt))
  if (truth.fulfilledAt !== undefined) out.push(fulfilledDecision(ref, generation, truth.fulfilledAt))
  return {
    ...ref,
    generation,
    dueAt: truth.dueAt,
    ...(truth.fulfilledAt === undefined ? {} : { fulfilledAt: truth.fulfilledAt }),
    voided: false,
  }
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

const reconcileObligations = (
  c: RecallCase | undefined,
  ledger: readonly LedgerObligation[],
  out: RecallDecision[],
): LedgerObligation[] => {
  const before = new Map(ledger.map((l) => [l.obligationId, l]))
  const next = new Map<string, LedgerObligation>()
  for (const o of c?.obligations ?? []) {
    if (c === undefined) break
    const ref: ObligationRef = {
      recallId: c.recallId,
      subject: c.producer.uscc,
      obligationId: o.obligationId,
      kind: o.kind,
    }
    const l = reconcileObligation(ref, before.get(o.obligationId), truthOf(c, o), out)
    if (l !== undefined) next.set(o.obligationId, l)
  }
  for (const l of [...before.values()].sort((a, b) => compareText(a.obligationId, b.obligationId))) {
    if (next.has(l.obligationId)) continue
    next.set(l.obligationId, reconcileObligation(l, l, goneTruth(c, l), out) ?? l)
  }
  return [...next.values()].sort((a, b) => compareText(a.obligationId, b.obligationId))
}

const stepKey = (s: { source: string; id: string }): string => `${s.source}/${s.id}`

// The data of a status decision without its generation: what the profile shows from that step on.
const shownData = (d: RecallDecision): string => {
  const { generation: _g, step: _s, ...data } = d.data
  return JSON.stringify(data)
}

/** The step a truth status decision speaks for: its time, and (source, id) from the timeline. */
export interface StatusTruth {
  readonly step: { readonly source: string; readonly id: string; readonly time: string }
  readonly decision: RecallDecision
}

const reconcileStatuses = (
  truth: readonly StatusTruth[],
  ledger: readonly LedgerStatus[],
  out: RecallDecision[],
): LedgerStatus[] => {
  const before = new Map(ledger.map((l) => [stepKey(l), l]))
  const next = new Map<string, LedgerStatus>()
  const record = (
    l: LedgerStatus | undefined,
    step: StatusTruth['step'],
    subject: string,
    data: string,
  ): void => {
    const generation = (l?.generation ?? 0) + 1
    out.push(statusCorrection(subject, step, generation, JSON.parse(data) as Record<string, unknown>))
    next.set(stepKey(step), { ...step, subject, generation, data })
  }
  for (const t of truth) {
    const l = before.get(stepKey(t.step))
    const data = shownData(t.decision)
    if (l !== undefined && l.data === data) next.set(stepKey(l), l)
    else record(l, t.step, t.decision.subject, data)
  }
  const byTime = truth.map((t) => ({ at: ms(t.step.time), data: shownData(t.decision) }))
  for (const l of [...before.values()].sort((a, b) => compareText(stepKey(a), stepKey(b)))) {
    if (next.has(stepKey(l))) continue
    // The step no longer changes what the profile shows: from its time on, the profile shows what
    // the truth showed just before it.
    const at = ms(l.time)
    const prior = byTime.findLast((t) => t.at < at)
    if (prior === undefined || prior.data === l.data) next.set(stepKey(l), l)
    else record(l, l, l.subject, prior.data)
  }
  return [...next.values()].sort((a, b) => compareText(stepKey(a), stepKey(b)))
}

const byTimeThenId = (a: RecallDecision, b: RecallDecision): number =>
  ms(a.time) - ms(b.time) || compareText(a.id, b.id)

/**
 * The decisions that make what was published (`ledger`) say what the derived case and its status
 * changes (`truth`, in event order) say, and the ledger after publishing them.
 */
export const reconcile = (
  c: RecallCase | undefined,
  truth: readonly StatusTruth[],
  ledger: Ledger,
): Reconciled => {
  const out: RecallDecision[] = []
  const obligations = reconcileObligations(c, ledger.obligations, out)
  const statuses = reconcileStatuses(truth, ledger.statuses, out)
  return { decisions: out.sort(byTimeThenId), ledger: { obligations, statuses } }
}
