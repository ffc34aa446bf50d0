import { rebuildProjection, type RebuildResult } from '@ecrs/runtime'
import type { Logger } from 'pino'
import type { Config } from '../config.js'
import { projectEnterpriseEvents } from '../profiles/consumer.js'
import { profileParams } from '../params.js'
import { projector } from '../profiles/projector.js'
import { profileStore } from '../profiles/store.js'
import { profilePointer } from './pointer.js'

export type { RebuildResult }

/**
 * Replays the enterprise topic from the start into a fresh collection, then switches the live
 * projection to it once caught up. Outcomes, decisions and change records are not published again
 * (the live projection did); the documents record them as published so nothing is re-sent after the
 * switch.
 */
export const rebuild = (
  config: Readonly<Config>,
  logger: Logger,
  progress: (line: string) => void,
  now: () => Date = () => new Date(),
): Promise<RebuildResult> =>
  rebuildProjection(
    config,
    logger,
    progress,
    {
      name: 'credit-profile',
      collectionPrefix: 'enterprises',
      topics: (topics) => [topics.enterprise],
      pointer: profilePointer,
      handler: async ({ store, collection, producer, topics }) =>
        projectEnterpriseEvents(
          projector({
            profiles: await profileStore(store, collection),
            producer,
            params: profileParams(config.PROFILE_PARAMS),
            topics,
            now,
            log: logger,
          }),
        ),
    },
    now,
  )
