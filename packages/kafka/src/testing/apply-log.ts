import type { Collection, MongoClient } from 'mongodb'
import type { BatchHandler } from '../consumer.js'
import { PermanentError } from '../errors.js'
import type { InboundMessage } from '../message.js'

/**
 * A handler used by this package's tests (and its worker process): it parses each message as
 * `{ id, amount }`, appends every processing attempt to `attempts` (a log that is NOT idempotent,
 * so double processing shows), and applies the effect idempotently: `applied` has one document per
 * id (unique `_id`), and `totals` is incremented only when that insert happened.
 */
export const applyLogHandler = (client: MongoClient, db: string, tag: string): BatchHandler => {
  const attempts = client.db(db).collection('attempts')
  const applied: Collection<{ _id: string; amount: number }> = client.db(db).collection('applied')
  const totals: Collection<{ _id: string; sum: number; count: number }> = client.db(db).collection('totals')
  return async (messages: readonly InboundMessage[]) => {
    for (const m of messages) {
      let body: { id?: unknown; amount?: unknown }
      try {
        body = JSON.parse(m.value?.toString('utf8') ?? '') as typeof body
      } catch (err) {
        throw new PermanentError('MESSAGE_UNPARSEABLE', 'value is not JSON', { cause: err })
      }
      if (typeof body.id !== 'string' || typeof body.amount !== 'number') {
        throw new PermanentError('MESSAGE_INVALID', 'value needs a string id and a number amount')
      }
      await attempts.insertOne({ id: body.id, offset: m.offset, tag })
      const inserted = await applied
        .insertOne({ _id: body.id, amount: body.amount })
        .then(() => true)
        .catch((err: { code?: number }) => {
          if (err.code === 11000) return false
          throw err
        })
      if (inserted)
        await totals.updateOne({ _id: 'all' }, { $inc: { sum: body.amount, count: 1 } }, { upsert: true })
    }
  }
}
