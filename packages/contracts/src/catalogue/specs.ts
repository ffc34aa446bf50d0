/**
 * The event catalogue v1 (contract.md §4): every event type with its `data` schema, topic, who may
 * publish it (§2) and which service applies it. Types of events are derived from the same schemas.
 */
import type { Static, TSchema } from '@sinclair/typebox'
import type { Envelope } from '../envelope.js'
import {
  abnormalListEnteredData,
  abnormalListRemovedData,
  annualReportFiledData,
  creditRepairAppliedData,
  creditRepairDecidedData,
  enterpriseChangedData,
  enterpriseDeregisteredData,
  enterpriseRegisteredData,
  inspectionRecordedData,
  penaltyDecidedData,
  penaltyRevokedData,
  seriousListEnteredData,
  seriousListRemovedData,
} from './enterprise-data.js'
import {
  recallClosedData,
  recallCompletedData,
  recallInitiatedData,
  recallNoticePublishedData,
  recallObligationFulfilledData,
  recallObligationOverdueData,
  recallObligationVoidedData,
  recallOrderedData,
  recallPlanAcceptedData,
  recallPlanReturnedData,
  recallPlanSubmittedData,
  recallProgressReportedData,
  recallStatusChangedData,
  recallSummarySubmittedData,
} from './recall-data.js'

/** The topic an event travels on: enterprise events keyed by `subject`, recall events by `recallId`. */
export type EventTopic = 'enterprise' | 'recall'

/** Who may publish a type: agencies, firms, or the system itself (`ecrs.rules`, `ecrs.recall`). */
export type PublisherKind = 'agency' | 'firm' | 'ecrs.rules' | 'ecrs.recall'

/** A service that applies events and reports an outcome for each. */
export type ConsumerName = 'credit-profile' | 'recall'

/** One event type of the catalogue, at one `dataversion`. */
export interface EventSpec {
  /** The CloudEvents `type`, e.g. `penalty.decided`. */
  readonly type: string
  /** The version of `data` this spec describes. */
  readonly dataversion: 1
  readonly topic: EventTopic
  /** The TypeBox (JSON) schema of `data`. */
  readonly dataSchema: TSchema
  readonly publishers: readonly PublisherKind[]
  /** The services that apply it; the event is `applied` once each of them has (contract §5). */
  readonly consumers: readonly ConsumerName[]
  readonly description: string
}

interface Lane {
  readonly topic: EventTopic
  readonly publishers: readonly PublisherKind[]
  readonly consumers: readonly ConsumerName[]
}

// §4.1 facts agencies decide; the system publishes the same kinds of fact (listings, removals) itself.
const agencyFact: Lane = {
  topic: 'enterprise',
  publishers: ['agency', 'ecrs.rules'],
  consumers: ['credit-profile'],
}
// §4.1 facts a firm may also publish about itself (contract §2).
const firmFact: Lane = { ...agencyFact, publishers: ['agency', 'ecrs.rules', 'firm'] }
// §4.1 facts only the recall service publishes, so each profile has one writer.
const recallFact: Lane = { ...agencyFact, publishers: ['ecrs.recall'] }
// §4.2 firm-side steps; an agency may act for the firm (e.g. migrating history).
const firmStep: Lane = { topic: 'recall', publishers: ['firm', 'agency'], consumers: ['recall'] }
// §4.2 steps only an agency takes.
const agencyStep: Lane = { ...firmStep, publishers: ['agency'] }

const entry = <S extends TSchema>(dataSchema: S, lane: Lane, description: string) => ({
  dataSchema,
  ...lane,
  description,
})

const ENTRIES = {
  'enterprise.registered': entry(enterpriseRegisteredData, agencyFact, 'An enterprise is registered.'),
  'enterprise.changed': entry(enterpriseChangedData, agencyFact, 'Registered facts change.'),
  'enterprise.deregistered': entry(enterpriseDeregisteredData, agencyFact, 'An enterprise is deregistered.'),
  'annual-report.filed': entry(annualReportFiledData, firmFact, 'An annual report is filed.'),
  'inspection.recorded': entry(inspectionRecordedData, agencyFact, 'An inspection and its results.'),
  'penalty.decided': entry(penaltyDecidedData, agencyFact, 'An administrative penalty is decided.'),
  'penalty.revoked': entry(penaltyRevokedData, agencyFact, 'A penalty decision is revoked.'),
  'abnormal-list.entered': entry(abnormalListEnteredData, agencyFact, 'Listed as operating abnormally.'),
  'abnormal-list.removed': entry(abnormalListRemovedData, agencyFact, 'An abnormal listing ends.'),
  'serious-list.entered': entry(seriousListEnteredData, agencyFact, 'Listed for serious violations.'),
  'serious-list.removed': entry(seriousListRemovedData, agencyFact, 'A serious listing ends.'),
  'credit-repair.applied': entry(creditRepairAppliedData, firmFact, 'Credit repair is applied for.'),
  'credit-repair.decided': entry(creditRepairDecidedData, agencyFact, 'A credit repair is decided.'),
  'recall.status-changed': entry(recallStatusChangedData, recallFact, "A recall case's status changes."),
  'recall.obligation-overdue': entry(
    recallObligationOverdueData,
    recallFact,
    'A recall obligation is overdue.',
  ),
  'recall.obligation-fulfilled': entry(
    recallObligationFulfilledData,
    recallFact,
    'An obligation is fulfilled.',
  ),
  'recall.obligation-voided': entry(
    recallObligationVoidedData,
    recallFact,
    'An overdue decision no longer holds: the obligation was fulfilled on time or never owed.',
  ),
  'recall.initiated': entry(recallInitiatedData, firmStep, 'The producer opens a recall.'),
  'recall.ordered': entry(recallOrderedData, agencyStep, 'An agency orders a recall.'),
  'recall.plan-submitted': entry(recallPlanSubmittedData, firmStep, 'The recall plan is submitted.'),
  'recall.plan-accepted': entry(recallPlanAcceptedData, agencyStep, 'The recall plan is accepted.'),
  'recall.plan-returned': entry(recallPlanReturnedData, agencyStep, 'The recall plan is returned.'),
  'recall.notice-published': entry(recallNoticePublishedData, firmStep, 'The recall notice is published.'),
  'recall.progress-reported': entry(recallProgressReportedData, firmStep, 'Units remedied so far.'),
  'recall.completed': entry(recallCompletedData, firmStep, 'The recall is declared complete.'),
  'recall.summary-submitted': entry(recallSummarySubmittedData, firmStep, 'The summary report is submitted.'),
  'recall.closed': entry(recallClosedData, agencyStep, 'The recall case is closed.'),
}

type Entries = typeof ENTRIES

/** The type names of the catalogue, as a TypeScript union. */
export type EventType = keyof Entries

/** The `data` of one event type, derived from its schema. */
export type EventData<T extends EventType> = Static<Entries[T]['dataSchema']>

/**
 * An event of the catalogue with typed `data`: a union discriminated by `type` when `T` is left
 * open, so a `switch (event.type)` narrows `data`.
 */
export type TypedEvent<T extends EventType = EventType> = {
  [K in T]: Omit<Envelope, 'type' | 'data'> & { type: K; data: EventData<K> }
}[T]

/** Every event type with its spec, in contract order. */
export const catalogue: ReadonlyMap<string, EventSpec> = new Map(
  Object.entries(ENTRIES).map(([type, e]): [string, EventSpec] => [
    type,
    Object.freeze({ type, dataversion: 1, ...e }),
  ]),
)

/** The type names of the catalogue, in contract order. */
export const eventTypes: readonly string[] = Object.freeze([...catalogue.keys()])

/** Tells whether `type` names an event type of the catalogue. */
export const isEventType = (type: string): type is EventType => catalogue.has(type)

/**
 * Narrows an event that {@link validateEvent} accepted to its typed form. Only the `type` is
 * compared: the data's shape is what validation established.
 */
export const isEventOfType = <T extends EventType>(
  event: Envelope,
  type: T,
): event is Envelope & TypedEvent<T> => event.type === type
