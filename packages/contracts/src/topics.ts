/**
 * Kafka topic names. A namespace (`TOPIC_NAMESPACE`, default `ecrs`) lets several stacks, or test
 * files, share one broker without seeing each other's records.
 */
export interface Topics {
  /** Enterprise supervision events, keyed by the enterprise's USCC (contract §4.1). */
  enterprise: string
  /** Recall events, keyed by recallId (contract §4.2). */
  recall: string
  /** Per-consumer outcomes of events (applied / rejected), keyed by `source/id`. */
  outcomes: string
  /** Records a consumer could never process, with the reason in headers. */
  deadLetter: string
  /** What changed in credit profiles (contract §8), keyed by USCC: `credit-profile` writes, `notify` reads. */
  changes: string
}

export const topicNames = (namespace = 'ecrs'): Topics => ({
  enterprise: `${namespace}.enterprise-events.v1`,
  recall: `${namespace}.recall-events.v1`,
  outcomes: `${namespace}.outcomes.v1`,
  deadLetter: `${namespace}.dead-letter.v1`,
  changes: `${namespace}.profile-changes.v1`,
})

/** Topic settings: the event topics are the record (retention forever, never compacted). */
export const topicConfig = (topics: Topics, partitions: number) => [
  {
    topic: topics.enterprise,
    numPartitions: partitions,
    config: { 'retention.ms': '-1', 'cleanup.policy': 'delete' },
  },
  {
    topic: topics.recall,
    numPartitions: partitions,
    config: { 'retention.ms': '-1', 'cleanup.policy': 'delete' },
  },
  {
    topic: topics.outcomes,
    numPartitions: partitions,
    config: { 'retention.ms': '-1', 'cleanup.policy': 'delete' },
  },
  {
    topic: topics.changes,
    numPartitions: partitions,
    config: { 'retention.ms': '-1', 'cleanup.policy': 'delete' },
  },
  {
    topic: topics.deadLetter,
    numPartitions: 1,
    config: { 'retention.ms': '-1', 'cleanup.policy': 'delete' },
  },
]
