/**
 * The producer's duties (contract §7 table): when each arises and falls due, what fulfils it, and
 * how time alone moves it (overdue at its due instant, a new progress period at each period's end).
 * Every function returns a new case; the decisions that a change calls for come with it.
 */
import { addMonthsPeriodEnd, addWorkingDays, parseInstant } from '@ecrs/contracts'
import { fulfilledDecision, overdueDecision } from './decisions.js'
import { obligationId } from './ids.js'
import type { RecallParams, Template } from './params.js'
import type { EventRef, Obligation, ObligationKind, RecallCase, RecallDecision } from './types.js'

/** A case after a change, with what must be published because of it. */
export interface Change {
  readonly case: RecallCase
  readonly decisions: readonly RecallDecision[]
}

/** The step that fulfils, as the obligation records it. */
export interface Fulfilment extends EventRef {
  readonly time: string
  /** `time` in epoch ms. */
  readonly at: number
}

// Instants in a case were parsed before they got there; a failure here is a bug, not bad input.
const instant = (s: string): Date => {
  const d = parseInstant(s)
  if (d === undefined) throw new RangeError(`not an instant: ${s}`)
  return d
}

const countOf = (c: RecallCase, kind: ObligationKind): number =>
  c.obligations.reduce((n, o) => (o.kind === kind ? n + 1 : n), 0)

/** The template of the case's product category. */
export const templateOf = (c: RecallCase, params: RecallParams): Template =>
  params.templates[c.product.category]

const withObligation = (
  c: RecallCase,
  kind: ObligationKind,
  dueAt: Date,
  provisional: boolean,
): RecallCase => {
  const o: Obligation = {
    obligationId: obligationId(c.recallId, kind, countOf(c, kind) + 1),
    kind,
    dueAt: dueAt.toISOString(),
    ...(provisional ? { provisional: true as const } : {}),
    status: 'open',
  }
  return { ...c, obligations: [...c.obligations, o] }
}

/** Adds the next obligation of `kind`, due `wd` working days after `trigger` (contract §3 counting). */
export const addDuty = (c: RecallCase, kind: ObligationKind, trigger: string, wd: number): RecallCase => {
  const { dueAt, provisional } = addWorkingDays(instant(trigger), wd)
  return withObligation(c, kind, dueAt, provisional)
}

/**
 * The end of progress period `k` (1-based): `k × months` months from the notice, as a Civil-Code
 * period (it ends at 24:00 of the corresponding date, or of the month's last day where there is none).
 */
export const progressPeriodEnd = (noticeAt: string, k: number, months: number): Date =>
  addMonthsPeriodEnd(instant(noticeAt), k * months)

// The end of the latest progress period created so far, while the progress duty runs.
const currentPeriodEnd = (c: RecallCase, params: RecallParams): Date | undefined => {
  const k = countOf(c, 'progress-report')
  if (c.status !== 'in-progress' || c.noticePublishedAt === undefined || k === 0) return undefined
  return progressPeriodEnd(c.noticePublishedAt, k, templateOf(c, params).progressPeriodMonths)
}

/** Opens the next progress period: its report is due at the period's end. */
export const addProgressPeriod = (c: RecallCase, params: RecallParams): RecallCase => {
  if (c.noticePublishedAt === undefined) return c
  const k = countOf(c, 'progress-report') + 1
  const end = progressPeriodEnd(c.noticePublishedAt, k, templateOf(c, params).progressPeriodMonths)
  return withObligation(c, 'progress-report', end, false)
}

/**
 * Fulfils every open or overdue obligation that `fulfils` selects. On time means strictly before the
 * due instant (the due instant is 24:00, i.e. already the next day); a late one gets
 * `fulfilledLate: true` and a `recall.obligation-fulfilled` decision (contract §7). On-time
 * fulfilments publish nothing: the profile only counts what is overdue.
 */
export const fulfil = (c: RecallCase, fulfils: (o: Obligation) => boolean, by: Fulfilment): Change => {
  const decisions: RecallDecision[] = []
  const obligations = c.obligations.map((o): Obligation => {
    if ((o.status !== 'open' && o.status !== 'overdue') || !fulfils(o)) return o
    const late = o.status === 'overdue' || by.at >= instant(o.dueAt).getTime()
    const done: Obligation = {
      ...o,
      status: 'fulfilled',
      fulfilledAt: by.time,
      fulfilledLate: late,
      fulfilledBy: { source: by.source, id: by.id },
    }
    if (late) decisions.push(fulfilledDecision(c, done, by.time))
    return done
  })
  return { case: { ...c, obligations }, decisions }
}

/** `recall.closed` cancels what is still open; what is already overdue stays overdue (the lateness happened). */
export const cancelOpen = (c: RecallCase): RecallCase => ({
  ...c,
  obligations: c.obligations.map((o): Obligation =>
    o.status === 'open' ? { ...o, status: 'cancelled' } : o,
  ),
})

/**
 * Moves the case to instant `t` (epoch ms) with no new step: opens the progress periods that have
 * begun by then and marks overdue every open obligation whose due instant is ≤ `t`, each with its one
 * `recall.obligation-overdue` decision dated at the due instant.
 */
export const advance = (c0: RecallCase, t: number, params: RecallParams): Change => {
  let c = c0
  for (let end = currentPeriodEnd(c, params); end !== undefined && end.getTime() <= t;) {
    c = addProgressPeriod(c, params)
    end = currentPeriodEnd(c, params)
  }
  const decisions: RecallDecision[] = []
  const obligations = c.obligations.map((o): Obligation => {
    if (o.status !== 'open' || instant(o.dueAt).getTime() > t) return o
    const overdue: Obligation = { ...o, status: 'overdue' }
    decisions.push(overdueDecision(c, overdue))
    return overdue
  })
  return { case: { ...c, obligations }, decisions }
}

/** The earliest instant after which time alone changes the case: a due instant or a period's end. */
export const nextDeadline = (c: RecallCase, params: RecallParams): number | undefined => {
  const instants = c.obligations.filter((o) => o.status === 'open').map((o) => instant(o.dueAt).getTime())
  const end = currentPeriodEnd(c, params)
  if (end !== undefined) instants.push(end.getTime())
  return instants.length === 0 ? undefined : Math.min(...instants)
}
