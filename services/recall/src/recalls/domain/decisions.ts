/**
 * The `ecrs.recall` events the service publishes to the enterprise topic (contract §4.1), built from
 * the case: each carries the legal instant as `time` and a deterministic id.
 */
import { decisionId } from './ids.js'
import type { Obligation, RecallCase, RecallDecision } from './types.js'

/** `recall.obligation-overdue` at the due instant; one per obligation, ever (id `overdue:<obligationId>`). */
export const overdueDecision = (c: RecallCase, o: Obligation): RecallDecision => ({
  id: decisionId('overdue', o.obligationId),
  type: 'recall.obligation-overdue',
  subject: c.producer.uscc,
  time: o.dueAt,
  data: { recallId: c.recallId, obligationId: o.obligationId, kind: o.kind, dueAt: o.dueAt },
})

/** `recall.obligation-fulfilled` at the fulfilling step's time (id `fulfilled:<obligationId>`). */
export const fulfilledDecision = (c: RecallCase, o: Obligation, time: string): RecallDecision => ({
  id: decisionId('fulfilled', o.obligationId),
  type: 'recall.obligation-fulfilled',
  subject: c.producer.uscc,
  time,
  data: { recallId: c.recallId, obligationId: o.obligationId, kind: o.kind, late: o.fulfilledLate === true },
})

/**
 * `recall.status-changed` after the step `source`/`id` changed what the profile shows (status,
 * published, ordered). The id names the step, not a sequence number, so a back-dated step inserted
 * before it does not shift the ids of the changes that follow.
 */
export const statusDecision = (
  c: RecallCase,
  step: { source: string; id: string; time: string },
): RecallDecision => ({
  id: decisionId('status', `${step.source}:${step.id}`),
  type: 'recall.status-changed',
  subject: c.producer.uscc,
  time: step.time,
  data: {
    recallId: c.recallId,
    status: c.status,
    published: c.noticePublishedAt !== undefined,
    ordered: c.ordered,
    productName: c.product.name,
  },
})
