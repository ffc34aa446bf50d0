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
export { consumerLag, ensureTopics, pingKafka, type TopicSpec } from './admin.js'
export { nextOffset, type InboundMessage } from './message.js'
export { PermanentError, KafkaUnavailableError, isPermanent, describeError } from './errors.js'
