import {
  ATTEMPT_HEADER,
  formatDate,
  fromCloudEventRecord,
  shanghaiDateOf,
  workingDaysLag,
  type Topics,
} from '@ecrs/contracts'
import type { BatchHandler, InboundMessage } from '@ecrs/kafka'
import { decodeOutcome } from '../status/consumer.js'
import {
  bucketId,
  countEvent,
  emptyBucket,
  isAgencySource,
  moveStatus,
  type Bucket,
  type PackedCounts,
  type StatsStatus,
} from './domain.js'
import { dayIndex, type DayIndex } from './day-index.js'
import type { EventDoc, StatsStore, StatusDoc } from './store.js'

// What cannot be read is not counted: the consumers that own these records dead-letter it.
const readable = <T>(read: () => T): T | undefined => {
  try {
    return read()
  } catch {
    return undefined
  }
}

const dayOf = (instant: string): string => formatDate(shanghaiDateOf(new Date(instant)))
/** The UTC minute of an instant, YYYY-MM-DDTHH:MM: where `remember` files an event. */
const minuteOf = (instant: string): string => new Date(instant).toISOString().slice(0, 16)

/** A record that may count, as read from the log. */
interface Counted extends EventDoc {
  offset: number
  minute: string
  retake: boolean
}

const eventDoc = ({ _id, agency, type, day, lag, origin }: Counted): EventDoc => ({
  _id,
  agency,
  type,
  day,
  lag,
  origin,
})

/**
 * The buckets of §10, held in memory (every bucket: one per agency and day) and kept in the store.
 * `handler` folds the enterprise, recall and outcomes topics into them, exactly once in effect:
 * each bucket carries, per input partition, the offset it has counted up to, so a chunk replayed
 * after a crash counts only where it had not; a duplicate record (a retake: see foldEvents) counts
 * once, and the statuses kept per event (`source/id`) make an outcome that changes move the count.
 */
export interface StatsFold {
  readonly handler: BatchHandler
  /** What to merge for `agency` over `from` ≤ day ≤ `to` (YYYY-MM-DD): see DayIndex. */
  range(agency: string, from: string, to: string): PackedCounts[]
  agencies(): string[]
  /** Every bucket. */
  buckets(): Bucket[]
  /** Folds into `next` from now on (a rebuild's collections), its buckets loaded first. */
  swap(next: StatsStore): Promise<void>
}

export const statsFold = async (initial: StatsStore, topics: Topics): Promise<StatsFold> => {
  let store = initial
  const load = async (s: StatsStore): Promise<DayIndex> => {
    const index = dayIndex()
    for await (const b of s.buckets()) index.set(b)
    return index
  }
  let all = await load(store)
  const loadRetakes = async (s: StatsStore): Promise<Set<string>> => {
    const keys = new Set<string>()
    for await (const r of s.retakes()) keys.add(r._id)
    return keys
  }
  let retaken = await loadRetakes(store)

  // Buckets are changed on copies and put in place once written: a failed write leaves memory as the store.
  const draft = (): {
    get(agency: string, day: string): Bucket
    written(): Promise<void>
  } => {
    const touched = new Map<string, Bucket>()
    return {
      get(agency, day) {
        const id = bucketId(agency, day)
        let b = touched.get(id)
        if (!b) {
          // The index answers a fresh copy.
          b = all.get(id) ?? emptyBucket(agency, day)
          touched.set(id, b)
        }
        return b
      },
      async written() {
        if (touched.size === 0) return
        await store.writeBuckets([...touched.values()])
        for (const b of touched.values()) all.set(b)
      },
    }
  }

  /**
   * Counts each agency event once, by the record that first brought it, without a document per
   * event: the log holds at most one first attempt of an event (ATTEMPT_HEADER), so only a retake
   * looks for an earlier copy — in what `remember` kept for its topic and `recordedAt` minute (every
   * attempt carries the ledger's first `recordedAt`; the first record remembered stands), and among
   * the events counted before first attempts were told apart. A first attempt of an event that had
   * a retake (it was on the wire when its lease was taken over; or the retake went to another
   * partition) looks too: `retaken` holds the key of every retake seen, in memory and the store,
   * written before anything of the chunk is remembered or counted.
   */
  const foldEvents = async (messages: readonly InboundMessage[]): Promise<void> => {
    const last = messages[messages.length - 1]!
    const tp = `${last.topic}:${last.partition}`
    const recs = new Map<string, Counted>()
    for (const m of messages) {
      const e = readable(() =>
        fromCloudEventRecord(m.headers, m.value, new Date(Number(m.timestamp)).toISOString()),
      )
      if (!e || !isAgencySource(e.source)) continue
      const key = `${e.source}/${e.id}`
      if (recs.has(key)) continue // a later copy in the same chunk
      recs.set(key, {
        _id: key,
        agency: e.source,
        type: e.type,
        day: dayOf(e.recordedAt),
        lag: workingDaysLag(new Date(e.time), new Date(e.recordedAt)).days,
        origin: `${tp}@${m.offset}`,
        offset: Number(m.offset),
        minute: minuteOf(e.recordedAt),
        retake: m.headers[ATTEMPT_HEADER] === 'retake',
      })
    }
    if (recs.size === 0) return
    // Looked up: every retake, and a first attempt whose event had a retake (held in memory).
    const looked = [...recs.values()].filter((r) => r.retake || retaken.has(r._id))
    for (const r of looked) if (r.retake) retaken.add(r._id)
    const earlier = await countedBefore(last.topic, looked)
    const d = draft()
    const remembered = new Map<string, Map<string, string>>()
    const newRetakes: EventDoc[] = []
    for (const r of recs.values()) {
      // The record remembered first for the event counts (again, when it is replayed); a first
      // attempt of an event that had no retake counts without looking.
      const prior = earlier.get(r._id)
      if (prior !== undefined && prior !== r.origin) continue
      let m = remembered.get(r.minute)
      if (!m) remembered.set(r.minute, (m = new Map<string, string>()))
      m.set(r._id, r.origin)
      if (r.retake) newRetakes.push(eventDoc(r))
      const b = d.get(r.agency, r.day)
      if (r.offset < (b.offsets[tp] ?? 0)) continue
      countEvent(b, r.type, r.lag)
    }
    await store.insertRetakes(newRetakes)
    for (const [minute, m] of remembered) await store.remember(last.topic, minute, m)
    advance(d, tp, Number(last.offset) + 1, recs.values())
    await d.written()
  }

  /** Where the events of `recs` were first remembered as counted, if they were (key → origin). */
  const countedBefore = async (topic: string, recs: readonly Counted[]): Promise<Map<string, string>> => {
    const found = new Map<string, string>()
    if (recs.length === 0) return found
    for (const minute of new Set(recs.map((r) => r.minute)))
      for (const [key, origin] of await store.counted(topic, minute)) found.set(key, origin)
    for (const [key, doc] of await store.events(recs.map((r) => r._id)))
      if (!found.has(key)) found.set(key, doc.origin)
    return found
  }

  // Every bucket a chunk touched records that it has counted the chunk.
  const advance = (
    d: ReturnType<typeof draft>,
    tp: string,
    next: number,
    keys: Iterable<{ agency: string; day: string }>,
  ): void => {
    for (const k of keys) {
      const b = d.get(k.agency, k.day)
      b.offsets[tp] = Math.max(b.offsets[tp] ?? 0, next)
    }
  }

  const foldOutcomes = async (messages: readonly InboundMessage[]): Promise<void> => {
    interface Step {
      offset: number
      status: StatsStatus
    }
    const byKey = new Map<string, { agency: string; type: string; recordedAt?: string; steps: Step[] }>()
    for (const m of messages) {
      const o = readable(() => decodeOutcome(m.value))
      if (!o || !isAgencySource(o.source)) continue
      const key = `${o.source}/${o.id}`
      const g = byKey.get(key) ?? { agency: o.source, type: o.type, steps: [] }
      if (o.recordedAt) g.recordedAt = o.recordedAt
      g.steps.push({ offset: Number(m.offset), status: o.status })
      byKey.set(key, g)
    }
    if (byKey.size === 0) return
    // Records written before outcomes carried `recordedAt`: the day from the event counted.
    const unknown = [...byKey].filter(([, g]) => !g.recordedAt).map(([k]) => k)
    const known = await store.events(unknown)
    const dayOfKey = (key: string): string | undefined => {
      const g = byKey.get(key)!
      return g.recordedAt ? dayOf(g.recordedAt) : known.get(key)?.day
    }
    const docs = [...byKey].map(([key, g]): StatusDoc => ({
      _id: key,
      status: g.steps[g.steps.length - 1]!.status,
      before: 'pending',
      from: g.steps[0]!.offset,
      origin: g.steps[g.steps.length - 1]!.offset,
    }))
    const existing = await store.insertStatuses(docs)
    const last = messages[messages.length - 1]!
    const tp = `${last.topic}:${last.partition}`
    const d = draft()
    const replaced: StatusDoc[] = []
    const reached: { agency: string; day: string }[] = []
    for (const doc of docs) {
      const g = byKey.get(doc._id)!
      const day = dayOfKey(doc._id)
      const seen = existing.get(doc._id)
      // Where this chunk's first outcome of the event starts from.
      let state: StatsStatus =
        seen === undefined ? 'pending' : doc.from <= seen.from ? seen.before : seen.status
      const before = state
      if (day === undefined) {
        // An event of long ago whose outcome carries no recordedAt and whose record was not seen: not countable.
        state = doc.status
      } else {
        const b = d.get(g.agency, day)
        for (const step of g.steps) {
          if (step.offset >= (b.offsets[tp] ?? 0)) moveStatus(b, g.type, state, step.status)
          state = step.status
        }
        reached.push({ agency: g.agency, day })
      }
      if (seen) replaced.push({ ...doc, before })
    }
    await store.replaceStatuses(replaced)
    advance(d, tp, Number(last.offset) + 1, reached)
    await d.written()
  }

  return {
    handler: (messages) =>
      messages[0]?.topic === topics.outcomes ? foldOutcomes(messages) : foldEvents(messages),
    range: (agency, from, to) => all.range(agency, from, to),
    agencies: () => all.agencies(),
    buckets: () => [...all.all()],
    async swap(next) {
      const loaded = await load(next)
      const loadedRetakes = await loadRetakes(next)
      store = next
      all = loaded
      retaken = loadedRetakes
    },
  }
}
