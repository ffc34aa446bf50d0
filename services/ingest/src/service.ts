import { topicConfig, topicNames } from '@ecrs/contracts'
import {
  createApp,
  opsMetrics,
  serverTimeouts,
  verifierOptions,
  type App,
  type RunningService,
} from '@ecrs/http'
import { createKafka, createProducer, ensureTopics, lagProbe, pingKafka, startConsumer } from '@ecrs/kafka'
import { connectStore } from '@ecrs/store'
import type { Logger } from 'pino'
import type { Config } from './config.js'
import { eventRoutes } from './events/http.js'
import { ledger as createLedger } from '@ecrs/ledger'
import { bodyBudget } from './events/body-budget.js'
import { rateLimit } from './events/rate-limit.js'
import { schemaRoutes } from './schemas/http.js'
import { outcomeType, projectOutcomes } from './status/consumer.js'
import { statusRoutes } from './status/http.js'
import { outcomeStore } from './status/store.js'

const VERSION = '0.1.0'

/** The running ingest service; `app` is exposed for in-process tests. */
export interface IngestService extends RunningService {
  readonly app: App
}

/**
 * Connects to Kafka and the store, declares the topics, starts the outcomes consumer and the
 * producer, and listens on HOST:PORT.
 */
export const start = async (config: Readonly<Config>, logger: Logger): Promise<IngestService> => {
  const store = await connectStore({ url: config.MONGO_URL, dbName: config.MONGO_DB })
  const closers: (() => Promise<unknown>)[] = [() => store.close()]
  const closeAll = async (): Promise<void> => {
    for (const c of closers.reverse()) await c().catch((err: unknown) => logger.warn({ err }, 'close failed'))
  }
  try {
    const kafka = createKafka({ brokers: config.KAFKA_BROKERS.split(','), clientId: 'ecrs-ingest', logger })
    const topics = topicNames(config.TOPIC_NAMESPACE)
    await ensureTopics(kafka, topicConfig(topics, config.TOPIC_PARTITIONS))
    // Built first so that the producer and the consumer report to its registry (GET /metrics).
    const app = await createApp({
      name: 'ingest',
      version: VERSION,
      logger,
      auth: verifierOptions(config),
      timeouts: serverTimeouts(config),
      // The largest body a route takes; each route sets its own limit below it.
      bodyLimit: config.MAX_BATCH_BYTES,
      openapi: {
        title: 'ECRS ingest',
        description: 'The one door for writes: agencies and firms publish events.',
      },
      ready: async () => {
        const [kafkaOk, storeOk] = await Promise.all([pingKafka(kafka), store.ping()])
        return { kafka: kafkaOk, store: storeOk }
      },
    })
    const ops = opsMetrics(app.metrics)
    const producer = await createProducer(kafka, {
      logger,
      sendTimeoutMs: config.PRODUCE_TIMEOUT_MS,
      observer: ops.producer(),
    })
    closers.push(() => producer.disconnect())
    const ledger = createLedger(store)
    const outcomes = outcomeStore(store)
    const groupId = `${config.TOPIC_NAMESPACE}.ingest.outcomes`
    const consumer = await startConsumer(kafka, {
      groupId,
      topics: [topics.outcomes],
      logger,
      deadLetter: { topic: topics.deadLetter, producer },
      handler: projectOutcomes(outcomes),
      observer: ops.consumer({ typeOf: outcomeType }),
    })
    closers.push(() => consumer.stop())
    const lag = lagProbe(kafka, { groupId: () => groupId, topics: [topics.outcomes] })
    closers.push(() => lag.close())
    ops.lag(() => lag.read())

    closers.push(() => app.close())
    eventRoutes(app, {
      deps: {
        ledger,
        producer,
        topics,
        log: logger,
        now: () => new Date(),
        leaseMs: config.PRODUCE_TIMEOUT_MS + 2000,
      },
      rateLimit: rateLimit({ perSecond: config.RATE_LIMIT_PER_SECOND, burst: config.RATE_LIMIT_BURST }),
      maxEventBytes: config.MAX_EVENT_BYTES,
      maxBatchEvents: config.MAX_BATCH_EVENTS,
      maxBatchBytes: config.MAX_BATCH_BYTES,
      batchBudget: bodyBudget({
        maxBytes: config.MAX_INFLIGHT_BATCH_BYTES,
        unknownLengthBytes: config.MAX_BATCH_BYTES,
        retryAfterSeconds: 1,
        maxShare: config.MAX_INFLIGHT_BATCH_SHARE,
      }),
      retryAfterSeconds: config.RETRY_AFTER_SECONDS,
      count: ops.ingested,
    })
    statusRoutes(app, { ledger, outcomes })
    schemaRoutes(app, topics, VERSION)
    await app.listen({ host: config.HOST, port: config.PORT })
    const address = app.server.address()
    const port = typeof address === 'object' && address ? address.port : config.PORT
    return { app, url: `http://${config.HOST}:${port}`, close: closeAll }
  } catch (err) {
    await closeAll()
    throw err
  }
}
