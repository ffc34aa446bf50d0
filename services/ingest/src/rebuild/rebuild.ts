import { rebuildProjection, type RebuildResult } from '@ecrs/runtime'
import type { Logger } from 'pino'
import type { Config } from '../config.js'
import { statsFold } from '../stats/fold.js'
import { statsPointer, statsTopics } from '../stats/pointer.js'
import { statsStore } from '../stats/store.js'

/**
 * Recomputes §10's buckets from the topics (every event, every outcome) into fresh collections with
 * the live fold, then points the running ingest at them once caught up.
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
      name: 'ingest-stats',
      collectionPrefix: 'stats',
      topics: statsTopics,
      pointer: statsPointer,
      handler: async ({ store, collection, topics }) =>
        (await statsFold(statsStore(store, collection), topics)).handler,
    },
    now,
  )
