import { extensionAttributes, type Envelope } from './envelope.js'

/** A Kafka record as plain data (structurally the same as @ecrs/kafka's OutboundRecord). */
export interface CloudEventRecord {
  topic: string
  key: string
  value: string
  headers: Record<string, string>
  timestamp: number
}

/**
 * The header that marks a record produced again under a taken-over ledger lease (the first attempt
 * may have landed too): `ecrs-attempt: retake`. A record without it is the first attempt of its
 * (`source`, `id`), of which the log holds at most one; so a consumer that keeps no state per event
 * need look for an earlier copy only behind a retake (the §10 statistics do this).
 */
export const ATTEMPT_HEADER = 'ecrs-attempt'

/**
 * An event as a Kafka record in CloudEvents binary mode (contract §3): the attributes as `ce_*`
 * headers, `data` as the JSON value. `ce_recordedat` (an extension) says when ECRS first took the
 * event: consumers order events of the same `time` by it. `retake`: see ATTEMPT_HEADER.
 */
export const toCloudEventRecord = (
  event: Envelope,
  opts: { topic: string; key: string; recordedAt: Date; correlationId?: string; retake?: boolean },
): CloudEventRecord => {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(extensionAttributes(event))) headers[`ce_${name}`] = value
  Object.assign(headers, {
    ce_specversion: event.specversion,
    ce_id: event.id,
    ce_source: event.source,
    ce_type: event.type,
    ce_subject: event.subject,
    ce_time: event.time,
    ce_dataversion: String(event.dataversion),
    ce_recordedat: opts.recordedAt.toISOString(),
    'content-type': 'application/json',
    ...(opts.correlationId ? { 'correlation-id': opts.correlationId } : {}),
    ...(opts.retake ? { [ATTEMPT_HEADER]: 'retake' } : {}),
  })
  return {
    topic: opts.topic,
    key: opts.key,
    value: JSON.stringify(event.data),
    headers,
    timestamp: opts.recordedAt.getTime(),
  }
}

/** An event read back from a binary-mode record. */
export interface RecordedEvent {
  source: string
  id: string
  type: string
  subject: string
  time: string
  recordedAt: string
  dataversion: number
  data: Record<string, unknown>
}

/** Why a record cannot be read as an event: the consumer dead-letters it. */
export class RecordUnreadable extends Error {
  readonly statusCode = 422
  readonly code = 'RECORD_UNREADABLE'
}

/** Reads a binary-mode record back; throws RecordUnreadable when headers or value are missing or bad. */
export const fromCloudEventRecord = (
  headers: Readonly<Record<string, string>>,
  value: Buffer | null,
  fallbackRecordedAt: string,
): RecordedEvent => {
  const need = (name: string): string => {
    const v = headers[name]
    if (v === undefined || v === '') throw new RecordUnreadable(`header ${name} is missing`)
    return v
  }
  let data: unknown
  try {
    data = JSON.parse(value?.toString('utf8') ?? '')
  } catch {
    throw new RecordUnreadable('value is not JSON')
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new RecordUnreadable('value is not an object')
  const time = need('ce_time')
  if (Number.isNaN(Date.parse(time))) throw new RecordUnreadable('ce_time is not a time')
  return {
    source: need('ce_source'),
    id: need('ce_id'),
    type: need('ce_type'),
    subject: need('ce_subject'),
    time,
    recordedAt: headers['ce_recordedat'] ?? fallbackRecordedAt,
    dataversion: Number(headers['ce_dataversion'] ?? '1'),
    data: data as Record<string, unknown>,
  }
}

/** A consumer's word on an event, for ingest's status endpoint (the outcomes topic, keyed `source/id`). */
export interface OutcomeRecordInput {
  source: string
  id: string
  type: string
  consumer: string
  status: 'applied' | 'rejected'
  reason?: string
  at: Date
  /** When the event judged was recorded (ingest's `recordedAt`): where §10's statistics count it. */
  recordedAt?: string
}

export const toOutcomeRecord = (topic: string, o: OutcomeRecordInput) => ({
  topic,
  key: `${o.source}/${o.id}`,
  value: JSON.stringify({
    source: o.source,
    id: o.id,
    type: o.type,
    consumer: o.consumer,
    status: o.status,
    ...(o.reason ? { reason: o.reason } : {}),
    at: o.at.toISOString(),
    ...(o.recordedAt ? { recordedAt: o.recordedAt } : {}),
  }),
  headers: { 'content-type': 'application/json' },
})
