import { rebuildProjection, type RebuildResult } from '@ecrs/runtime'
import type { Logger } from 'pino'
import type { Config } from '../config.js'
import { caseLock } from '../recalls/case-lock.js'
import { projectRecalls } from '../recalls/consumer.js'
import { defaultRecallParams, type RecallParams } from '../recalls/domain/index.js'
import { caseStore } from '../recalls/store.js'
import { casePointer } from './pointer.js'

export type { RebuildResult }

/**
 * Replays the recall topic from the start into a fresh collection, then points the live projection
 * at it once caught up. Outcomes and decisions are not published again (the live projection did);
 * the documents record them as published, and at the switch the service replaces that record with
 * the live one (see hand-over.ts), so nothing is sent twice and nothing due is lost.
 */
export const rebuild = (
  config: Readonly<Config>,
  logger: Logger,
  progress: (line: string) => void,
  now: () => Date = () => new Date(),
  params: RecallParams = defaultRecallParams,
): Promise<RebuildResult> =>
  rebuildProjection(
    config,
    logger,
    progress,
    {
      name: 'recall',
      collectionPrefix: 'cases',
      topics: (topics) => [topics.recall],
      pointer: casePointer,
      handler: ({ store, collection, producer, topics }) =>
        Promise.resolve(
          projectRecalls({
            cases: caseStore(store, collection),
            producer,
            topics,
            params,
            now,
            lock: caseLock(),
          }),
        ),
    },
    now,
  )
