import { randomUUID } from 'node:crypto'
import type { Kafka } from 'kafkajs'
import { toInbound, type InboundMessage } from './message.js'

/**
 * Every record a topic holds now (up to the high watermarks read at the start), in partition and
 * offset order. Reads with a throwaway consumer group that commits nothing and is deleted after:
 * meant for small topics read by hand, such as the dead letters.
 */
export const scanTopic = async (
  kafka: Kafka,
  topic: string,
  opts: { timeoutMs?: number } = {},
): Promise<InboundMessage[]> => {
  const admin = kafka.admin()
  await admin.connect()
  const groupId = `ecrs-scan-${randomUUID()}`
  try {
    const ends = await admin.fetchTopicOffsets(topic)
    // The last offset to wait for, per partition that holds anything.
    const until = new Map(
      ends.filter((e) => BigInt(e.high) > BigInt(e.low)).map((e) => [e.partition, BigInt(e.high) - 1n]),
    )
    if (until.size === 0) return []
    const seen = new Map<number, Map<string, InboundMessage>>()
    const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 200 })
    let finish: () => void = () => undefined
    const complete = new Promise<void>((resolve) => {
      finish = resolve
    })
    const reached = new Set<number>()
    try {
      await consumer.connect()
      await consumer.subscribe({ topics: [topic], fromBeginning: true })
      await consumer.run({
        autoCommit: false,
        eachBatch: ({ batch }) => {
          const target = until.get(batch.partition)
          if (target === undefined) return Promise.resolve()
          const byOffset = seen.get(batch.partition) ?? new Map<string, InboundMessage>()
          seen.set(batch.partition, byOffset)
          for (const m of batch.messages) {
            if (BigInt(m.offset) > target) break
            byOffset.set(m.offset, toInbound(batch.topic, batch.partition, m))
            if (BigInt(m.offset) === target) reached.add(batch.partition)
          }
          // Transaction markers and compaction leave gaps: the batch's end also counts.
          if (BigInt(batch.lastOffset()) >= target) reached.add(batch.partition)
          if (reached.size === until.size) finish()
          return Promise.resolve()
        },
      })
      let timer: NodeJS.Timeout | undefined
      await Promise.race([
        complete,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`reading ${topic} took over ${opts.timeoutMs ?? 60_000} ms`)),
            opts.timeoutMs ?? 60_000,
          )
        }),
      ]).finally(() => clearTimeout(timer))
    } finally {
      await consumer.disconnect()
    }
    return [...seen.entries()]
      .sort(([a], [b]) => a - b)
      .flatMap(([, byOffset]) =>
        [...byOffset.values()].sort((x, y) => (BigInt(x.offset) < BigInt(y.offset) ? -1 : 1)),
      )
  } finally {
    await admin.deleteGroups([groupId]).catch(() => undefined)
    await admin.disconnect()
  }
}
