import { codedError } from '@ecrs/http'

/** Ingest's own error codes (contract §5). */
export const ingestErrors = {
  EVENT_INVALID: codedError('EVENT_INVALID', 400, 'the event is invalid'),
  EVENT_TYPE_UNKNOWN: codedError('EVENT_TYPE_UNKNOWN', 400, 'unknown event type %s'),
  EVENT_ID_CONFLICT: codedError(
    'EVENT_ID_CONFLICT',
    409,
    'event %s from %s was already accepted with other content',
  ),
  EVENT_TOO_LARGE: codedError('EVENT_TOO_LARGE', 413, 'the event is larger than %s bytes'),
  BATCH_TOO_LARGE: codedError('BATCH_TOO_LARGE', 413, 'a batch holds at most %s events'),
  SCHEMA_NOT_FOUND: codedError('SCHEMA_NOT_FOUND', 404, 'no event type %s in the catalogue'),
  EVENT_NOT_FOUND: codedError('EVENT_NOT_FOUND', 404, 'no event %s from %s'),
  KAFKA_UNAVAILABLE: codedError('KAFKA_UNAVAILABLE', 503, 'Kafka is unavailable'),
  INGEST_BUSY: codedError('INGEST_BUSY', 503, 'too many batch bytes in flight: retry later'),
} as const
