import type { Envelope, EventSpec, Topics } from '@ecrs/contracts'
import { extensionAttributes, partitionKey } from '@ecrs/contracts'
import type { OutboundRecord } from '@ecrs/kafka'

/**
 * An accepted event as a Kafka record in CloudEvents binary mode: the attributes as `ce_*`
 * headers, `data` as the value, keyed by the enterprise's USCC or the recall id (contract §3).
 * `ce_recordedat` (an extension) carries when ingest took it: consumers order same-time events by it.
 */
export const toRecord = (
  event: Envelope,
  spec: EventSpec,
  topics: Topics,
  recordedAt: Date,
  correlationId: string,
): OutboundRecord => {
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
    ce_recordedat: recordedAt.toISOString(),
    'content-type': 'application/json',
    'correlation-id': correlationId,
  })
  return {
    topic: spec.topic === 'enterprise' ? topics.enterprise : topics.recall,
    key: partitionKey(event, spec),
    value: JSON.stringify(event.data),
    headers,
    timestamp: recordedAt.getTime(),
  }
}
