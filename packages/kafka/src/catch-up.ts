import type { Kafka } from 'kafkajs'
import type { Logger } from 'pino'
import { consumerLag } from './admin.js'
import { startConsumer, type BatchHandler } from './consumer.js'
import type { Producer } from './producer.js'

/** What {@link consumeUntilCaughtUp} needs: a fresh group, the topics, the handler. */
export interface CatchUpOptions {
  groupId: string
  topics: readonly string[]
  handler: BatchHandler
  logger: Logger
  deadLetter: { topic: string; producer: Producer }
  /** Told `<done>/<total> events (<pct>%), <n> handled` every ~2 s and when caught up. */
  progress: (line: string) => void
}

/**
 * Consumes `topics` from their start with a new group until the group's lag is 0 (the ends the
 * topics had by then), then leaves the group with its offsets committed: how a projection is rebuilt
 * before the live service is pointed at it and goes on from those offsets.
 */
export const consumeUntilCaughtUp = async (
  kafka: Kafka,
  opts: CatchUpOptions,
): Promise<{ handled: number }> => {
  let handled = 0
  const consumer = await startConsumer(kafka, {
    groupId: opts.groupId,
    topics: opts.topics,
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
      const lags = await Promise.all(opts.topics.map((t) => consumerLag(kafka, opts.groupId, t)))
      const lag = lags.reduce((n, l) => n + l.lag, 0)
      const total = lags.reduce((n, l) => n + l.total, 0)
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
