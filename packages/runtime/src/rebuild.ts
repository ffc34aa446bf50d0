/**
 * The rebuild of a projection (`npm run rebuild -- <service>`), written once: replay its topics from
 * the start into a fresh collection with a fresh consumer group, then point the live service at it
 * (it switches by itself, see `ServiceContext.project`). What the projection publishes is not
 * published again (the live projection did): the handler is given a silent producer.
 */
import type { Static, TSchema } from '@sinclair/typebox'
import { topicConfig, topicNames, type Topics } from '@ecrs/contracts'
import { readConfig } from '@ecrs/http'
import {
  consumeUntilCaughtUp,
  createKafka,
  ensureTopics,
  silentProducer,
  type BatchHandler,
  type Producer,
} from '@ecrs/kafka'
import { connectStore, freshProjection, type ProjectionPointer, type Store } from '@ecrs/store'
import { pino, type Logger } from 'pino'
import type { RuntimeConfig } from './service.js'

/** What a rebuild did, as printed by `npm run rebuild`. */
export interface RebuildResult {
  collection: string
  groupId: string
  events: number
  seconds: number
  eventsPerSec: number
}

export interface RebuildSpec {
  /** The service, for the client id and the rebuild's group (`<ns>.<name>.rebuild.<stamp>`). */
  readonly name: string
  /** The prefix of the fresh collection (`<prefix>_<stamp>`). */
  readonly collectionPrefix: string
  /** The topics the projection folds (replayed together, as the live consumer reads them). */
  readonly topics: (topics: Topics) => readonly string[]
  readonly pointer: (store: Store, namespace: string) => ProjectionPointer
  /** The projection's handler writing to `collection`, publishing through `producer` (silent). */
  handler(deps: {
    store: Store
    collection: string
    producer: Producer
    topics: Topics
  }): Promise<BatchHandler>
}

export const rebuildProjection = async (
  config: Readonly<RuntimeConfig>,
  logger: Logger,
  progress: (line: string) => void,
  spec: RebuildSpec,
  now: () => Date = () => new Date(),
): Promise<RebuildResult> => {
  const store = await connectStore({ url: config.MONGO_URL, dbName: config.MONGO_DB })
  const kafka = createKafka({
    brokers: config.KAFKA_BROKERS.split(','),
    clientId: `ecrs-${spec.name}-rebuild`,
    logger,
  })
  const topics = topicNames(config.TOPIC_NAMESPACE)
  const started = Date.now()
  const { collection, groupId } = freshProjection(
    spec.collectionPrefix,
    `${config.TOPIC_NAMESPACE}.${spec.name}.rebuild`,
    now(),
  )
  try {
    await ensureTopics(kafka, topicConfig(topics, config.TOPIC_PARTITIONS))
    const pointer = spec.pointer(store, config.TOPIC_NAMESPACE)
    const before = await pointer.read()
    progress(`rebuilding into ${collection} (live: ${before.collection}); group ${groupId}`)
    const { handled } = await consumeUntilCaughtUp(kafka, {
      groupId,
      topics: spec.topics(topics),
      logger,
      // Dead letters are not written again either: the live projection dead-lettered the same records.
      deadLetter: { topic: topics.deadLetter, producer: silentProducer },
      handler: await spec.handler({ store, collection, producer: silentProducer, topics }),
      progress,
    })
    await pointer.write({ collection, groupId })
    const seconds = (Date.now() - started) / 1000
    progress(
      `caught up: pointed the live projection to ${collection} (${handled} events in ${seconds.toFixed(1)} s)`,
    )
    return { collection, groupId, events: handled, seconds, eventsPerSec: handled / seconds }
  } finally {
    await store.close()
  }
}

/** The body of a rebuild's `main.ts`: configuration from the environment, progress on stderr, the result as JSON. */
export const runRebuild = <S extends TSchema>(
  name: string,
  schema: S,
  rebuild: (
    config: Readonly<Static<S>>,
    logger: Logger,
    progress: (line: string) => void,
  ) => Promise<RebuildResult>,
): void => {
  const config = readConfig(schema, process.env)
  const level = (config as { LOG_LEVEL?: string }).LOG_LEVEL ?? 'info'
  const logger = pino({ name: `${name}-rebuild`, level: level === 'info' ? 'warn' : level })
  rebuild(config, logger, (line) => process.stderr.write(`rebuild: ${line}\n`))
    .then((r) => {
      process.stdout.write(`${JSON.stringify(r)}\n`)
      process.exit(0)
    })
    .catch((err: unknown) => {
      process.stderr.write(`rebuild failed: ${err instanceof Error ? err.message : String(err)}\n`)
      process.exit(1)
    })
}
