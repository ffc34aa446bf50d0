/**
 * What the recall service tells the credit profile (contract §4.1, source `ecrs.recall`): case
 * statuses and obligations overdue, fulfilled late or voided. The profile keeps no second copy of the
 * recall rules: it believes the latest word of the recall service on each thing. That word may be a
 * correction of an earlier one taken on partial history (contract §7): an overdue decision is voided,
 * and said again as its next `generation` should it come true again; a step's status is said again
 * at the same instant as its next generation.
 */
import { iso, type TimedEvent } from './order.js'
import {
  applied,
  flag,
  numeric,
  rejected,
  text,
  type FoldState,
  type ObligationGeneration,
  type ObligationRec,
} from './state.js'
import type { EventRef, ObligationFact, RecallView } from './types.js'

// Events published before generations existed speak of the first.
export const generationOf = (e: Pick<TimedEvent, 'data'>): number | undefined => {
  const g = e.data['generation']
  if (g === undefined) return 1
  const n = numeric(e.data, 'generation')
  return n !== undefined && Number.isSafeInteger(n) && n >= 1 ? n : undefined
}

/** The key of {@link FoldState.statusGenerations}. */
export const statusInstantKey = (recallId: string, at: number, e: Pick<TimedEvent, 'data'>): string =>
  `${recallId}@${at}@${text(e.data, 'step') ?? ''}`

/** The latest generation of each recall's status per instant, over the events the fold counts. */
export const statusGenerations = (events: readonly TimedEvent[]): Map<string, number> => {
  const out = new Map<string, number>()
  for (const e of events) {
    if (e.type !== 'recall.status-changed') continue
    const recallId = text(e.data, 'recallId')
    const g = generationOf(e)
    if (recallId === undefined || g === undefined) continue
    const key = statusInstantKey(recallId, e.at, e)
    out.set(key, Math.max(out.get(key) ?? 1, g))
  }
  return out
}

/** `recall.status-changed`: the latest status per case, in event order; a correction of a step wins. */
export const changeRecallStatus = (s: FoldState, e: TimedEvent): void => {
  const recallId = text(e.data, 'recallId')
  const status = text(e.data, 'status')
  const generation = generationOf(e)
  if (recallId === undefined || status === undefined || generation === undefined)
    return rejected(s, e, 'EVENT_INVALID')
  applied(s, e)
  // A word corrected at the same instant never counted (arrival order is no guide): only the last.
  if ((s.statusGenerations.get(statusInstantKey(recallId, e.at, e)) ?? 1) > generation) return
  const recall = s.recalls.get(recallId) ?? { recallId, status, published: false, ordered: false }
  s.recalls.set(recallId, recall)
  const ordered = flag(e.data, 'ordered')
  const productName = text(e.data, 'productName')
  recall.status = status
  recall.published = flag(e.data, 'published')
  recall.ordered = ordered
  if (productName !== undefined) recall.productName = productName
  if (!ordered) {
    delete recall.orderedAt
    delete recall.orderedRef
  } else if (recall.orderedAt === undefined) {
    recall.orderedAt = e.at
    recall.orderedRef = e.ref
  }
}

const generation = (s: FoldState, e: TimedEvent): ObligationGeneration | undefined => {
  const recallId = text(e.data, 'recallId')
  const obligationId = text(e.data, 'obligationId')
  const n = generationOf(e)
  if (recallId === undefined || obligationId === undefined || n === undefined) return undefined
  const key = `${recallId}/${obligationId}`
  const o: ObligationRec = s.obligations.get(key) ?? { recallId, obligationId, generations: new Map() }
  s.obligations.set(key, o)
  const g = o.generations.get(n) ?? { fulfilled: false, voided: false }
  o.generations.set(n, g)
  return g
}

/** `recall.obligation-overdue` (`time` is the due instant). */
export const markObligationOverdue = (s: FoldState, e: TimedEvent): void => {
  const g = generation(s, e)
  if (g === undefined) return rejected(s, e, 'EVENT_INVALID')
  g.overdue ??= e.ref
  g.overdueAt ??= e.at
  applied(s, e)
}

/** `recall.obligation-fulfilled`: an overdue obligation stops counting; its lateness stays in history. */
export const markObligationFulfilled = (s: FoldState, e: TimedEvent): void => {
  const g = generation(s, e)
  if (g === undefined) return rejected(s, e, 'EVENT_INVALID')
  g.fulfilled = true
  g.settledAt ??= e.at
  applied(s, e)
}

/** `recall.obligation-voided`: the overdue decision never held; it counts nowhere (both stay in history). */
export const markObligationVoided = (s: FoldState, e: TimedEvent): void => {
  const reason = text(e.data, 'reason')
  const g = reason === 'fulfilled-on-time' || reason === 'not-owed' ? generation(s, e) : undefined
  if (g === undefined) return rejected(s, e, 'EVENT_INVALID')
  g.voided = true
  g.settledAt ??= e.at
  applied(s, e)
}

/** An obligation overdue and unfulfilled at asOf, with the decision that says so. */
export interface OverdueObligation {
  readonly recallId: string
  readonly overdue: EventRef
}

// The latest generation that says overdue: the recall service's last word on the obligation.
const latestOverdue = (o: ObligationRec): ObligationGeneration | undefined => {
  let latest: ObligationGeneration | undefined
  let latestN = 0
  for (const [n, g] of o.generations) if (g.overdue !== undefined && n > latestN) [latest, latestN] = [g, n]
  return latest
}

// Deadlines are inclusive: at the due instant itself nothing is overdue yet.
const isOverdue = (s: FoldState, g: ObligationGeneration): boolean =>
  !g.fulfilled && !g.voided && (g.overdueAt ?? Number.NEGATIVE_INFINITY) < s.asOf

/**
 * Obligations overdue and not yet fulfilled at asOf: the latest generation that says overdue, unless
 * it was fulfilled or voided. Deadlines are inclusive: at the due instant itself nothing is overdue yet.
 */
export const overdueObligations = (s: FoldState): OverdueObligation[] => {
  const out: OverdueObligation[] = []
  for (const o of s.obligations.values()) {
    const latest = latestOverdue(o)
    if (latest?.overdue === undefined || !isOverdue(s, latest)) continue
    out.push({ recallId: o.recallId, overdue: latest.overdue })
  }
  return out
}

/**
 * What the change feed needs of the obligations at asOf (contract §8): those overdue and unsettled,
 * and those whose latest overdue decision was settled (fulfilled late or voided), with when.
 */
export const obligationFacts = (s: FoldState): ObligationFact[] => {
  const out: ObligationFact[] = []
  for (const o of s.obligations.values()) {
    const latest = latestOverdue(o)
    if (latest?.overdueAt === undefined) continue
    const settled = latest.fulfilled || latest.voided
    if (!settled && !isOverdue(s, latest)) continue
    out.push({
      recallId: o.recallId,
      obligationId: o.obligationId,
      dueAt: iso(latest.overdueAt),
      ...(settled && latest.settledAt !== undefined ? { settledAt: iso(latest.settledAt) } : {}),
    })
  }
  return out.sort((a, b) => compareKeys(`${a.recallId}/${a.obligationId}`, `${b.recallId}/${b.obligationId}`))
}

const compareKeys = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/** The recall rows at asOf, by recallId. */
export const recallRows = (s: FoldState): RecallView[] => {
  const overdue = overdueObligations(s)
  return [...s.recalls.values()]
    .sort((a, b) => (a.recallId < b.recallId ? -1 : a.recallId > b.recallId ? 1 : 0))
    .map((r) => ({
      recallId: r.recallId,
      status: r.status,
      published: r.published,
      ordered: r.ordered,
      ...(r.productName === undefined ? {} : { productName: r.productName }),
      overdueObligations: overdue.filter((o) => o.recallId === r.recallId).length,
    }))
}
