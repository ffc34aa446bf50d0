import { randomUUID } from 'node:crypto'
import { isDuplicateKey, type Store } from '@ecrs/store'

/**
 * What was replayed, so that a replay publishes once (architecture.md principle 7, as ingest's
 * ledger): an entry is written `pending` with a lease before the record is produced and marked
 * `replayed` after Kafka acknowledged it. A replay that finds a live lease stops; one that finds an
 * expired lease (its holder died between produce and mark) produces again, which the consumers
 * deduplicate by (`source`, `id`).
 */
export interface ReplayEntry {
  /** `<dead-letter topic>/<dead letter id>`. */
  _id: string
  dlqTopic: string
  leaseOwner?: string
  leaseUntil?: Date
  replayedAt?: Date
  /** Where the record went. */
  topic: string
  key: string | null
}

export type Claim =
  { status: 'claimed'; owner: string } | { status: 'replayed'; at: Date } | { status: 'busy' }

export interface ReplayLog {
  /** Replay times by dead letter id, for one dead-letter topic. */
  replayed(dlqTopic: string): Promise<Map<string, Date>>
  claim(
    dlqTopic: string,
    id: string,
    target: { topic: string; key: string | null },
    now: Date,
  ): Promise<Claim>
  markReplayed(dlqTopic: string, id: string, owner: string, at: Date): Promise<void>
  release(dlqTopic: string, id: string, owner: string): Promise<void>
}

const LEASE_MS = 60_000

export const replayLog = (store: Store): ReplayLog => {
  const entries = store.db.collection<ReplayEntry>('dlq_replays')
  const key = (dlqTopic: string, id: string) => `${dlqTopic}/${id}`
  return {
    async replayed(dlqTopic) {
      const found = await entries.find({ dlqTopic }).toArray()
      const prefix = `${dlqTopic}/`
      return new Map(
        found.flatMap((e) => (e.replayedAt ? [[e._id.slice(prefix.length), e.replayedAt] as const] : [])),
      )
    },
    async claim(dlqTopic, id, target, now) {
      const owner = randomUUID()
      const leaseUntil = new Date(now.getTime() + LEASE_MS)
      const _id = key(dlqTopic, id)
      try {
        await store.write(() =>
          entries.insertOne({
            _id,
            dlqTopic,
            leaseOwner: owner,
            leaseUntil,
            topic: target.topic,
            key: target.key,
          }),
        )
        return { status: 'claimed', owner }
      } catch (err) {
        if (!isDuplicateKey(err)) throw err
      }
      const existing = await entries.findOne({ _id })
      if (existing?.replayedAt) return { status: 'replayed', at: existing.replayedAt }
      // Only an expired lease is taken over: its holder died or failed before marking.
      const taken = await store.write(() =>
        entries.updateOne(
          { _id, replayedAt: { $exists: false }, leaseUntil: { $lt: now } },
          { $set: { leaseOwner: owner, leaseUntil } },
        ),
      )
      return taken.modifiedCount === 1 ? { status: 'claimed', owner } : { status: 'busy' }
    },
    async markReplayed(dlqTopic, id, owner, at) {
      await store.write(() =>
        entries.updateOne(
          { _id: key(dlqTopic, id), leaseOwner: owner },
          { $set: { replayedAt: at }, $unset: { leaseUntil: '' } },
        ),
      )
    },
    async release(dlqTopic, id, owner) {
      await store.write(() =>
        entries.updateOne(
          { _id: key(dlqTopic, id), leaseOwner: owner },
          { $set: { leaseUntil: new Date(0) } },
        ),
      )
    },
  }
}
