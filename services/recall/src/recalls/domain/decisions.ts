/**
 * The `ecrs.recall` events the service publishes to the enterprise topic (contract §4.1), built from
 * the case: each carries the legal instant as `time` and a deterministic id. An obligation's decisions
 * carry a `generation`: the n-th overdue decision about it (see reconcile.ts), and the fulfilment or
 * voiding of that one.
 */
import { decisionId, generationKey } from './ids.js'
import type { ObligationKind, RecallCase, RecallDecision } from './types.js'

/** What an obligation decision names. */
export interface ObligationRef {
  readonly recallId: string
  /** The producer's USCC: the enterprise topic's key. */
  readonly subject: string
  readonly obligationId: string
  readonly kind: ObligationKind
}

/** Why an overdue decision no longer holds (contract §4.1). */
export type VoidReason = 'fulfilled-on-time' | 'not-owed'

const obligationDecision = (
  prefix: 'overdue' | 'fulfilled' | 'voided',
  type: RecallDecision['type'],
  o: ObligationRef,
  generation: number,
  time: string,
  data: Readonly<Record<string, unknown>>,
): RecallDecision => ({
  id: decisionId(prefix, generationKey(o.obligationId, generation)),
  type,
  subject: o.subject,
  time,
  data: { recallId: o.recallId, obligationId: o.obligationId, ...data, generation },
})

/** `recall.obligation-overdue` at the due instant (id `overdue:<obligationId>`, then `…:g<n>`). */
export const overdueDecision = (o: ObligationRef, generation: number, dueAt: string): RecallDecision =>
  obligationDecision('overdue', 'recall.obligation-overdue', o, generation, dueAt, { kind: o.kind, dueAt })

/** `recall.obligation-fulfilled` (late) at the fulfilling step's time (id `fulfilled:<obligationId>`…). */
export const fulfilledDecision = (o: ObligationRef, generation: number, time: string): RecallDecision =>
  obligationDecision('fulfilled', 'recall.obligation-fulfilled', o, generation, time, {
    kind: o.kind,
    late: true,
  })

/** `recall.obligation-voided` at the fact that voids it (id `voided:<obligationId>`…). */
export const voidedDecision = (
  o: ObligationRef,
  generation: number,
  time: string,
  reason: VoidReason,
): RecallDecision => obligationDecision('voided', 'recall.obligation-voided', o, generation, time, { reason })

/**
 * `recall.status-changed` after the step `source`/`id` changed what the profile shows (status,
 * published, ordered). The id names the step, not a sequence number, so a back-dated step inserted
 * before it does not shift the ids of the changes that follow; a correction of what was said at that
 * step (the step turned out to be rejected) is its next generation, at the same `time`.
 */
export const statusDecision = (
  c: RecallCase,
  step: { source: string; id: string; time: string },
  generation = 1,
): RecallDecision => statusCorrection(c.producer.uscc, step, generation, statusData(c))

/** What a `recall.status-changed` says of a case. */
export const statusData = (c: RecallCase): Readonly<Record<string, unknown>> => ({
  recallId: c.recallId,
  status: c.status,
  published: c.noticePublishedAt !== undefined,
  ordered: c.ordered,
  productName: c.product.name,
})

/** A `recall.status-changed` with the given data, for the step `source`/`id` at its time. */
export const statusCorrection = (
  subject: string,
  step: { source: string; id: string; time: string },
  generation: number,
  data: Readonly<Record<string, unknown>>,
): RecallDecision => ({
  id: decisionId('status', generationKey(`${step.source}:${step.id}`, generation)),
  type: 'recall.status-changed',
  subject,
  time: step.time,
  // The step it speaks for, so a correction replaces only that step's word at that instant.
  data: { ...data, step: `${step.source}/${step.id}`, generation },
})
