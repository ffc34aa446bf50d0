/**
 * `data` schemas of the recall events (contract.md §4.2, version 1) and of what the recall service
 * tells the credit profile about them (the three `ecrs.recall` types of §4.1).
 */
import { Type, type Static } from '@sinclair/typebox'
import {
  DivisionCode,
  Id,
  Instant,
  LongText,
  MAX_NAME_LENGTH,
  Name,
  OBLIGATION_KINDS,
  OPEN,
  RECALL_STATUSES,
  Reason,
  Units,
  stringEnum,
} from './fields.js'

const recallId = Id('the recall case')

// What `recall.initiated` and `recall.ordered` share: the case as the firm or the agency opens it.
const recallCaseFields = {
  recallId,
  product: Type.Object(
    {
      name: Name('product name'),
      category: stringEnum(['consumer-product', 'vehicle'], { description: 'sets the obligation periods' }),
      model: Type.Optional(Name('model')),
      batches: Type.Optional(Type.Array(Name('batch'), { maxItems: 1000 })),
      gtin: Type.Optional(Type.String({ pattern: '^(?:[0-9]{8}|[0-9]{12,14})$', description: 'GTIN' })),
    },
    OPEN,
  ),
  unitsAffected: Units(1, 'units concerned'),
  hazard: LongText('the defect and the danger it causes'),
  regions: Type.Optional(
    Type.Array(DivisionCode('a region concerned'), { maxItems: 4000, uniqueItems: true }),
  ),
}

/** `recall.initiated`: a producer opens a recall of its own (or an agency for it). */
export const recallInitiatedData = Type.Object(recallCaseFields, OPEN)
/** The `data` of `recall.initiated`. */
export type RecallInitiated = Static<typeof recallInitiatedData>

/** `recall.ordered`: an agency orders a recall (责令召回). */
export const recallOrderedData = Type.Object(
  { ...recallCaseFields, decisionNo: Id('the order decision') },
  OPEN,
)
/** The `data` of `recall.ordered`. */
export type RecallOrdered = Static<typeof recallOrderedData>

/** `recall.plan-submitted`: the producer submits its recall plan. */
export const recallPlanSubmittedData = Type.Object(
  {
    recallId,
    remedy: stringEnum(['repair', 'replace', 'refund', 'warning']),
    summary: Type.Optional(LongText('the plan in short')),
  },
  OPEN,
)
/** The `data` of `recall.plan-submitted`. */
export type RecallPlanSubmitted = Static<typeof recallPlanSubmittedData>

/** `recall.plan-accepted`: the agency accepts the plan. */
export const recallPlanAcceptedData = Type.Object({ recallId }, OPEN)
/** The `data` of `recall.plan-accepted`. */
export type RecallPlanAccepted = Static<typeof recallPlanAcceptedData>

/** `recall.plan-returned`: the agency returns the plan for another submission. */
export const recallPlanReturnedData = Type.Object({ recallId, reason: Reason('what to change') }, OPEN)
/** The `data` of `recall.plan-returned`. */
export type RecallPlanReturned = Static<typeof recallPlanReturnedData>

/** `recall.notice-published`: the recall notice is public. */
export const recallNoticePublishedData = Type.Object(
  {
    recallId,
    channels: Type.Optional(Type.Array(Name('a channel the notice went out on'), { maxItems: 50 })),
    url: Type.Optional(
      Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2048, description: 'the notice' }),
    ),
  },
  OPEN,
)
/** The `data` of `recall.notice-published`. */
export type RecallNoticePublished = Static<typeof recallNoticePublishedData>

/** `recall.progress-reported`: units remedied so far (cumulative). */
export const recallProgressReportedData = Type.Object(
  { recallId, unitsRemedied: Units(0, 'units remedied so far, cumulative') },
  OPEN,
)
/** The `data` of `recall.progress-reported`. */
export type RecallProgressReported = Static<typeof recallProgressReportedData>

/** `recall.completed`: the producer declares the recall complete. */
export const recallCompletedData = Type.Object(
  { recallId, unitsRemedied: Units(0, 'units remedied in all') },
  OPEN,
)
/** The `data` of `recall.completed`. */
export type RecallCompleted = Static<typeof recallCompletedData>

/** `recall.summary-submitted`: the producer's final summary report. */
export const recallSummarySubmittedData = Type.Object({ recallId }, OPEN)
/** The `data` of `recall.summary-submitted`. */
export type RecallSummarySubmitted = Static<typeof recallSummarySubmittedData>

/** `recall.closed`: the agency closes the case; what is still open is cancelled. */
export const recallClosedData = Type.Object(
  {
    recallId,
    effective: Type.Optional(Type.Boolean({ description: 'whether the recall achieved its aim' })),
    reason: Type.Optional(Reason('why')),
  },
  OPEN,
)
/** The `data` of `recall.closed`. */
export type RecallClosed = Static<typeof recallClosedData>

const obligationKind = stringEnum(OBLIGATION_KINDS)

/** `recall.status-changed` (source `ecrs.recall`): a case's status as the credit profile shows it. */
export const recallStatusChangedData = Type.Object(
  {
    recallId,
    status: stringEnum(RECALL_STATUSES),
    published: Type.Boolean({ description: 'the notice is published' }),
    ordered: Type.Boolean({ description: 'an agency ordered the recall' }),
    productName: Type.Optional(Type.String({ minLength: 1, maxLength: MAX_NAME_LENGTH })),
    step: Type.Optional(
      Type.String({ minLength: 1, maxLength: 300, description: 'the step it speaks for: `<source>/<id>`' }),
    ),
    generation: Type.Optional(
      Type.Integer({
        minimum: 1,
        description: "which word on the step's status this is: a later one corrects an earlier (default 1)",
      }),
    ),
  },
  OPEN,
)
/** The `data` of `recall.status-changed`. */
export type RecallStatusChanged = Static<typeof recallStatusChangedData>

// Which overdue decision of an obligation an event speaks of: 1 for the first; a decision voided by
// later history and then true again (a step that turned out to be rejected) is published anew as 2, 3…
const generation = Type.Integer({
  minimum: 1,
  description: 'which overdue decision of the obligation this is about (default 1)',
})

/** `recall.obligation-overdue` (source `ecrs.recall`): `time` is the due instant. */
export const recallObligationOverdueData = Type.Object(
  {
    recallId,
    obligationId: Id('the obligation'),
    kind: obligationKind,
    dueAt: Instant('the due instant'),
    generation: Type.Optional(generation),
  },
  OPEN,
)
/** The `data` of `recall.obligation-overdue`. */
export type RecallObligationOverdue = Static<typeof recallObligationOverdueData>

/** `recall.obligation-fulfilled` (source `ecrs.recall`): `time` is the fulfilling step's time. */
export const recallObligationFulfilledData = Type.Object(
  {
    recallId,
    obligationId: Id('the obligation'),
    kind: obligationKind,
    late: Type.Boolean({ description: 'fulfilled after it was due' }),
    generation: Type.Optional(generation),
  },
  OPEN,
)
/** The `data` of `recall.obligation-fulfilled`. */
export type RecallObligationFulfilled = Static<typeof recallObligationFulfilledData>

/**
 * `recall.obligation-voided` (source `ecrs.recall`): an overdue decision taken on partial history no
 * longer holds (contract §7). `time` is the fact that voids it (the on-time fulfilment, or the close or
 * completion that means the obligation was never owed), never later than the due instant.
 */
export const recallObligationVoidedData = Type.Object(
  {
    recallId,
    obligationId: Id('the obligation'),
    reason: stringEnum(['fulfilled-on-time', 'not-owed'], {
      description:
        'fulfilled by its due instant, or never owed (a period after completion, due after the close)',
    }),
    generation: Type.Optional(generation),
  },
  OPEN,
)
/** The `data` of `recall.obligation-voided`. */
export type RecallObligationVoided = Static<typeof recallObligationVoidedData>
