import { topicConfig, topicNames } from '@ecrs/contracts'
import { consumeUntilCaughtUp, createKafka, ensureTopics, silentProducer } from '@ecrs/kafka'
import { connectStore, freshProjection } from '@ecrs/store'
import type { Logger } from 'pino'
import type { Config } from '../config.js'
import { caseLock } from '../recalls/case-lock.js'
import { projectRecalls } from '../recalls/consumer.js'
import { defaultRecallParams, type RecallParams } from '../recalls/domain/index.js'
import { caseStore } from '../recalls/store.js'
import { casePointer } from './pointer.js'

/** What {@link rebuild} did, as printed by `npm run rebuild -- recall`. */
export interface RebuildResult {
  collection: string
  groupId: string
  events: number
  seconds: number
  eventsPerSec: number
}

/**
 * Replays the recall topic from the start into a fresh collection, then points the live projection
 * at it once caught up. Outcomes and decisions are not published again (the live projection did);
 * the documents record them as published, and at the switch the service replaces that record with
 * the live one (see hand-over.ts), so nothing is sent twice and nothing due is lost.
 */
export const rebuild = async (
  config: Readonly<Config>,
  logger: Logger,
  progress: (line: string) => void,
  now: () => Date = () => new Date(),
  params: RecallParams = defaultRecallParams,
): Promise<RebuildResult> => {
  const store = await connectStore({ url: config.MONGO_URL, dbName: config.MONGO_DB })
  const kafka = createKafka({
    brokers: config.KAFKA_BROKERS.split(','),
    clientId: 'ecrs-recall-rebuild',
    logger,
  })
  const topics = topicNames(config.TOPIC_NAMESPACE)
  const started = Date.now()
  const { collection, groupId } = freshProjection('cases', `${config.TOPIC_NAMESPACE}.recall.rebuild`, now())
  try {
    await ensureTopics(kafka, topicConfig(topics, config.TOPIC_PARTITIONS))
    const pointer = casePointer(store, config.TOPIC_NAMESPACE)
    const before = await pointer.read()
    progress(`rebuilding into ${collection} (live: ${before.collection}); group ${groupId}`)
    const cases = caseStore(store, collection)
    const { handled } = await consumeUntilCaughtUp(kafka, {
      groupId,
      topic: topics.recall,
      logger,
      // Dead letters are not written again either: the live projection dead-lettered the same records.
      deadLetter: { topic: topics.deadLetter, producer: silentProducer },
      handler: projectRecalls({ cases, producer: silentProducer, topics, params, now, lock: caseLock() }),
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
