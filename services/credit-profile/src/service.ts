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
import { connectStore, watchPointer } from '@ecrs/store'
import type { Logger } from 'pino'
import type { Config } from './config.js'
import { projectEnterpriseEvents } from './profiles/consumer.js'
import { profileParams } from './params.js'
import { profileErrors, profileRoutes } from './profiles/http.js'
import { busyError, readGate } from './profiles/read-gate.js'
import { projector as createProjector } from './profiles/projector.js'
import { profileStore } from './profiles/store.js'
import { rulesRoutes } from './rules/http.js'
import { rulesRunner } from './rules/scheduler.js'
import { profilePointer } from './rebuild/pointer.js'
import { switchable } from './profiles/switchable.js'

/** The running credit-profile service; `app` and `rules` are exposed for in-process tests. */
export interface CreditProfileService extends RunningService {
  readonly app: App
}

/** Connects, declares the topics, projects the enterprise topic, runs the rules, serves §6. */
export const start = async (config: Readonly<Config>, logger: Logger): Promise<CreditProfileService> => {
  const store = await connectStore({ url: config.MONGO_URL, dbName: config.MONGO_DB })
  const closers: (() => Promise<unknown>)[] = [() => store.close()]
  const closeAll = async (): Promise<void> => {
    for (const c of closers.reverse()) await c().catch((err: unknown) => logger.warn({ err }, 'close failed'))
  }
  try {
    const kafka = createKafka({
      brokers: config.KAFKA_BROKERS.split(','),
      clientId: 'ecrs-credit-profile',
      logger,
    })
    const topics = topicNames(config.TOPIC_NAMESPACE)
    await ensureTopics(kafka, topicConfig(topics, config.TOPIC_PARTITIONS))
    // Built first so that the producer, the consumer and the rules report to its registry.
    const app = await createApp({
      name: 'credit-profile',
      version: '0.1.0',
      logger,
      auth: verifierOptions(config),
      timeouts: serverTimeouts(config),
      openapi: {
        title: 'ECRS credit profiles',
        description: 'Credit profiles of enterprises for regulators, firms and the public.',
      },
      ready: async () => {
        const [kafkaOk, storeOk] = await Promise.all([pingKafka(kafka), store.ping()])
        return { kafka: kafkaOk, store: storeOk }
      },
    })
    const ops = opsMetrics(app.metrics)
    const producer = await createProducer(kafka, {
      logger,
      observer: ops.producer({ outcomesTopic: topics.outcomes }),
    })
    closers.push(() => producer.disconnect())
    const pointer = profilePointer(store, config.TOPIC_NAMESPACE)
    let active = await pointer.read()
    const profiles = switchable(await profileStore(store, active.collection))
    const now = () => new Date()
    const params = profileParams(config.PROFILE_PARAMS)
    const projector = createProjector({ profiles, producer, params, topics, now, log: logger })
    const consume = (groupId: string) =>
      startConsumer(kafka, {
        groupId,
        topics: [topics.enterprise],
        logger,
        deadLetter: { topic: topics.deadLetter, producer },
        handler: projectEnterpriseEvents(projector),
        observer: ops.consumer(),
      })
    let consumer = await consume(active.groupId)
    closers.push(() => consumer.stop())
    const lag = lagProbe(kafka, { groupId: () => active.groupId, topics: [topics.enterprise] })
    closers.push(() => lag.close())
    ops.lag(() => lag.read())
    // After a rebuild (npm run rebuild -- credit-profile) the pointer names a new collection and
    // group: stop, switch, and go on from where the rebuild stopped.
    const unwatch = watchPointer(pointer, {
      intervalMs: config.PROJECTION_CHECK_MS,
      current: () => active,
      switchTo: async (next) => {
        logger.info({ from: active.collection, to: next.collection }, 'switching to the rebuilt projection')
        await consumer.stop()
        profiles.swap(await profileStore(store, next.collection))
        consumer = await consume(next.groupId)
        active = next
      },
      onError: (err) => logger.warn({ err }, 'projection switch check failed'),
    })
    closers.push(() => Promise.resolve(unwatch()))
    const rules = rulesRunner({ profiles, projector, now, log: logger, timeRun: ops.timeRun })
    rules.start(config.RULES_INTERVAL_MS)
    closers.push(() => rules.stop())

    closers.push(() => app.close())
    const gate = readGate({
      concurrency: config.READS_CONCURRENCY,
      queue: config.READS_QUEUE,
      cacheMs: config.READS_CACHE_MS,
      busy: busyError(profileErrors.READS_BUSY, 1),
    })
    profileRoutes(app, { profiles, params, now, gate })
    rulesRoutes(app, rules)
    await app.listen({ host: config.HOST, port: config.PORT })
    const address = app.server.address()
    const port = typeof address === 'object' && address ? address.port : config.PORT
    return { app, url: `http://${config.HOST}:${port}`, close: closeAll }
  } catch (err) {
    await closeAll()
    throw err
  }
}
