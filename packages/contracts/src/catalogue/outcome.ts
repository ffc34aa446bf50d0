/**
 * The outcome a consumer reports for each event it applies or refuses (contract.md §5), published on
 * the outcomes topic keyed by `source/id`.
 */
import { Type, type Static } from '@sinclair/typebox'
import { EnvelopeSchema } from '../envelope.js'
import { OPEN, Reason, stringEnum } from './fields.js'

/** The schema of an outcome record's value. */
export const OutcomeMessageSchema = Type.Object(
  {
    source: EnvelopeSchema.properties.source,
    id: EnvelopeSchema.properties.id,
    type: EnvelopeSchema.properties.type,
    consumer: stringEnum(['credit-profile', 'recall'], { description: 'the service that judged the event' }),
    status: stringEnum(['applied', 'rejected']),
    reason: Type.Optional(Reason('why it was rejected: a code such as DUPLICATE_ENTITY')),
    at: Type.String({ format: 'rfc3339-offset', description: 'when the consumer judged it' }),
    recordedAt: Type.Optional(
      Type.String({ format: 'rfc3339-offset', description: 'when the event judged was recorded by ingest' }),
    ),
  },
  { ...OPEN, title: 'ECRS event outcome' },
)

/** An outcome record's value. */
export type OutcomeMessage = Static<typeof OutcomeMessageSchema>
