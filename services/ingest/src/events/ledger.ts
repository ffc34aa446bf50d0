import type { Collection, Db } from 'mongodb'
import { isDuplicateKey } from '@ecrs/store'

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

export const ledger = async (db: Db): Promise<Ledger> => {
  const entries: Collection<LedgerEntry> = db.collection('ledger')
  await entries.createIndex({ status: 1, recordedAt: 1 })

  return {
    async find(keys) {
      const found = await entries.find({ _id: { $in: [...keys] } }).toArray()
      return new Map(found.map((e) => [e._id, e]))
    },

    async insertPending(list) {
      const existing = new Set<string>()
      if (list.length === 0) return existing
      try {
        await entries.insertMany([...list], { ordered: false })
      } catch (err) {
        if (!isDuplicateKey(err) && !(err as { writeErrors?: unknown }).writeErrors) throw err
        // Which ones lost the race: those present now under another request's lease.
        const owner = list[0]!.leaseOwner
        const present = await entries
          .find({ _id: { $in: list.map((e) => e._id) } }, { projection: { leaseOwner: 1, status: 1 } })
          .toArray()
        for (const p of present) if (p.status !== 'pending' || p.leaseOwner !== owner) existing.add(p._id)
        const missing = list.length - (present.length - existing.size)
        if (missing > existing.size && existing.size === 0) throw err
      }
      return existing
    },

    async takeOver(keys, hashByKey, owner, until, now) {
      const taken = new Set<string>()
      for (const key of keys) {
        const r = await entries.findOneAndUpdate(
          { _id: key, status: 'pending', hash: hashByKey.get(key)!, leaseUntil: { $lt: now } },
          { $set: { leaseOwner: owner, leaseUntil: until } },
          { returnDocument: 'after' },
        )
        if (r) taken.add(key)
      }
      return taken
    },

    async markAccepted(keys, owner, at) {
      if (keys.length === 0) return
      await entries.updateMany(
        { _id: { $in: [...keys] }, leaseOwner: owner },
        { $set: { status: 'accepted', acceptedAt: at }, $unset: { leaseOwner: '', leaseUntil: '' } },
      )
    },

    async release(keys, owner, now) {
      if (keys.length === 0) return
      await entries.updateMany(
        { _id: { $in: [...keys] }, leaseOwner: owner, status: 'pending' },
        { $set: { leaseUntil: now } },
      )
    },
  }
}
