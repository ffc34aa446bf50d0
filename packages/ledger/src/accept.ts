import { randomUUID } from 'node:crypto'
import { envelopeHash, type Envelope, type EventSpec, type Topics } from '@ecrs/contracts'
import { KafkaUnavailableError, type Producer } from '@ecrs/kafka'
import type { Logger } from 'pino'
import { ledgerKey, type Ledger, type LedgerEntry } from './ledger.js'
import { toRecord } from './records.js'

/** A valid, authorized event waiting for acceptance. */
export interface Candidate {
  index: number
  event: Envelope
  spec: EventSpec
  hash: string
}

/**
 * The content hash the ledger keeps for an event (defaults applied, key order ignored): base64url,
 * the same 256 bits as the hex digest in two thirds of the bytes. Every door computes it here.
 */
export const candidateHash = (event: Envelope): string =>
  Buffer.from(envelopeHash(event), 'hex').toString('base64url')

/** What became of one candidate. */
export type Verdict =
  | { index: number; status: 'accepted' | 'duplicate'; recordedAt: Date }
  | { index: number; status: 'conflict' }

export interface AcceptDeps {
  ledger: Ledger
  producer: Producer
  topics: Topics
  log: Logger
  now: () => Date
  /** How long a pending entry's lease lasts: longer than a produce may take. */
  leaseMs: number
  /** How often a twin request looks whether the lease holder finished. */
  pollMs?: number
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/**
 * Accepts events exactly once per (`source`, `id`): new ones are written `pending` to the ledger,
 * produced with acks=all in one request, then marked `accepted`; identical resubmissions are
 * duplicates (never produced again); the same key with other content is a conflict. When Kafka
 * does not take the records, the leases are released and KafkaUnavailableError is thrown: nothing
 * was accepted, and the same ids succeed later.
 */
export const acceptEvents = async (
  deps: AcceptDeps,
  candidates: readonly Candidate[],
  correlationId: string,
): Promise<Verdict[]> => {
  const verdicts = new Map<number, Verdict>()

  // Within one request the first occurrence of a key stands for the others.
  const firstByKey = new Map<string, Candidate>()
  const repeats: { c: Candidate; first: Candidate }[] = []
  for (const c of candidates) {
    const key = ledgerKey(c.event.source, c.event.id)
    const first = firstByKey.get(key)
    if (first) repeats.push({ c, first })
    else firstByKey.set(key, c)
  }

  let open = new Map(firstByKey)
  for (let round = 0; open.size > 0; round++) {
    const now = deps.now()
    // A lease per round: its acceptance marker covers exactly what this round produced.
    const owner = randomUUID()
    // Optimistic: most events are new, so insert first and look up only the keys that existed.
    const fresh: LedgerEntry[] = [...open].map(([key, c]) => ({
      _id: key,
      source: c.event.source,
      id: c.event.id,
      type: c.event.type,
      hash: c.hash,
      status: 'pending',
      recordedAt: now,
      leaseOwner: owner,
      leaseUntil: new Date(now.getTime() + deps.leaseMs),
    }))
    const lost = await deps.ledger.insertPending(fresh)
    const existing = await deps.ledger.find([...lost])
    const expired: string[] = []
    const waiting: string[] = []
    for (const key of lost) {
      const c = open.get(key)!
      const e = existing.get(key)
      if (!e)
        waiting.push(key) // gone between the insert and the read: try again
      else if (e.hash !== c.hash) verdicts.set(c.index, { index: c.index, status: 'conflict' })
      else if (e.status === 'accepted')
        verdicts.set(c.index, { index: c.index, status: 'duplicate', recordedAt: e.recordedAt })
      else if (!e.leaseUntil || e.leaseUntil < now) expired.push(key)
      else waiting.push(key)
    }
    const hashes = new Map([...open].map(([k, c]) => [k, c.hash]))
    const taken = await deps.ledger.takeOver(
      expired,
      hashes,
      owner,
      new Date(now.getTime() + deps.leaseMs),
      now,
    )
    const mine = [...fresh.filter((f) => !lost.has(f._id)).map((f) => f._id), ...taken]
    if (mine.length > 0) {
      const recordedAt = new Map<string, Date>([
        ...fresh.map((f) => [f._id, f.recordedAt] as const),
        ...expired.map((k) => [k, existing.get(k)!.recordedAt] as const),
      ])
      const records = mine.map((k) => {
        const c = open.get(k)!
        return toRecord(c.event, c.spec, deps.topics, recordedAt.get(k)!, correlationId, taken.has(k))
      })
      try {
        await deps.producer.send(records)
      } catch (err) {
        await deps.ledger
          .release(mine, owner, deps.now())
          .catch((e: unknown) => deps.log.warn({ err: e }, 'lease release failed'))
        throw err instanceof KafkaUnavailableError
          ? err
          : new KafkaUnavailableError('produce failed', { cause: err })
      }
      await deps.ledger.markAccepted(mine, owner, deps.now())
      for (const k of mine) {
        const c = open.get(k)!
        verdicts.set(c.index, { index: c.index, status: 'accepted', recordedAt: recordedAt.get(k)! })
      }
    }

    // Keys someone else holds (a racing twin, or one that lost a takeover): look again shortly.
    const again = [...waiting, ...expired.filter((k) => !taken.has(k))]
    if (again.length > 0) {
      if (round * (deps.pollMs ?? 25) > deps.leaseMs * 2) {
        throw new KafkaUnavailableError('another request holds these events and has not finished')
      }
      await sleep(deps.pollMs ?? 25)
    }
    open = new Map(again.map((k) => [k, open.get(k)!]))
  }

  for (const { c, first } of repeats) {
    const v = verdicts.get(first.index)!
    verdicts.set(
      c.index,
      v.status === 'conflict' || c.hash !== first.hash
        ? { index: c.index, status: 'conflict' }
        : { index: c.index, status: 'duplicate', recordedAt: v.recordedAt },
    )
  }
  return candidates.map((c) => verdicts.get(c.index)!)
}
