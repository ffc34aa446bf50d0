import type { Kafka } from 'kafkajs'
import type { Logger } from 'pino'
import { consumerLag } from './admin.js'
import { startConsumer, type BatchHandler } from './consumer.js'
import type { Producer } from './producer.js'

/** What {@link consumeUntilCaughtUp} needs: a fresh group, the topic, the handler. */
export interface CatchUpOptions {
  groupId: string
  topic: string
  handler: BatchHandler
  logger: Logger
  deadLetter: { topic: string; producer: Producer }
  /** Told `<done>/<total> events (<pct>%), <n> handled` every ~2 s and when caught up. */
  progress: (line: string) => void
}

/**
 * Consumes `topic` from its start with a new group until the group's lag is 0 (the end the topic
 * had by then), then leaves the group with its offsets committed: how a projection is rebuilt
 * before the live service is pointed at it and goes on from those offsets.
 */
export const consumeUntilCaughtUp = async (
  kafka: Kafka,
  opts: CatchUpOptions,
): Promise<{ handled: number }> => {
  let handled = 0
  const consumer = await startConsumer(kafka, {
    groupId: opts.groupId,
    topics: [opts.topic],
    logger: opts.logger,
    deadLetter: opts.deadLetter,
    handler: opts.handler,
    onProgress: (p) => {
      handled += p.handled
    },
  })
  try {
    let lastPrint = 0
    for (;;) {
      const { lag, total } = await consumerLag(kafka, opts.groupId, opts.topic)
      if (Date.now() - lastPrint > 2000 || lag === 0) {
        const pct = total === 0 ? 100 : Math.floor(((total - lag) / total) * 100)
        opts.progress(`${total - lag}/${total} events (${pct}%), ${handled} handled`)
        lastPrint = Date.now()
      }
      if (lag === 0) break
      await new Promise((r) => setTimeout(r, 500))
    }
  } finally {
    await consumer.stop()
  }
  return { handled }
}
