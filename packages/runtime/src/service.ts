/**
 * One runtime for every ECRS service: the start-up wiring each service used to repeat (store,
 * Kafka client, topics, app, producer, consumers, lag probe, the projection pointer, listening) and
 * the close order, written once. A service's `service.ts` says only what is its own, in `setup`.
 */
import { topicConfig, topicNames, type Topics } from '@ecrs/contracts'
import {
  createApp,
  opsMetrics,
  serverTimeouts,
  verifierOptions,
  type App,
  type AuthConfig,
  type OpsMetrics,
} from '@ecrs/http'
import {
  createKafka,
  createProducer,
  ensureTopics,
  lagProbe,
  partitionCounts,
  partitionOf,
  pingKafka,
  startConsumer,
  type BatchHandler,
  type ConsumerOptions,
  type Kafka,
  type Producer,
  type RunningConsumer,
} from '@ecrs/kafka'
import {
  connectStore,
  watchPointer,
  type ActiveProjection,
  type ProjectionPointer,
  type Store,
} from '@ecrs/store'
import type { Logger } from 'pino'
import type { RunningService } from './run.js'

/** The settings the runtime reads (every service's config has them: `serviceConfigSchema`). */
export interface RuntimeConfig extends AuthConfig {
  readonly HOST: string
  readonly PORT: number
  readonly KAFKA_BROKERS: string
  readonly MONGO_URL: string
  readonly MONGO_DB: string
  readonly TOPIC_NAMESPACE: string
  readonly TOPIC_PARTITIONS: number
  readonly HTTP_HEADERS_TIMEOUT_MS: number
  readonly HTTP_BODY_TIMEOUT_MS: number
}

/** How a consumer fetches: see @ecrs/kafka's ConsumerOptions (defaults: at once, 500 per chunk). */
export type FetchOptions = Pick<ConsumerOptions, 'minBytes' | 'maxWaitTimeMs' | 'maxBatchSize'>

/** A consumer the runtime starts, observes and stops. */
export interface ConsumeOptions {
  readonly groupId: string
  readonly topics: readonly string[]
  readonly handler: BatchHandler
  readonly fetch?: FetchOptions
  /** Reads an event type for the metrics when a record has no `ce_type` header. */
  readonly typeOf?: NonNullable<Parameters<OpsMetrics['consumer']>[0]>['typeOf']
  /** Serve this consumer's lag as `ecrs_consumer_lag` (one consumer per service). */
  readonly lag?: boolean
}

/** A projection a rebuild can replace: the pointer names its collection and consumer group. */
export interface ProjectionOptions {
  readonly pointer: ProjectionPointer
  readonly topics: readonly string[]
  /** The consumer's handler (the same for every collection: the service swaps what it writes to). */
  readonly handler: BatchHandler
  readonly fetch?: FetchOptions
  /** How often the pointer is read. */
  readonly intervalMs: number
  /** Serve this projection's lag as `ecrs_consumer_lag` (default true; one consumer per service). */
  readonly lag?: boolean
  /**
   * Moves the service's writes and reads to `next`, with the consumer stopped. Throwing keeps the
   * old projection (its consumer resumes) and the next check tries again.
   */
  switchTo(next: ActiveProjection, from: ActiveProjection): Promise<void>
}

/** The live projection: its collection and group, and which keys this instance owns now. */
export interface ProjectionHandle {
  active(): ActiveProjection
  /**
   * Whether this instance's consumer holds the partition of `key` on `topic` now (false before it
   * joined and from the start of a rebalance): with several instances sharing the group, what
   * only one may do about a key (the rules over an enterprise) is done by its owner.
   */
  owns(topic: string, key: string): boolean
  /** Resolves once the projection's consumer has joined its group. */
  readonly joined: Promise<void>
}

/** What `setup` gets: the connections, the app, and where to register what must be closed. */
export interface ServiceContext<C extends RuntimeConfig> {
  readonly config: Readonly<C>
  readonly log: Logger
  readonly store: Store
  readonly kafka: Kafka
  readonly topics: Topics
  readonly app: App
  readonly ops: OpsMetrics
  readonly producer: Producer
  /** Another database on the same server, closed with the service. */
  readonly connectStore: (dbName: string) => Promise<Store>
  /** Starts a consumer (metrics, dead letters to the shared topic); stopped before the producer. */
  readonly consume: (opts: ConsumeOptions) => Promise<RunningConsumer>
  /** Starts the consumer of a rebuildable projection and follows its pointer; answers the live one. */
  readonly project: (opts: ProjectionOptions) => Promise<ProjectionHandle>
  /**
   * Background work (timers, schedulers, dispatchers): stopped first, in the reverse order of
   * registration, before the server and the consumers — so no run meets a closed producer or store.
   */
  readonly onClose: (stop: () => Promise<unknown> | void) => void
}

export interface ServiceSpec<C extends RuntimeConfig, S extends object> {
  readonly name: string
  readonly version?: string
  readonly openapi: { readonly title: string; readonly description: string }
  /** The largest request body any route takes. */
  readonly bodyLimit?: number
  /** Producer settings: how long a send may wait; the topic whose outcome records are counted. */
  readonly producer?: { readonly sendTimeoutMs?: number; readonly countOutcomes?: boolean }
  /** Declares the service's own parts: stores, consumers, routes, timers. */
  setup(ctx: ServiceContext<C>): Promise<S>
}

/**
 * How long requests in hand may take to finish once the server closes. After that every connection
 * is cut: a connection that never sent a request (clients and load balancers open spare ones) would
 * otherwise hold the close until the client drops it.
 */
const CLOSE_GRACE_MS = 5000

/**
 * A promise that may reject without anyone waiting for it (a consumer closed before it started):
 * marked handled, so that no unhandled rejection ends the process; whoever awaits it still sees it.
 */
const settledLater = <T>(p: Promise<T>): Promise<T> => {
  p.catch(() => undefined)
  return p
}

/** How long a close waits for a consumer still joining its group before it gives up on it. */
const JOIN_CLOSE_WAIT_MS = 10_000
/** The pause between attempts when a consumer could not start (broker down at start, say). */
const START_RETRY_MS = 2000

const closeServer = async (app: App): Promise<void> => {
  const closing = app.close()
  const timer = setTimeout(() => app.server.closeAllConnections(), CLOSE_GRACE_MS)
  try {
    await closing
  } finally {
    clearTimeout(timer)
  }
}

/** A started service: where it listens, its app (for in-process tests) and what `setup` answered. */
export type Service<S extends object> = RunningService & { readonly app: App } & S

/**
 * Starts a service. Close order, whatever the service: background work, then the HTTP server (no
 * new requests, those in hand finish), the pointer watch and the consumers (each finishes and
 * commits its chunk), the lag probe, the producer (waits for its acknowledgements), the stores.
 */
export const startService = async <C extends RuntimeConfig, S extends object>(
  config: Readonly<C>,
  logger: Logger,
  spec: ServiceSpec<C, S>,
): Promise<Service<S>> => {
  const background: (() => Promise<unknown> | void)[] = []
  const consumers: (() => Promise<unknown> | void)[] = []
  const connections: (() => Promise<unknown>)[] = []
  let app: App | undefined
  let closing = false
  // Consumers start once the server listens, and are not waited for: joining a group can take a
  // session timeout (30 s) after an instance died, and reads must not wait for it. `/readyz`
  // answers `consumers: false` until every consumer has joined.
  let markListening: () => void = () => undefined
  const listening = new Promise<void>((resolve) => {
    markListening = resolve
  })
  const joins: boolean[] = []
  const startLater = (open: () => Promise<RunningConsumer>): Promise<RunningConsumer> => {
    const slot = joins.push(false) - 1
    const running = listening.then(async () => {
      for (;;) {
        if (closing) throw new Error('closed before the consumer started')
        try {
          return await open()
        } catch (err) {
          if (closing) throw err
          logger.error({ err }, `consumer could not start; trying again in ${START_RETRY_MS} ms`)
          await new Promise((resolve) => setTimeout(resolve, START_RETRY_MS))
        }
      }
    })
    running.then(
      (c) => c.joined.then(() => (joins[slot] = true)),
      () => undefined,
    )
    return running
  }
  /** Stops a consumer started later; one still joining is waited for a while, then left. */
  const stopLater = async (running: Promise<RunningConsumer>): Promise<void> => {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), JOIN_CLOSE_WAIT_MS)
    })
    const c = await Promise.race([running.catch(() => null), timeout]).finally(() => clearTimeout(timer))
    if (c === undefined) logger.warn('a consumer was still joining its group at close: left as it was')
    await c?.stop()
  }
  const closeAll = async (): Promise<void> => {
    closing = true
    markListening()
    const run = async (fns: (() => Promise<unknown> | void)[]) => {
      for (const fn of fns.reverse()) {
        try {
          await fn()
        } catch (err) {
          logger.warn({ err }, 'close failed')
        }
      }
      fns.length = 0
    }
    await run(background)
    const server = app
    if (server) await run([() => closeServer(server)])
    await run(consumers)
    await run(connections)
  }
  const openStore = async (dbName: string): Promise<Store> => {
    const s = await connectStore({ url: config.MONGO_URL, dbName })
    connections.push(() => s.close())
    return s
  }
  try {
    const store = await openStore(config.MONGO_DB)
    const kafka = createKafka({
      brokers: config.KAFKA_BROKERS.split(','),
      clientId: `ecrs-${spec.name}`,
      logger,
    })
    const topics = topicNames(config.TOPIC_NAMESPACE)
    await ensureTopics(kafka, topicConfig(topics, config.TOPIC_PARTITIONS))
    // Built first so that the producer and the consumers report to its registry (GET /metrics).
    app = await createApp({
      name: spec.name,
      version: spec.version ?? '0.1.0',
      logger,
      auth: verifierOptions(config as Readonly<AuthConfig>),
      timeouts: serverTimeouts(config),
      ...(spec.bodyLimit === undefined ? {} : { bodyLimit: spec.bodyLimit }),
      openapi: spec.openapi,
      ready: async () => {
        const [kafkaOk, storeOk] = await Promise.all([pingKafka(kafka), store.ping()])
        return {
          kafka: kafkaOk,
          store: storeOk,
          ...(joins.length ? { consumers: joins.every(Boolean) } : {}),
        }
      },
    })
    const ops = opsMetrics(app.metrics)
    const producer = await createProducer(kafka, {
      logger,
      ...(spec.producer?.sendTimeoutMs === undefined ? {} : { sendTimeoutMs: spec.producer.sendTimeoutMs }),
      observer: ops.producer(spec.producer?.countOutcomes ? { outcomesTopic: topics.outcomes } : {}),
    })
    // After the stores in the list: closed before them.
    connections.push(() => producer.disconnect())
    let lagRegistered = false
    const serveLag = (groupId: () => string, lagTopics: readonly string[]): void => {
      if (lagRegistered) throw new Error('one consumer per service reports its lag')
      lagRegistered = true
      const lag = lagProbe(kafka, { groupId, topics: lagTopics })
      consumers.push(() => lag.close())
      ops.lag(() => lag.read())
    }
    const start = (opts: Omit<ConsumeOptions, 'lag'>): Promise<RunningConsumer> =>
      startConsumer(kafka, {
        groupId: opts.groupId,
        topics: opts.topics,
        logger,
        deadLetter: { topic: topics.deadLetter, producer },
        handler: opts.handler,
        observer: ops.consumer(opts.typeOf ? { typeOf: opts.typeOf } : {}),
        ...opts.fetch,
      })
    const ctx: ServiceContext<C> = {
      config,
      log: logger,
      store,
      kafka,
      topics,
      app,
      ops,
      producer,
      connectStore: openStore,
      consume: (opts) => {
        const running = startLater(() => start(opts))
        consumers.push(() => stopLater(running))
        if (opts.lag) serveLag(() => opts.groupId, opts.topics)
        let current: RunningConsumer | undefined
        void running.then(
          (c) => (current = c),
          () => undefined,
        )
        return Promise.resolve({
          joined: settledLater(running.then((c) => c.joined)),
          owns: (topic: string, partition: number) => current?.owns(topic, partition) ?? false,
          stop: () => stopLater(running),
        })
      },
      project: async (opts) => {
        const fetch = opts.fetch ? { fetch: opts.fetch } : {}
        let active = await opts.pointer.read()
        const partitions = await partitionCounts(kafka, opts.topics)
        // The consumer running now (none while it starts, joins or switches).
        let current: RunningConsumer | undefined
        const track = (c: RunningConsumer): RunningConsumer => (current = c)
        let consumer = startLater(async () =>
          track(
            await start({ groupId: active.groupId, topics: opts.topics, handler: opts.handler, ...fetch }),
          ),
        )
        consumers.push(() => stopLater(consumer))
        if (opts.lag !== false) serveLag(() => active.groupId, opts.topics)
        // After a rebuild the pointer names a new collection and group: stop, switch, and go on from
        // where the rebuild stopped; a failed switch resumes the old group and is tried again. The
        // pointer is watched once the first consumer runs.
        let unwatch: () => void = () => undefined
        consumer.then(
          () => {
            if (closing) return
            unwatch = watchPointer(opts.pointer, {
              intervalMs: opts.intervalMs,
              current: () => active,
              switchTo: async (next) => {
                logger.info(
                  { from: active.collection, to: next.collection },
                  'switching to the rebuilt projection',
                )
                current = undefined
                await (await consumer).stop()
                try {
                  await opts.switchTo(next, active)
                  active = next
                } finally {
                  const restarted = await start({
                    groupId: active.groupId,
                    topics: opts.topics,
                    handler: opts.handler,
                    ...fetch,
                  })
                  consumer = Promise.resolve(track(restarted))
                }
              },
              onError: (err) => logger.warn({ err }, 'projection switch failed'),
            })
          },
          () => undefined,
        )
        consumers.push(() => unwatch())
        return {
          active: () => active,
          owns: (topic, key) => {
            const n = partitions.get(topic)
            return n !== undefined && current !== undefined && current.owns(topic, partitionOf(key, n))
          },
          joined: settledLater(consumer.then((c) => c.joined)),
        }
      },
      onClose: (stop) => {
        background.push(stop)
      },
    }
    const own = await spec.setup(ctx)
    await app.listen({ host: config.HOST, port: config.PORT })
    markListening()
    const address = app.server.address()
    const port = typeof address === 'object' && address ? address.port : config.PORT
    return { ...own, app, url: `http://${config.HOST}:${port}`, close: closeAll }
  } catch (err) {
    await closeAll()
    throw err
  }
}

/**
 * Waits until `joined` resolves (a consumer has joined its group), `stopped` resolves, or
 * `timeoutMs` passes, whichever comes first: what a scheduled run over owned keys waits on, so
 * that a run right after the start does not find it owns nothing.
 */
export const untilJoined = async (
  joined: Promise<void> | undefined,
  opts: { timeoutMs?: number; stopped?: Promise<void> } = {},
): Promise<void> => {
  if (joined === undefined) return
  let timer: NodeJS.Timeout | undefined
  await Promise.race([
    joined,
    ...(opts.stopped ? [opts.stopped] : []),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, opts.timeoutMs ?? 60_000)
      timer.unref()
    }),
  ]).finally(() => clearTimeout(timer))
}
