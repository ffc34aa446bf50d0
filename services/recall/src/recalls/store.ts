import type { Collection, Filter } from 'mongodb'
import { isDuplicateKey, type Store } from '@ecrs/store'
import type { CaseEvent, Ledger, Outcome, RecallCase, RecallStatus } from './domain/index.js'

/** The recall consumer's last published outcome of one event. */
export interface PublishedOutcome {
  readonly source: string
  readonly id: string
  readonly status: Outcome['status']
  readonly reason?: string
}

/**
 * One recall case (`_id` = recallId): its events, what was published about it, and the derived case
 * with the fields the list endpoints filter on. Events are kept as JSON strings: their `data` may
 * hold keys (dots, `samr.ln/x`) a document may not.
 */
export interface CaseDoc {
  _id: string
  /** Optimistic concurrency: a save only replaces the version it was derived from. */
  version: number
  events: string[]
  outcomes: PublishedOutcome[]
  /** Ids of the `ecrs.recall` decisions already on the enterprise topic. */
  decisions: string[]
  /**
   * What those decisions said about each obligation and step status, so that later history that
   * contradicts them is answered (voided, corrected); absent in documents written before it existed.
   */
  ledger?: Ledger
  /** The case as last derived; absent while no opening step applies. */
  case?: RecallCase
  status?: RecallStatus
  producer?: string
  regions: string[]
  /** The notice is published: the case is public. */
  published: boolean
  /** Lower-case product name, model, producer name and USCC, for the public search. */
  search: string
  /** When the derivation changes with time alone (a deadline passes); the sweep looks for these. */
  nextChangeAt?: Date
  updatedAt: Date
}

/** What the list endpoints read: a case without its history. */
export type CaseSummary = Pick<CaseDoc, '_id' | 'case'>

/** Filters of `GET /v1/recalls`. */
export interface CaseFilter {
  status?: string
  region?: string
  producer?: string
}

export interface CaseStore {
  get(recallId: string): Promise<CaseDoc | null>
  /**
   * Writes `doc` if the stored version is still `doc.version - 1` (inserts version 1). False when
   * another writer came first: re-read and derive again.
   */
  save(doc: CaseDoc): Promise<boolean>
  /** The ids of cases whose `nextChangeAt` ≤ `now`, or of every case. */
  dueIds(now: Date | 'all'): Promise<string[]>
  /** Cases by `_id` order after `cursor`, at most `limit`. */
  list(filter: CaseFilter, limit: number, cursor?: string): Promise<CaseSummary[]>
  /** The producer's cases, whole (their obligations are derived again at the time asked). */
  ofProducer(uscc: string): Promise<CaseDoc[]>
  published(): Promise<(CaseSummary & Pick<CaseDoc, 'search'>)[]>
}

/** The events of a case document, parsed. */
export const eventsOf = (doc: Pick<CaseDoc, 'events'> | null): CaseEvent[] =>
  (doc?.events ?? []).map((s) => JSON.parse(s) as CaseEvent)

// The history and bookkeeping stay in the store: list answers carry the case only.
const SUMMARY = { projection: { _id: 1, case: 1 } } as const

/**
 * The case documents of the recall service, in `collection` (`cases` until a rebuild fills another
 * one and points to it, see rebuild/pointer.ts).
 */
export const caseStore = (store: Store, collection = 'cases'): CaseStore => {
  const cases: Collection<CaseDoc> = store.db.collection(collection)
  return {
    get: (recallId) => cases.findOne({ _id: recallId }),
    async save(doc) {
      if (doc.version === 1) {
        try {
          await store.write(() => cases.insertOne(doc))
          return true
        } catch (err) {
          if (isDuplicateKey(err)) return false
          throw err
        }
      }
      const { _id, ...rest } = doc
      // On the FerretDB stand-in only a filter of `_id` alone is answered from an index (any other
      // key makes it scan the collection), so the version check is left to this process's case
      // lock there (the local stack runs one process per service); MongoDB checks it here.
      const filter = store.flavor === 'ferretdb' ? { _id } : { _id, version: doc.version - 1 }
      const r = await store.write(() => cases.replaceOne(filter, rest))
      return r.matchedCount === 1
    },
    async dueIds(now) {
      const filter: Filter<CaseDoc> = now === 'all' ? {} : { nextChangeAt: { $lte: now } }
      const docs = await cases.find(filter, { projection: { _id: 1 } }).toArray()
      return docs.map((d) => d._id)
    },
    list(filter, limit, cursor) {
      const f: Filter<CaseDoc> = {}
      if (filter.status !== undefined) f.status = filter.status as RecallStatus
      if (filter.region !== undefined) f.regions = filter.region
      if (filter.producer !== undefined) f.producer = filter.producer
      if (cursor !== undefined) f._id = { $gt: cursor }
      return cases
        .find<CaseSummary>({ ...f, case: { $exists: true } }, SUMMARY)
        .sort({ _id: 1 })
        .limit(limit)
        .toArray()
    },
    ofProducer: (uscc) => cases.find({ producer: uscc }).sort({ _id: 1 }).toArray(),
    published: () =>
      cases
        .find<CaseSummary & Pick<CaseDoc, 'search'>>(
          { published: true },
          { projection: { _id: 1, case: 1, search: 1 } },
        )
        .sort({ _id: 1 })
        .toArray(),
  }
}
