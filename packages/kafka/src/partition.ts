import { Partitioners } from 'kafkajs'

const partitioner = Partitioners.DefaultPartitioner()

/**
 * The partition a keyed record goes to on a topic of `partitions` partitions: what the producer's
 * partitioner (kafkajs's default, murmur2 as Java clients) picks, asked the same way. An instance
 * owns a key while its consumer is assigned that partition.
 */
export const partitionOf = (key: string, partitions: number): number =>
  partitioner({
    topic: '',
    partitionMetadata: Array.from({ length: partitions }, (_, partitionId) => ({
      partitionId,
      leader: 0,
      replicas: [0],
      isr: [0],
      partitionErrorCode: 0,
    })),
    message: { key, value: null },
  })
