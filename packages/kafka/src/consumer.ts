import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs'
import type { Logger } from 'pino'
import { describeError, isPermanent } from './errors.js'
import { nextOffset, toInbound, type InboundMessage } from './message.js'
import type { ConsumerObserver } from './observe.js'
import type { OutboundRecord, Producer } from './producer.js'

/** Context handed to a batch handler. */
export interface BatchContext {
  log: Logger
  /** Call during long work so the group does not think the member died. */
  heartbeat(): Promise<void>
}

/**
 * Processes messages of one partition, in offset order. It must be idempotent: after a crash the
 * messages since the last commit are delivered again. Throw an error with a 4xx `statusCode`
 * (e.g. PermanentError) for input that can never be processed; anything else is retried.
 */
export type BatchHandler = (messages: readonly InboundMessage[], ctx: BatchContext) => Promise<void>

export interface RetryOptions {
  /** Attempts after the first before the error is rethrown. */
  retries: number
  initialMs: number
  maxMs: number
}

export interface ConsumerOptions {
  groupId: string
  topics: readonly string[]
  handler: BatchHandler
  logger: Logger
  /** Where permanently failing messages go, with their original key, value and headers. */
  deadLetter: { topic: string; producer: Producer }
  retry?: Partial<RetryOptions>
  /** Most messages given to the handler at once. */
  maxBatchSize?: number
  fromBeginning?: boolean
  sessionTimeoutMs?: number
  heartbeatIntervalMs?: number
  maxWaitTimeMs?: number
  /**
   * Bytes a fetch waits for (up to `maxWaitTimeMs`) before it answers; kafkajs's default 1 answers
   * at once, so a steady stream arrives as many small chunks. A consumer whose writes are per
   * chunk (the §10 statistics) takes fewer, larger ones with more.
   */
  minBytes?: number
  /** Called after each handled chunk (for metrics and tests). */
  onProgress?: (p: {
    topic: string
    partition: number
    offset: string
    handled: number
    deadLettered: number
  }) => void
  /** Told of every committed chunk and transient failure (metrics: see @ecrs/http's `opsMetrics`). */
  observer?: ConsumerObserver
}

export interface RunningConsumer {
  /** Resolves once the member has joined its group and got its partitions. */
  readonly joined: Promise<void>
  /**
   * Whether this member holds `partition` of `topic` now: from its last join until a rebalance
   * begins (or it stops). What only the owner of a key may do (the rules over an enterprise, say)
   * asks this first.
   */
  owns(topic: string, partition: number): boolean
  /** Finishes the chunk in hand, commits it, leaves the group. */
  stop(): Promise<void>
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Marks a transient failure as retriable for kafkajs, which restarts the member only for those. */
const retriable = (err: unknown): unknown => {
  if (typeof err === 'object' && err !== null) Object.assign(err, { retriable: true })
  return err
}

/** Dead-letter record: the original bytes and headers plus why, where from and when. */
export const deadLetterRecord = (
  topic: string,
  m: InboundMessage,
  groupId: string,
  err: unknown,
  now: Date,
): OutboundRecord => {
  const { code, message } = describeError(err)
  return {
    topic,
    key: m.key,
    value: m.value,
    headers: {
      ...m.headers,
      'dlq-reason': message,
      'dlq-error-code': code,
      'dlq-source-topic': m.topic,
      'dlq-source-partition': String(m.partition),
      'dlq-source-offset': m.offset,
      'dlq-consumer-group': groupId,
      'dlq-failed-at': now.toISOString(),
    },
  }
}

/**
 * Runs a consumer-group member on `eachBatch` with manual offsets: a chunk of messages is handed
 * to the handler, and only after it returns (its writes done) is offset + 1 committed. Transient
 * failures are retried with exponential backoff, then rethrown (kafkajs restarts the member from
 * the committed offset). A permanent failure of a chunk is narrowed down message by message; the
 * message that fails permanently is dead-lettered and the partition moves on.
 */
export const startConsumer = async (kafka: Kafka, opts: ConsumerOptions): Promise<RunningConsumer> => {
  const log = opts.logger.child({ component: 'consumer', groupId: opts.groupId })
  const retry: RetryOptions = { retries: 5, initialMs: 200, maxMs: 5000, ...opts.retry }
  const maxBatchSize = opts.maxBatchSize ?? 500
  const build = (): Consumer =>
    kafka.consumer({
      groupId: opts.groupId,
      sessionTimeout: opts.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: opts.heartbeatIntervalMs ?? 3000,
      maxWaitTimeInMs: opts.maxWaitTimeMs ?? 500,
      ...(opts.minBytes !== undefined ? { minBytes: opts.minBytes } : {}),
      allowAutoTopicCreation: false,
      retry: {
        retries: 10,
        initialRetryTime: 300,
        maxRetryTime: 10_000,
        restartOnFailure: () => Promise.resolve(true),
      },
    })

  let stopping = false
  // The chunk being handled. kafkajs ignores commits once disconnect() has begun, so stop() lets
  // this finish and commit first, then disconnects.
  let inFlight: Promise<void> | undefined
  let markJoined: () => void = () => undefined
  const joined = new Promise<void>((resolve) => {
    markJoined = resolve
  })

  /** Runs fn, retrying transient errors; rethrows permanent ones at once and transient ones when spent. */
  const withRetry = async (
    fn: () => Promise<void>,
    heartbeat: () => Promise<void>,
    what: { topic: string; partition: number; offset: string },
  ): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      try {
        await fn()
        return
      } catch (err) {
        if (isPermanent(err)) throw err
        opts.observer?.transientFailure?.({ groupId: opts.groupId, ...what })
        if (attempt >= retry.retries || stopping) throw retriable(err)
        const delay = Math.min(retry.maxMs, retry.initialMs * 2 ** attempt)
        log.warn({ err, attempt: attempt + 1, delayMs: delay, ...what }, 'transient failure, retrying')
        await sleep(delay)
        await heartbeat().catch(() => undefined)
      }
    }
  }

  const deadLetter = async (m: InboundMessage, err: unknown): Promise<void> => {
    const record = deadLetterRecord(opts.deadLetter.topic, m, opts.groupId, err, new Date())
    // Writing the dead letter is itself retried as transient: losing it would lose the message.
    await withRetry(
      () => opts.deadLetter.producer.send([record]),
      () => Promise.resolve(),
      { topic: m.topic, partition: m.partition, offset: m.offset },
    )
    log.warn(
      { topic: m.topic, partition: m.partition, offset: m.offset, reason: record.headers?.['dlq-reason'] },
      'dead-lettered',
    )
  }

  const eachBatch = async (payload: EachBatchPayload): Promise<void> => {
    const { batch } = payload
    const all = batch.messages.map((m) => toInbound(batch.topic, batch.partition, m))
    for (let i = 0; i < all.length; i += maxBatchSize) {
      if (stopping || !payload.isRunning() || payload.isStale()) return
      const chunk = all.slice(i, i + maxBatchSize)
      const work = handleChunk(chunk, payload)
      inFlight = work
      try {
        await work
      } finally {
        inFlight = undefined
      }
    }
  }

  const handleChunk = async (chunk: InboundMessage[], payload: EachBatchPayload): Promise<void> => {
    const { batch } = payload
    const heartbeat = () => payload.heartbeat()
    const ctx: BatchContext = { log, heartbeat }
    const last = chunk[chunk.length - 1]!
    const deadLettered: InboundMessage[] = []
    try {
      await withRetry(() => opts.handler(chunk, ctx), heartbeat, {
        topic: batch.topic,
        partition: batch.partition,
        offset: chunk[0]!.offset,
      })
    } catch (err) {
      if (!isPermanent(err)) throw err
      // Find the culprit(s): the same messages one at a time; the rest is applied as usual.
      for (const m of chunk) {
        try {
          await withRetry(() => opts.handler([m], ctx), heartbeat, {
            topic: m.topic,
            partition: m.partition,
            offset: m.offset,
          })
        } catch (one) {
          if (!isPermanent(one)) throw one
          await deadLetter(m, one)
          deadLettered.push(m)
        }
      }
    }
    payload.resolveOffset(last.offset)
    await consumer.commitOffsets([
      { topic: batch.topic, partition: batch.partition, offset: nextOffset(last.offset) },
    ])
    await heartbeat()
    opts.onProgress?.({
      topic: batch.topic,
      partition: batch.partition,
      offset: last.offset,
      handled: chunk.length,
      deadLettered: deadLettered.length,
    })
    opts.observer?.committed({
      groupId: opts.groupId,
      topic: batch.topic,
      partition: batch.partition,
      offset: last.offset,
      messages: chunk,
      deadLettered,
    })
  }

  let consumer: Consumer = build()
  let restarts = 0
  // topic → partitions held; emptied as soon as a rebalance begins, refilled at the next join.
  let assigned = new Map<string, ReadonlySet<number>>()
  const run = async (c: Consumer): Promise<void> => {
    c.on(c.events.GROUP_JOIN, (e) => {
      restarts = 0
      assigned = new Map(
        Object.entries(e.payload.memberAssignment).map(([topic, partitions]) => [topic, new Set(partitions)]),
      )
      markJoined()
    })
    c.on(c.events.REBALANCING, () => {
      assigned = new Map()
    })
    c.on(c.events.CRASH, (e) => {
      assigned = new Map()
      log.error({ err: e.payload.error, restart: e.payload.restart }, 'consumer crashed')
      // kafkajs restarts the member only after errors it deems retriable; any other crash would
      // leave the partitions unread for good. Start a fresh member from the committed offsets.
      if (e.payload.restart || stopping) return
      const delay = Math.min(30_000, 1000 * 2 ** Math.min(restarts++, 5))
      setTimeout(() => {
        if (stopping) return
        consumer = build()
        run(consumer).catch((err: unknown) => log.error({ err }, 'consumer restart failed'))
      }, delay).unref()
    })
    await c.connect()
    await c.subscribe({ topics: [...opts.topics], fromBeginning: opts.fromBeginning ?? true })
    await c.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch,
    })
  }
  await run(consumer)

  return {
    joined,
    owns: (topic, partition) => assigned.get(topic)?.has(partition) ?? false,
    stop: async () => {
      stopping = true
      assigned = new Map()
      await inFlight?.catch(() => undefined)
      await consumer.disconnect()
    },
  }
}
