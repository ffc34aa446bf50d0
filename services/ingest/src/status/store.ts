import type { Collection } from 'mongodb'
import { bulkUpdate, type Store } from '@ecrs/store'
import type { Outcome } from './domain.js'

/** The latest outcome of each consumer for each event, keyed like the ledger (`source/id`). */
export interface OutcomeDoc {
  _id: string
  source: string
  id: string
  type: string
  consumers: Record<string, Omit<Outcome, 'consumer'>>
}

/** One consumer's latest outcome of one event: `_id` is `source/id|consumer`, found by equality. */
interface OutcomeRow extends Outcome {
  _id: string
  key: string
  source: string
  id: string
  type: string
}

export interface OutcomeStore {
  /** The outcomes of one event from the given consumers. */
  get(key: string, consumers: readonly string[]): Promise<OutcomeDoc | null>
  /** Records outcomes in the order given (the topic's order per event): the last one per consumer wins. */
  record(outcomes: readonly (Outcome & { source: string; id: string; type: string })[]): Promise<void>
}

export const outcomeStore = (store: Store): OutcomeStore => {
  const byConsumer: Collection<OutcomeRow> = store.db.collection('outcomes')
  return {
    async get(key, consumers) {
      const rows = await Promise.all(consumers.map((c) => byConsumer.findOne({ _id: `${key}|${c}` })))
      const found = rows.filter((r): r is OutcomeRow => r !== null)
      if (found.length === 0) return null
      const first = found[0]!
      return {
        _id: key,
        source: first.source,
        id: first.id,
        type: first.type,
        consumers: Object.fromEntries(
          found.map((r) => [
            r.consumer,
            { status: r.status, at: r.at, ...(r.reason ? { reason: r.reason } : {}) },
          ]),
        ),
      }
    },
    async record(outcomes) {
      // Several outcomes of one event in a batch: keep the last per (event, consumer).
      const last = new Map<string, (typeof outcomes)[number]>()
      for (const o of outcomes) last.set(`${o.source}/${o.id}|${o.consumer}`, o)
      if (last.size === 0) return
      const docs = [...last].map(([_id, o]) => ({
        _id,
        key: `${o.source}/${o.id}`,
        source: o.source,
        id: o.id,
        type: o.type,
        consumer: o.consumer,
        status: o.status,
        at: o.at,
        ...(o.reason ? { reason: o.reason } : {}),
      }))
      // Most outcomes are an event's first: insert them together; the few that replace an earlier
      // outcome (a back-dated event changed it) are written one by one.
      const existing = new Set<number>()
      await store
        .write(() => byConsumer.insertMany(docs, { ordered: false }))
        .catch((err: unknown) => {
          const raw = (err as { writeErrors?: unknown }).writeErrors
          if (raw === undefined) throw err
          for (const we of (Array.isArray(raw) ? raw : [raw]) as { index?: number; code?: number }[]) {
            if (we.code !== 11000 || we.index === undefined) throw err
            existing.add(we.index)
          }
        })
      const replace = docs.filter((_, i) => existing.has(i))
      await store.write(() =>
        bulkUpdate(
          store,
          byConsumer,
          replace.map((d) => ({ replaceOne: { filter: { _id: d._id }, replacement: d } })),
        ),
      )
    },
  }
}
