export { createKafka, type Kafka, type KafkaOptions } from './client.js'
export {
  createProducer,
  silentProducer,
  type OutboundRecord,
  type Producer,
  type ProducerOptions,
} from './producer.js'
export {
  startConsumer,
  deadLetterRecord,
  type BatchContext,
  type BatchHandler,
  type ConsumerOptions,
  type RetryOptions,
  type RunningConsumer,
} from './consumer.js'
export { consumerLag, ensureTopics, partitionCounts, pingKafka, type TopicSpec } from './admin.js'
export { consumeUntilCaughtUp, type CatchUpOptions } from './catch-up.js'
export { lagProbe, type LagProbe, type LagProbeOptions, type PartitionLag } from './lag.js'
export { scanTopic } from './scan.js'
export { partitionOf } from './partition.js'
export type { ChunkReport, ConsumerObserver, ProducerObserver } from './observe.js'
export { nextOffset, type InboundMessage } from './message.js'
export { PermanentError, KafkaUnavailableError, isPermanent, describeError } from './errors.js'
