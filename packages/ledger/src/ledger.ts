import type { Collection } from 'mongodb'
import { bulkUpdate, groupInsert, type Store } from '@ecrs/store'

/**
 * The idempotency ledger (architecture.md principle 7): one entry per (`source`, `id`), written
 * `pending` before the record is produced and `accepted` after Kafka acknowledged it. A pending
 * entry carries a lease: whoever holds it produces; a twin request that finds a live lease waits
 * for the outcome, one that finds an expired lease (its holder died or failed) takes it over.
 */
export interface LedgerEntry {
  _id: string
  source: string
  id: string
  type: string
  hash: string
  status: 'pending' | 'accepted'
  /** When ingest first took the event (the `recordedAt` of every answer and of the record). */
  recordedAt: Date
  acceptedAt?: Date
  leaseOwner?: string
  leaseUntil?: Date
}

export const ledgerKey = (source: string, id: string): string => `${source}/${id}`

/** What is stored: the entry without what `_id` already says (source, id) or what is implied (status). */
type StoredEntry = Omit<LedgerEntry, 'source' | 'id' | 'status' | 'acceptedAt'>

const stored = (e: LedgerEntry): StoredEntry => {
  const { source: _s, id: _i, status: _st, acceptedAt: _a, ...rest } = e
  return rest
}

/** A source never contains '/', so the key splits at its first '/'. */
const fromStored = (s: StoredEntry, acceptedAt: Date | undefined): LedgerEntry => {
  const cut = s._id.indexOf('/')
  return {
    ...s,
    source: s._id.slice(0, cut),
    id: s._id.slice(cut + 1),
    status: acceptedAt ? 'accepted' : 'pending',
    ...(acceptedAt ? { acceptedAt } : {}),
  }
}

export interface Ledger {
  find(keys: readonly string[]): Promise<Map<string, LedgerEntry>>
  /** Inserts pending entries; returns the keys that already existed (someone else inserted them first). */
  insertPending(entries: readonly LedgerEntry[]): Promise<Set<string>>
  /** Takes over pending entries whose lease expired; returns the keys now leased to `owner`. */
  takeOver(
    keys: readonly string[],
    hashByKey: ReadonlyMap<string, string>,
    owner: string,
    until: Date,
    now: Date,
  ): Promise<Set<string>>
  markAccepted(keys: readonly string[], owner: string, at: Date): Promise<void>
  /** Gives up a lease at once (produce failed), so that a retry does not wait for it to expire. */
  release(keys: readonly string[], owner: string, now: Date): Promise<void>
}

export const ledger = (store: Store): Ledger => {
  const entries: Collection<StoredEntry> = store.db.collection('ledger')
  // Acceptance is recorded by inserting a marker, not by updating the entry: inserts are batched
  // cheaply everywhere, while batched updates are slow on the local stand-in (see bulkUpdate).
  // The marker names the lease (`leaseOwner`, one per request and round), not each entry: one
  // insert accepts a whole batch. A takeover re-leases an entry, so an old lease's marker no
  // longer covers it (the new holder produces it again, as it would anyway).
  const accepted: Collection<{ _id: string; acceptedAt: Date }> = store.db.collection('ledger_accepted')
  const insertEntries = groupInsert(store, entries)
  const insertMarkers = groupInsert(store, accepted)

  // Every query names documents by `_id` equality: the SQLite stand-in answers those from its
  // primary key, while `$in` and other filters scan the whole collection.
  return {
    async find(keys) {
      const found = await Promise.all(
        keys.map(async (k): Promise<LedgerEntry | null> => {
          // A marker by key (written before markers were by lease), else the marker of the lease.
          const [e, byKey] = await Promise.all([entries.findOne({ _id: k }), accepted.findOne({ _id: k })])
          if (!e) return null
          const a = byKey ?? (e.leaseOwner ? await accepted.findOne({ _id: e.leaseOwner }) : null)
          return fromStored(e, a?.acceptedAt)
        }),
      )
      return new Map(found.filter((e): e is LedgerEntry => e !== null).map((e) => [e._id, e]))
    },

    async insertPending(list) {
      if (list.length === 0) return new Set<string>()
      return insertEntries(list.map(stored))
    },

    async takeOver(keys, hashByKey, owner, until, now) {
      const taken = new Set<string>()
      for (const key of keys) {
        const r = await store.write(() =>
          entries.findOneAndUpdate(
            { _id: key, hash: hashByKey.get(key)!, leaseUntil: { $lt: now } },
            { $set: { leaseOwner: owner, leaseUntil: until } },
            { returnDocument: 'after' },
          ),
        )
        if (r) taken.add(key)
      }
      return taken
    },

    async markAccepted(keys, owner, at) {
      // One marker for the lease: every entry still leased to `owner` is accepted. A marker that
      // exists already (the same lease marked twice) is fine.
      if (keys.length > 0) await insertMarkers([{ _id: owner, acceptedAt: at }])
    },

    async release(keys, owner, now) {
      if (keys.length === 0) return
      await store.write(() =>
        bulkUpdate(
          store,
          entries,
          keys.map((k) => ({
            updateOne: { filter: { _id: k, leaseOwner: owner }, update: { $set: { leaseUntil: now } } },
          })),
        ),
      )
    },
  }
}
