/**
 * What the recall service tells the credit profile (contract §4.1, source `ecrs.recall`): case
 * statuses and obligations overdue or fulfilled. The profile keeps no second copy of recall rules.
 */
import type { TimedEvent } from './order.js'
import { applied, flag, rejected, text, type FoldState, type ObligationRec } from './state.js'
import type { RecallView } from './types.js'

/** `recall.status-changed`: the latest status per case, in event order. */
export const changeRecallStatus = (s: FoldState, e: TimedEvent): void => {
  const recallId = text(e.data, 'recallId')
  const status = text(e.data, 'status')
  if (recallId === undefined || status === undefined) return rejected(s, e, 'EVENT_INVALID')
  const productName = text(e.data, 'productName')
  const ordered = flag(e.data, 'ordered')
  const recall = s.recalls.get(recallId) ?? { recallId, status, published: false, ordered: false }
  recall.status = status
  recall.published = flag(e.data, 'published')
  recall.ordered = ordered
  if (productName !== undefined) recall.productName = productName
  if (ordered && recall.orderedAt === undefined) {
    recall.orderedAt = e.at
    recall.orderedRef = e.ref
  }
  s.recalls.set(recallId, recall)
  applied(s, e)
}

const obligation = (s: FoldState, e: TimedEvent): ObligationRec | undefined => {
  const recallId = text(e.data, 'recallId')
  const obligationId = text(e.data, 'obligationId')
  if (recallId === undefined || obligationId === undefined) return undefined
  const key = `${recallId}/${obligationId}`
  const found = s.obligations.get(key) ?? { recallId, fulfilled: false }
  s.obligations.set(key, found)
  return found
}

/** `recall.obligation-overdue` (`time` is the due instant). */
export const markObligationOverdue = (s: FoldState, e: TimedEvent): void => {
  const o = obligation(s, e)
  if (o === undefined) return rejected(s, e, 'EVENT_INVALID')
  o.overdue ??= e.ref
  applied(s, e)
}

/** `recall.obligation-fulfilled`: an overdue obligation stops counting; its lateness stays in history. */
export const markObligationFulfilled = (s: FoldState, e: TimedEvent): void => {
  const o = obligation(s, e)
  if (o === undefined) return rejected(s, e, 'EVENT_INVALID')
  o.fulfilled = true
  applied(s, e)
}

/** Obligations overdue and not yet fulfilled. */
export const overdueObligations = (s: FoldState): ObligationRec[] =>
  [...s.obligations.values()].filter((o) => o.overdue !== undefined && !o.fulfilled)

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
