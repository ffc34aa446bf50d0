import type { Envelope, EventSpec, Topics } from '@ecrs/contracts'
import { partitionKey, toCloudEventRecord } from '@ecrs/contracts'
import type { OutboundRecord } from '@ecrs/kafka'

/**
 * An accepted event as a Kafka record in CloudEvents binary mode, keyed by the enterprise's USCC
 * or the recall id (contract §3), with the request's correlation id; `retake` when produced under
 * a lease taken over (ATTEMPT_HEADER).
 */
export const toRecord = (
  event: Envelope,
  spec: EventSpec,
  topics: Topics,
  recordedAt: Date,
  correlationId: string,
  retake = false,
): OutboundRecord =>
  toCloudEventRecord(event, {
    topic: spec.topic === 'enterprise' ? topics.enterprise : topics.recall,
    key: partitionKey(event, spec),
    recordedAt,
    correlationId,
    retake,
  })
