/**
 * The catalogue as published documents: the AsyncAPI 3 description of the topics (`GET
 * /asyncapi.json`) and each type's JSON Schema (`GET /v1/schemas/{type}`). Both are generated from
 * the schemas validation uses, so they cannot drift from it.
 */
import type { TSchema } from '@sinclair/typebox'
import { ChangeRecordSchema } from '../changes.js'
import { EnvelopeSchema } from '../envelope.js'
import type { Topics } from '../topics.js'
import { OutcomeMessageSchema } from './outcome.js'
import { catalogue, type EventSpec, type EventTopic } from './specs.js'

type Json = Record<string, unknown>

// The schema as plain JSON: TypeBox's symbol keys dropped, and a copy the caller may change freely.
const plain = (schema: TSchema): Json => JSON.parse(JSON.stringify(schema)) as Json

const env = EnvelopeSchema.properties

// CloudEvents Kafka binding, binary mode: the attributes travel as `ce_*` headers (contract §3).
const eventHeaders = (spec: EventSpec): Json => ({
  type: 'object',
  required: ['ce_specversion', 'ce_id', 'ce_source', 'ce_type', 'ce_subject', 'ce_time', 'ce_dataversion'],
  properties: {
    ce_specversion: { type: 'string', const: '1.0' },
    ce_id: plain(env.id),
    ce_source: plain(env.source),
    ce_type: { type: 'string', const: spec.type },
    ce_subject: { ...plain(env.subject), description: "the enterprise's USCC" },
    ce_time: { ...plain(env.time), description: 'when the fact took effect' },
    ce_dataversion: { type: 'string', const: String(spec.dataversion), description: 'the integer, as text' },
    ce_recordedat: { type: 'string', format: 'date-time', description: 'when ingest recorded the event' },
    'content-type': { type: 'string', const: 'application/json' },
    'correlation-id': { type: 'string', maxLength: 128, description: 'traces the request that caused it' },
  },
  additionalProperties: { type: 'string', description: 'further CloudEvents extensions as ce_<name>' },
})

const KEYS: Record<EventTopic, Json> = {
  enterprise: { ...plain(env.subject), description: "the enterprise's USCC (the event's subject)" },
  recall: { type: 'string', description: 'data.recallId' },
}

const eventMessage = (spec: EventSpec): Json => ({
  name: spec.type,
  title: spec.type,
  summary: spec.description,
  contentType: 'application/json',
  headers: eventHeaders(spec),
  payload: plain(spec.dataSchema),
  bindings: { kafka: { key: KEYS[spec.topic], bindingVersion: '0.5.0' } },
  'x-ecrs-dataversion': spec.dataversion,
  'x-ecrs-publishers': [...spec.publishers],
  'x-ecrs-consumers': [...spec.consumers],
})

const outcomeMessage: Json = {
  name: 'outcome',
  title: 'Event outcome',
  summary: 'A consumer applied or rejected an event.',
  contentType: 'application/json',
  payload: plain(OutcomeMessageSchema),
  bindings: {
    kafka: { key: { type: 'string', description: '`source/id` of the event' }, bindingVersion: '0.5.0' },
  },
}

const deadLetterMessage: Json = {
  name: 'dead-letter',
  title: 'Dead letter',
  summary: 'A record a consumer could never process: its original key, bytes and headers.',
  headers: {
    type: 'object',
    properties: Object.fromEntries(
      [
        'reason',
        'error-code',
        'source-topic',
        'source-partition',
        'source-offset',
        'consumer-group',
        'failed-at',
      ].map((name) => [`dlq-${name}`, { type: 'string' }]),
    ),
    additionalProperties: { type: 'string', description: 'the original headers' },
  },
  payload: { description: 'the original value, unchanged' },
}

const changeMessage: Json = {
  name: 'profile-change',
  title: 'Profile change record',
  summary:
    "What changed in an enterprise's full profile at one instant (contract §8), with a deterministic id per change: a replay publishes the same ids.",
  contentType: 'application/json',
  headers: {
    type: 'object',
    properties: {
      'content-type': { type: 'string', const: 'application/json' },
      'ecrs-recorded-at': {
        type: 'string',
        format: 'date-time',
        description: 'when credit-profile saw the change',
      },
    },
  },
  payload: plain(ChangeRecordSchema),
  bindings: {
    kafka: {
      key: { ...plain(env.subject), description: "the enterprise's USCC (the record's uscc)" },
      bindingVersion: '0.5.0',
    },
  },
  'x-ecrs-publishers': ['credit-profile'],
  'x-ecrs-consumers': ['notify'],
}

const ref = (path: string): Json => ({ $ref: path })

/**
 * The AsyncAPI 3.0.0 document of ECRS's topics: one channel per topic (at the addresses of
 * `topics`), one message per event type with `data` as payload, the CloudEvents `ce_*` headers and
 * the Kafka key, the outcome and profile-change messages, and the operations (events and profile
 * changes sent, outcomes received).
 */
export const asyncApiDocument = (topics: Topics, opts: { version: string }): Json => {
  const specs = [...catalogue.values()]
  const channelMessages = (topic: EventTopic): Json =>
    Object.fromEntries(
      specs.filter((s) => s.topic === topic).map((s) => [s.type, ref(`#/components/messages/${s.type}`)]),
    )
  const operationMessages = (channel: string, topic: EventTopic): Json[] =>
    specs.filter((s) => s.topic === topic).map((s) => ref(`#/channels/${channel}/messages/${s.type}`))
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'ECRS events',
      version: opts.version,
      description: 'Enterprise credit-supervision and recall events: CloudEvents 1.0 in Kafka binary mode.',
    },
    defaultContentType: 'application/json',
    channels: {
      enterpriseEvents: {
        address: topics.enterprise,
        title: 'Enterprise supervision events',
        description: "Keyed by the enterprise's USCC; order is kept per enterprise.",
        messages: channelMessages('enterprise'),
      },
      recallEvents: {
        address: topics.recall,
        title: 'Recall events',
        description: 'Keyed by recallId; order is kept per recall case.',
        messages: channelMessages('recall'),
      },
      outcomes: {
        address: topics.outcomes,
        title: 'Event outcomes',
        messages: { outcome: ref('#/components/messages/outcome') },
      },
      profileChanges: {
        address: topics.changes,
        title: 'Profile changes',
        description:
          "What changed in credit profiles (contract §8), keyed by the enterprise's USCC; order is kept per enterprise.",
        messages: { profileChange: ref('#/components/messages/profile-change') },
      },
      deadLetter: {
        address: topics.deadLetter,
        title: 'Dead letters',
        messages: { deadLetter: ref('#/components/messages/dead-letter') },
      },
    },
    operations: {
      sendEnterpriseEvents: {
        action: 'send',
        channel: ref('#/channels/enterpriseEvents'),
        messages: operationMessages('enterpriseEvents', 'enterprise'),
      },
      sendRecallEvents: {
        action: 'send',
        channel: ref('#/channels/recallEvents'),
        messages: operationMessages('recallEvents', 'recall'),
      },
      sendProfileChanges: {
        action: 'send',
        channel: ref('#/channels/profileChanges'),
        messages: [ref('#/channels/profileChanges/messages/profileChange')],
      },
      receiveOutcomes: {
        action: 'receive',
        channel: ref('#/channels/outcomes'),
        messages: [ref('#/channels/outcomes/messages/outcome')],
      },
    },
    components: {
      messages: {
        ...Object.fromEntries(specs.map((s) => [s.type, eventMessage(s)])),
        outcome: outcomeMessage,
        'profile-change': changeMessage,
        'dead-letter': deadLetterMessage,
      },
    },
  }
}

/**
 * The JSON Schema (draft-07) of one event type: the envelope with `type` and `dataversion` fixed and
 * `data` as the type's schema. Undefined for a type not in the catalogue.
 */
export const dataSchemaDocument = (type: string): Json | undefined => {
  const spec = catalogue.get(type)
  if (spec === undefined) return undefined
  const envelope = plain(EnvelopeSchema)
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    ...envelope,
    title: `${spec.type} (dataversion ${spec.dataversion})`,
    description: spec.description,
    $comment:
      "Also checked in code: time at most 5 minutes ahead; in data no NUL and no key starting with '$'.",
    properties: {
      ...(envelope['properties'] as Json),
      type: { type: 'string', const: spec.type },
      dataversion: { type: 'integer', const: spec.dataversion, default: spec.dataversion },
      data: plain(spec.dataSchema),
    },
  }
}
