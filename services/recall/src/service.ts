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
import { ledger as createLedger } from '@ecrs/ledger'
import { connectStore, watchPointer } from '@ecrs/store'
import type { Logger } from 'pino'
import type { Config } from './config.js'
import { obligationRoutes } from './obligations/http.js'
import { learnProducerNames, producerNames } from './producers/index.js'
import { caseLock } from './recalls/case-lock.js'
import { commandRoutes } from './recalls/commands.js'
import { projectRecalls, type CaseDeps } from './recalls/consumer.js'
import type { RecallParams } from './recalls/domain/index.js'
import { recallParams } from './params.js'
import { recallRoutes, rulesRoutes } from './recalls/http.js'
import { rulesSweep, startScheduler, timedSweep } from './recalls/scheduler.js'
import { caseStore } from './recalls/store.js'
import { switchable } from './recalls/switchable.js'
import { handOver } from './rebuild/hand-over.js'
import { casePointer } from './rebuild/pointer.js'

/** The running recall service; `app` is exposed for in-process tests. */
export interface RecallService extends RunningService {
  readonly app: App
}

/** What a caller may put in place of the defaults: the clock (time is data) and the obligation periods. */
export interface RecallOptions {
  readonly now?: () => Date
  readonly params?: RecallParams
}

/**
 * Connects to Kafka and the store, declares the topics, starts the recall consumer, the producer and
 * the rules timer, and listens on HOST:PORT.
 */
export const start = async (
  config: Readonly<Config>,
  logger: Logger,
  options: RecallOptions = {},
): Promise<RecallService> => {
  const store = await connectStore({ url: config.MONGO_URL, dbName: config.MONGO_DB })
  const closers: (() => Promise<unknown>)[] = [() => store.close()]
  const closeAll = async (): Promise<void> => {
    for (const c of closers.reverse()) await c().catch((err: unknown) => logger.warn({ err }, 'close failed'))
  }
  try {
    const kafka = createKafka({ brokers: config.KAFKA_BROKERS.split(','), clientId: 'ecrs-recall', logger })
    const topics = topicNames(config.TOPIC_NAMESPACE)
    await ensureTopics(kafka, topicConfig(topics, config.TOPIC_PARTITIONS))
    // Built first so that the producer, the consumer and the sweeps report to its registry.
    const app = await createApp({
      name: 'recall',
      version: '0.1.0',
      logger,
      auth: verifierOptions(config),
      timeouts: serverTimeouts(config),
      openapi: { title: 'ECRS recalls', description: 'Recall cases and the obligations of producers.' },
      ready: async () => {
        const [kafkaOk, storeOk] = await Promise.all([pingKafka(kafka), store.ping()])
        return { kafka: kafkaOk, store: storeOk }
      },
    })
    const ops = opsMetrics(app.metrics)
    const producer = await createProducer(kafka, {
      logger,
      sendTimeoutMs: config.PRODUCE_TIMEOUT_MS,
      observer: ops.producer({ outcomesTopic: topics.outcomes }),
    })
    closers.push(() => producer.disconnect())
    const now = options.now ?? (() => new Date())
    const params = options.params ?? recallParams(config.RECALL_TEMPLATES)
    const pointer = casePointer(store, config.TOPIC_NAMESPACE)
    let active = await pointer.read()
    const cases = switchable(caseStore(store, active.collection))
    const deps: CaseDeps = { cases, producer, topics, params, now, lock: caseLock() }
    const consume = (groupId: string) =>
      startConsumer(kafka, {
        groupId,
        topics: [topics.recall],
        logger,
        deadLetter: { topic: topics.deadLetter, producer },
        handler: projectRecalls(deps),
        observer: ops.consumer(),
      })
    let consumer = await consume(active.groupId)
    closers.push(() => consumer.stop())
    const lag = lagProbe(kafka, { groupId: () => active.groupId, topics: [topics.recall] })
    closers.push(() => lag.close())
    ops.lag(() => lag.read())
    // The producers' names, for the public shape of a case: read from the enterprise topic.
    const names = producerNames(store)
    const naming = await startConsumer(kafka, {
      groupId: `${config.TOPIC_NAMESPACE}.recall.producer-names`,
      topics: [topics.enterprise],
      logger,
      deadLetter: { topic: topics.deadLetter, producer },
      handler: learnProducerNames(names),
      observer: ops.consumer(),
    })
    closers.push(() => naming.stop())
    // After a rebuild (npm run rebuild -- recall) the pointer names a new collection and group: stop,
    // hand the published record over under the case lock (no sweep meanwhile), switch, and go on
    // from where the rebuild stopped. A failed hand-over resumes the old group and is tried again.
    const unwatch = watchPointer(pointer, {
      intervalMs: config.PROJECTION_CHECK_MS,
      current: () => active,
      switchTo: async (next) => {
        logger.info({ from: active.collection, to: next.collection }, 'switching to the rebuilt projection')
        await consumer.stop()
        try {
          await deps.lock(async () => {
            const rebuilt = caseStore(store, next.collection)
            const to = { name: next.collection, cases: rebuilt }
            const handed = await handOver(store, active.collection, to, now())
            cases.swap(rebuilt)
            logger.info({ collection: next.collection, handed }, 'switched to the rebuilt projection')
          })
          active = next
        } finally {
          consumer = await consume(active.groupId)
        }
      },
      onError: (err) => logger.warn({ err }, 'projection switch failed'),
    })
    closers.push(() => Promise.resolve(unwatch()))
    const sweep = timedSweep(rulesSweep(deps, logger), ops.timeRun)

    closers.push(() => app.close())
    recallRoutes(app, { cases, params, now, names })
    obligationRoutes(app, { cases, params, now })
    const ledgerStore = await connectStore({ url: config.MONGO_URL, dbName: config.LEDGER_DB })
    closers.push(() => ledgerStore.close())
    commandRoutes(app, {
      cases,
      producer,
      topics,
      params,
      now,
      ledger: createLedger(ledgerStore),
      log: logger,
      leaseMs: config.PRODUCE_TIMEOUT_MS + 2000,
    })
    rulesRoutes(app, sweep)
    // Last to start, first to stop: no sweep runs against a closed producer or store.
    const scheduler = startScheduler(sweep, config.RULES_INTERVAL_MS, logger)
    closers.push(() => scheduler.stop())
    await app.listen({ host: config.HOST, port: config.PORT })
    const address = app.server.address()
    const port = typeof address === 'object' && address ? address.port : config.PORT
    return { app, url: `http://${config.HOST}:${port}`, close: closeAll }
  } catch (err) {
    await closeAll()
    throw err
  }
}
