/**
 * The read shapes of contract §7 built from a case: the public shape of a published recall and the
 * items of a firm's obligation list.
 */
import type { ObligationStatus, RecallCase, RecallProduct, RecallStatus } from './types.js'

/** What anyone may read of a recall whose notice is published (contract §7). */
export interface PublicRecall {
  readonly recallId: string
  readonly producer: { readonly uscc: string; readonly name?: string }
  readonly product: RecallProduct
  readonly status: RecallStatus
  readonly hazard: string
  readonly unitsAffected: number
  readonly noticePublishedAt: string
}

/**
 * The public shape of `c`, or undefined while its notice is not published (the API answers 404 then:
 * an unpublished recall is not public). The producer's name is there when the case knows it.
 */
export const publicCase = (c: RecallCase): PublicRecall | undefined =>
  c.noticePublishedAt === undefined
    ? undefined
    : {
        recallId: c.recallId,
        producer: c.producer,
        product: c.product,
        status: c.status,
        hazard: c.hazard,
        unitsAffected: c.unitsAffected,
        noticePublishedAt: c.noticePublishedAt,
      }

/** One row of `GET /v1/firms/{uscc}/obligations` (contract §7). */
export interface ObligationItem {
  readonly recallId: string
  readonly obligationId: string
  readonly kind: string
  readonly dueAt: string
  readonly status: ObligationStatus
  readonly fulfilledAt?: string
  readonly fulfilledLate?: boolean
}

/** The obligations of `c` as firm-list rows, optionally only those with `status`. */
export const obligationItems = (c: RecallCase, status?: ObligationStatus): ObligationItem[] =>
  c.obligations
    .filter((o) => status === undefined || o.status === status)
    .map((o) => ({
      recallId: c.recallId,
      obligationId: o.obligationId,
      kind: o.kind,
      dueAt: o.dueAt,
      status: o.status,
      ...(o.fulfilledAt === undefined ? {} : { fulfilledAt: o.fulfilledAt }),
      ...(o.fulfilledLate === undefined ? {} : { fulfilledLate: o.fulfilledLate }),
    }))

/** The number of obligations overdue and still unfulfilled: what the credit profile's recall row counts. */
export const overdueCount = (c: RecallCase): number =>
  c.obligations.filter((o) => o.status === 'overdue').length
