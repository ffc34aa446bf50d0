/**
 * The changes topic's handler: change records (from `credit-profile`) become feed entries.
 */
import { fromChangeRecord, type ChangeRecord } from '@ecrs/contracts'
import { PermanentError, type BatchHandler } from '@ecrs/kafka'
import type { FanOut } from '../types.js'
import type { FeedStore } from './store.js'

/**
 * Records a batch of change records. A value that is not a change record fails the whole batch
 * with a 422 before anything is written: the consumer loop then hands the batch over again one
 * message at a time, dead-letters the bad one and records the others (record() drops what a
 * previous attempt recorded), so one bad record never blocks its partition.
 */
export const feedHandler =
  (feed: Pick<FeedStore, 'record'>, fanOut: FanOut): BatchHandler =>
  async (messages, ctx) => {
    const records: ChangeRecord[] = messages.map((m) => {
      const record = fromChangeRecord(m.value)
      if (record === undefined) {
        throw new PermanentError(
          'CHANGE_RECORD_INVALID',
          `${m.topic}/${m.partition}@${m.offset} is not a change record`,
          { statusCode: 422 },
        )
      }
      return record
    })
    const entries = await feed.record(records, fanOut)
    ctx.log.debug({ records: records.length, entries: entries.length }, 'changes recorded')
  }
