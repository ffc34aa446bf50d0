/**
 * The shapes of the recall domain: the events a case is folded from, the case itself (contract.md §7
 * full case), its obligations, and what the fold hands back (outcomes and the decisions the service
 * publishes as `ecrs.recall`).
 */
import type { OBLIGATION_KINDS, RECALL_STATUSES } from '@ecrs/contracts'
import type { StatusTruth } from './reconcile.js'

/** A recall case status (contract §7). */
export type RecallStatus = (typeof RECALL_STATUSES)[number]

/** A kind of obligation the producer owes (contract §7 table). */
export type ObligationKind = (typeof OBLIGATION_KINDS)[number]

/** The product category, which chooses the obligation template. */
export type ProductCategory = 'consumer-product' | 'vehicle'

/**
 * One applied-or-not recall event (§4.2) as the recall service keeps it: the envelope fields the fold
 * needs plus `recordedAt`, when the system learned of it (the tie-break for equal `time`).
 */
export interface CaseEvent {
  readonly source: string
  readonly id: string
  /** A `recall.*` type of contract §4.2. */
  readonly type: string
  /** The producer's USCC. */
  readonly subject: string
  /** RFC 3339 with offset: when the step took effect. */
  readonly time: string
  readonly recordedAt: string
  readonly data: Readonly<Record<string, unknown>>
}

/** The event that caused something: its idempotency key. */
export interface EventRef {
  readonly source: string
  readonly id: string
}

/** The recalled product, as `recall.initiated` / `recall.ordered` describe it. */
export interface RecallProduct {
  readonly name: string
  readonly category: ProductCategory
  readonly model?: string
  readonly batches?: readonly string[]
  readonly gtin?: string
}

/** An obligation's state: `overdue` means due and not (yet) fulfilled. */
export type ObligationStatus = 'open' | 'fulfilled' | 'overdue' | 'cancelled'

/** One duty of the producer with its working-day deadline (contract §7). */
export interface Obligation {
  /** Deterministic: `<recallId>:<kind>:<n>`, so rebuilds and replays name the same duty. */
  readonly obligationId: string
  readonly kind: ObligationKind
  /** The due instant (ISO 8601, UTC): on time means no later than it. */
  readonly dueAt: string
  /** Present (true) when the holiday data did not cover the span counted. */
  readonly provisional?: true
  readonly status: ObligationStatus
  /** The fulfilling step's `time`. */
  readonly fulfilledAt?: string
  /** Present once fulfilled: whether the fulfilment came after `dueAt`. */
  readonly fulfilledLate?: boolean
  readonly fulfilledBy?: EventRef
}

/** One applied step of the case, in event-time order. */
export interface TimelineEntry {
  readonly type: string
  readonly time: string
  readonly source: string
  readonly id: string
}

/** A recall case as of some instant: the contract §7 full case, plus a few fields it may add. */
export interface RecallCase {
  readonly recallId: string
  readonly producer: { readonly uscc: string; readonly name?: string }
  readonly product: RecallProduct
  readonly status: RecallStatus
  readonly hazard: string
  readonly regions?: readonly string[]
  /** True once an agency ordered the recall (责令召回), at opening or later. */
  readonly ordered: boolean
  readonly decisionNo?: string
  readonly unitsAffected: number
  readonly unitsRemedied: number
  /** unitsRemedied / unitsAffected, clamped to 0–1. */
  readonly completionRate: number
  readonly noticePublishedAt?: string
  readonly obligations: readonly Obligation[]
  readonly timeline: readonly TimelineEntry[]
}

/** Why a step was not applied: a reason code reported in the event's outcome. */
export type RejectReason =
  | 'EVENT_TYPE_UNKNOWN'
  | 'EVENT_INVALID'
  | 'NOT_ALLOWED'
  | 'RECALL_NOT_FOUND'
  | 'SUBJECT_MISMATCH'
  | 'DUPLICATE_ENTITY'
  | 'RECALL_CLOSED'
  | 'RECALL_TRANSITION_INVALID'
  | 'UNITS_DECREASED'
  | 'UNITS_EXCEED_AFFECTED'

/** The verdict on one step. */
export type Check = { readonly ok: true } | { readonly ok: false; readonly reason: RejectReason }

/** The recall consumer's outcome for one event (contract §5). */
export interface Outcome {
  readonly status: 'applied' | 'rejected'
  readonly reason?: RejectReason
}

/** Who is about to take a step (the caller of a command). */
export type Actor =
  { readonly kind: 'firm'; readonly uscc: string } | { readonly kind: 'agency'; readonly agency: string }

/** The `ecrs.recall` types the service publishes to the enterprise topic (contract §4.1). */
export type RecallDecisionType =
  | 'recall.obligation-overdue'
  | 'recall.obligation-fulfilled'
  | 'recall.obligation-voided'
  | 'recall.status-changed'

/**
 * Something the service must publish as source `ecrs.recall`, keyed by `subject` (the producer).
 * `id` is deterministic, so publishing it again after a crash or a rebuild is a no-op downstream.
 */
export interface RecallDecision {
  readonly id: string
  readonly type: RecallDecisionType
  readonly subject: string
  /** The legal instant: the due instant for an overdue, the step's time otherwise. */
  readonly time: string
  readonly data: Readonly<Record<string, unknown>>
}

/** What a case's history says as of one instant. */
export interface Derivation {
  /** Undefined until a valid `recall.initiated` or `recall.ordered` is applied. */
  readonly case: RecallCase | undefined
  /** Per event counted (`${source}/${id}`): applied or rejected with a reason. */
  readonly outcomes: Map<string, Outcome>
  /** The steps that changed what the profile shows, with the `recall.status-changed` each calls for. */
  readonly statuses: readonly StatusTruth[]
  /**
   * What the history up to `asOf` calls for as `ecrs.recall`, in (time, id) order, as published by a
   * service that had published nothing yet (reconcile.ts answers for one that had).
   */
  readonly decisions: RecallDecision[]
  /** The earliest instant after `asOf` at which the derivation changes with time alone. */
  readonly nextChangeAt?: string
}
