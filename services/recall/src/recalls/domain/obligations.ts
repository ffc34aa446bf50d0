/**
 * The producer's duties (contract §7 table): when each arises and falls due, what fulfils it, and
 * how time alone moves it (overdue at its due instant, a new progress period at each period's end).
 * Every function returns a new case; the decisions that a change calls for come with it.
 */
import { addMonthsPeriodEnd, addWorkingDays, parseInstant } from '@ecrs/contracts'
import { obligationId } from './ids.js'
import type { RecallParams, Template } from './params.js'
import type { EventRef, Obligation, ObligationKind, RecallCase } from './types.js'

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

/** Deadlines are inclusive (contract §3, §7): a step at the due instant itself is on time. */
export const isLate = (at: number, dueAt: string): boolean => at > instant(dueAt).getTime()

/**
 * Fulfils every open or overdue obligation that `fulfils` selects. On time means no later than the
 * due instant (24:00 of the last day counts); a late one gets `fulfilledLate: true`. What that means
 * for the credit profile (overdue, fulfilled, voided decisions) is reconcile.ts's business.
 */
export const fulfil = (c: RecallCase, fulfils: (o: Obligation) => boolean, by: Fulfilment): RecallCase => ({
  ...c,
  obligations: c.obligations.map((o): Obligation => {
    if ((o.status !== 'open' && o.status !== 'overdue') || !fulfils(o)) return o
    return {
      ...o,
      status: 'fulfilled',
      fulfilledAt: by.time,
      fulfilledLate: o.status === 'overdue' || isLate(by.at, o.dueAt),
      fulfilledBy: { source: by.source, id: by.id },
    }
  }),
})

/** `recall.closed` cancels what is still open; what is already overdue stays overdue (the lateness happened). */
export const cancelOpen = (c: RecallCase): RecallCase => ({
  ...c,
  obligations: c.obligations.map((o): Obligation =>
    o.status === 'open' ? { ...o, status: 'cancelled' } : o,
  ),
})

/**
 * Moves the case to instant `t` (epoch ms) with no new step: opens the progress periods that have
 * ended before `t` (a report at a period's end instant still belongs to that period) and marks
 * overdue every open obligation whose due instant has passed (is before `t`).
 */
export const advance = (c0: RecallCase, t: number, params: RecallParams): RecallCase => {
  let c = c0
  for (let end = currentPeriodEnd(c, params); end !== undefined && end.getTime() < t;) {
    c = addProgressPeriod(c, params)
    end = currentPeriodEnd(c, params)
  }
  return {
    ...c,
    obligations: c.obligations.map((o): Obligation =>
      o.status === 'open' && isLate(t, o.dueAt) ? { ...o, status: 'overdue' } : o,
    ),
  }
}

/**
 * The earliest instant at which time alone changes the case: just after a due instant (the instant
 * itself is still on time) or after a progress period's end.
 */
export const nextDeadline = (c: RecallCase, params: RecallParams): number | undefined => {
  const instants = c.obligations.filter((o) => o.status === 'open').map((o) => instant(o.dueAt).getTime())
  const end = currentPeriodEnd(c, params)
  if (end !== undefined) instants.push(end.getTime())
  return instants.length === 0 ? undefined : Math.min(...instants) + 1
}
