/**
 * The event catalogue v1 (contract.md §4): schemas, validation, publish rights and documents.
 */
export * from './enterprise-data.js'
export * from './recall-data.js'
export {
  catalogue,
  eventTypes,
  isEventOfType,
  isEventType,
  type ConsumerName,
  type EventData,
  type EventSpec,
  type EventTopic,
  type EventType,
  type PublisherKind,
  type TypedEvent,
} from './specs.js'
export { partitionKey, validateEvent, type CatalogueValidation } from './validate-event.js'
export { publishRight, type PublishRight, type Publisher } from './publish-right.js'
export { OutcomeMessageSchema, type OutcomeMessage } from './outcome.js'
export { asyncApiDocument, dataSchemaDocument } from './documents.js'
export { OBLIGATION_KINDS, RECALL_STATUSES } from './fields.js'
