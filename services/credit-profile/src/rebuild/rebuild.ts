import { topicConfig, topicNames } from '@ecrs/contracts'
import { consumeUntilCaughtUp, createKafka, ensureTopics, silentProducer } from '@ecrs/kafka'
import { connectStore, freshProjection } from '@ecrs/store'
import type { Logger } from 'pino'
import type { Config } from '../config.js'
import { projectEnterpriseEvents } from '../profiles/consumer.js'
import { profileParams } from '../params.js'
import { projector } from '../profiles/projector.js'
import { profileStore } from '../profiles/store.js'
import { profilePointer } from './pointer.js'

export interface RebuildResult {
  collection: string
  groupId: string
  events: number
  seconds: number
  eventsPerSec: number
}

/**
 * Replays the enterprise topic from the start into a fresh collection, then switches the live
 * projection to it once caught up. Outcomes and decisions are not published again (the live
 * projection did); the documents record them as published so nothing is re-sent after the switch.
 */
export const rebuild = async (
  config: Readonly<Config>,
  logger: Logger,
  progress: (line: string) => void,
  now: () => Date = () => new Date(),
): Promise<RebuildResult> => {
  const store = await connectStore({ url: config.MONGO_URL, dbName: config.MONGO_DB })
  const kafka = createKafka({
    brokers: config.KAFKA_BROKERS.split(','),
    clientId: 'ecrs-credit-profile-rebuild',
    logger,
  })
  const topics = topicNames(config.TOPIC_NAMESPACE)
  const started = Date.now()
  const { collection, groupId } = freshProjection(
    'enterprises',
    `${config.TOPIC_NAMESPACE}.credit-profile.rebuild`,
    now(),
  )
  try {
    await ensureTopics(kafka, topicConfig(topics, config.TOPIC_PARTITIONS))
    const pointer = profilePointer(store, config.TOPIC_NAMESPACE)
    const before = await pointer.read()
    progress(`rebuilding into ${collection} (live: ${before.collection}); group ${groupId}`)
    const profiles = await profileStore(store, collection)
    // Dead letters are not written again either: the live projection dead-lettered the same records.
    const { handled } = await consumeUntilCaughtUp(kafka, {
      groupId,
      topic: topics.enterprise,
      logger,
      deadLetter: { topic: topics.deadLetter, producer: silentProducer },
      handler: projectEnterpriseEvents(
        projector({
          profiles,
          producer: silentProducer,
          params: profileParams(config.PROFILE_PARAMS),
          topics,
          now,
          log: logger,
        }),
      ),
      progress,
    })
    await pointer.write({ collection, groupId })
    const seconds = (Date.now() - started) / 1000
    progress(
      `caught up: switched the live projection to ${collection} (${handled} events in ${seconds.toFixed(1)} s)`,
    )
    return { collection, groupId, events: handled, seconds, eventsPerSec: handled / seconds }
  } finally {
    await store.close()
  }
}
