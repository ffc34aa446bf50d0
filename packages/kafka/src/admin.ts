import type { Kafka } from 'kafkajs'

export interface TopicSpec {
  topic: string
  numPartitions: number
  /** e.g. `{ 'retention.ms': '-1' }` for the event topics, which are the record. */
  config?: Readonly<Record<string, string>>
}

/** Creates the topics that do not exist yet and waits for their leaders; existing ones are left alone. */
export const ensureTopics = async (kafka: Kafka, topics: readonly TopicSpec[]): Promise<void> => {
  const admin = kafka.admin()
  await admin.connect()
  try {
    const existing = new Set(await admin.listTopics())
    const missing = topics.filter((t) => !existing.has(t.topic))
    if (missing.length === 0) return
    // Several services may create the same topics at once; whoever loses the race finds them made.
    await admin
      .createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({
          topic: t.topic,
          numPartitions: t.numPartitions,
          replicationFactor: -1, // the broker's default.replication.factor
          configEntries: Object.entries(t.config ?? {}).map(([name, value]) => ({ name, value })),
        })),
      })
      .catch(async (err: unknown) => {
        const now = new Set(await admin.listTopics())
        if (!missing.every((t) => now.has(t.topic))) throw err
      })
  } finally {
    await admin.disconnect()
  }
}

/** True when a broker answers a metadata request within `timeoutMs`. */
export const pingKafka = async (kafka: Kafka, timeoutMs = 2000): Promise<boolean> => {
  const admin = kafka.admin({ retry: { retries: 0 } })
  let timer: NodeJS.Timeout | undefined
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timeout')), timeoutMs)
    })
    await Promise.race([
      (async () => {
        await admin.connect()
        await admin.describeCluster()
      })(),
      timeout,
    ])
    return true
  } catch {
    return false
  } finally {
    clearTimeout(timer)
    await admin.disconnect().catch(() => undefined)
  }
}

/**
 * How far a consumer group is behind on a topic: `lag` = offsets still to read, `total` = offsets
 * the topic holds (both summed over partitions). A group that never committed starts at the oldest.
 */
export const consumerLag = async (
  kafka: Kafka,
  groupId: string,
  topic: string,
): Promise<{ lag: number; total: number }> => {
  const admin = kafka.admin()
  await admin.connect()
  try {
    const [ends, committed] = await Promise.all([
      admin.fetchTopicOffsets(topic),
      admin.fetchOffsets({ groupId, topics: [topic] }),
    ])
    const done = new Map(committed[0]?.partitions.map((p) => [p.partition, Number(p.offset)]) ?? [])
    let lag = 0
    let total = 0
    for (const e of ends) {
      const high = Number(e.high)
      const low = Number(e.low)
      total += high - low
      lag += Math.max(0, high - Math.max(done.get(e.partition) ?? -1, low))
    }
    return { lag, total }
  } finally {
    await admin.disconnect()
  }
}

/** How many partitions each topic has, from the brokers' metadata. */
export const partitionCounts = async (
  kafka: Kafka,
  topics: readonly string[],
): Promise<ReadonlyMap<string, number>> => {
  const admin = kafka.admin()
  await admin.connect()
  try {
    const meta = await admin.fetchTopicMetadata({ topics: [...topics] })
    return new Map(meta.topics.map((t) => [t.name, t.partitions.length]))
  } finally {
    await admin.disconnect()
  }
}
