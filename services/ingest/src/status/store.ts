import type { Collection, Db } from 'mongodb'
import type { Outcome } from './domain.js'

/** The latest outcome of each consumer for each event, keyed like the ledger (`source/id`). */
export interface OutcomeDoc {
  _id: string
  source: string
  id: string
  type: string
  consumers: Record<string, Omit<Outcome, 'consumer'>>
}

export interface OutcomeStore {
  get(key: string): Promise<OutcomeDoc | null>
  /** Records outcomes in the order given (the topic's order per event): the last one per consumer wins. */
  record(outcomes: readonly (Outcome & { source: string; id: string; type: string })[]): Promise<void>
}

export const outcomeStore = (db: Db): OutcomeStore => {
  const docs: Collection<OutcomeDoc> = db.collection('outcomes')
  return {
    get: (key) => docs.findOne({ _id: key }),
    async record(outcomes) {
      // Several outcomes of one event in a batch: keep the last per (event, consumer).
      const last = new Map<string, (typeof outcomes)[number]>()
      for (const o of outcomes) last.set(`${o.source}/${o.id}\n${o.consumer}`, o)
      if (last.size === 0) return
      await docs.bulkWrite(
        [...last.values()].map((o) => ({
          updateOne: {
            filter: { _id: `${o.source}/${o.id}` },
            update: {
              $set: {
                source: o.source,
                id: o.id,
                type: o.type,
                [`consumers.${o.consumer}`]: {
                  status: o.status,
                  at: o.at,
                  ...(o.reason ? { reason: o.reason } : {}),
                },
              },
            },
            upsert: true,
          },
        })),
        { ordered: true },
      )
    },
  }
}
