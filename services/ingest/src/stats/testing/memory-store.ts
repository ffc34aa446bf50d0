import type { Bucket } from '../domain.js'
import type { EventDoc, StatsStore, StatusDoc } from '../store.js'

/** The error an armed fault throws: a crash part-way through a handler call. */
export class InjectedFault extends Error {
  constructor(n: number) {
    super(`injected fault at write operation ${n}`)
    this.name = 'InjectedFault'
  }
}

/** A {@link StatsStore} in memory, for unit tests, with a fault hook. */
export interface MemoryStatsStore extends StatsStore {
  /**
   * Arms a fault: the `n`-th next write operation (1 = the very next one) throws
   * {@link InjectedFault} instead of writing, and everything written before it stays written, as
   * after a crash. A write operation is ONE DOCUMENT given to `writeBuckets`, `insertRetakes`,
   * `insertStatuses` or `replaceStatuses` (each call writes its documents one by one, in order), or
   * one call of `remember`, so a
   * fault can fall between two buckets of the same `writeBuckets` call. An insert of a document
   * already there still counts (it is a round trip that can fail). `undefined` disarms.
   */
  failAfter(n: number | undefined): void
  /** Whether the armed fault is still waiting (did not fire yet). */
  readonly armed: boolean
  /** Write operations done so far (documents, counted as {@link failAfter} counts them). */
  readonly writes: number
  /** Deep copies of what is stored. */
  dump(): { buckets: Bucket[]; retakes: EventDoc[]; statuses: StatusDoc[] }
  /** Stores events as counted before retakes were told apart (what `events` answers). */
  legacy(docs: readonly EventDoc[]): void
}

export const memoryStatsStore = (collection = 'stats'): MemoryStatsStore => {
  const buckets = new Map<string, Bucket>()
  const events = new Map<string, EventDoc>()
  const retakes = new Map<string, EventDoc>()
  // `remember`'s documents, by `<topic>/<minute>`, in the order written.
  const counted = new Map<string, [string, string][][]>()
  const statuses = new Map<string, StatusDoc>()
  let countdown: number | undefined
  let writes = 0

  // Every document written passes here first: the armed fault fires on the n-th.
  const op = (): void => {
    if (countdown !== undefined) {
      countdown--
      if (countdown <= 0) {
        countdown = undefined
        throw new InjectedFault(writes + 1)
      }
    }
    writes++
  }
  const copy = <T>(v: T): T => structuredClone(v)

  const insert = async <T extends { _id: string }>(
    into: Map<string, T>,
    docs: readonly T[],
  ): Promise<Map<string, T>> => {
    await Promise.resolve()
    const existing = new Map<string, T>()
    for (const d of docs) {
      op()
      const cur = into.get(d._id)
      if (cur) existing.set(d._id, copy(cur))
      else into.set(d._id, copy(d))
    }
    return existing
  }
  const replace = async <T extends { _id: string }>(into: Map<string, T>, docs: readonly T[]) => {
    await Promise.resolve()
    for (const d of docs) {
      op()
      into.set(d._id, copy(d))
    }
  }

  return {
    collection,
    failAfter(n) {
      if (n !== undefined && (!Number.isInteger(n) || n < 1))
        throw new RangeError(`failAfter: ${n} is not a positive integer`)
      countdown = n
    },
    get armed() {
      return countdown !== undefined
    },
    get writes() {
      return writes
    },
    dump: () => ({
      buckets: copy([...buckets.values()]),
      retakes: copy([...retakes.values()]),
      statuses: copy([...statuses.values()]),
    }),
    async *buckets() {
      await Promise.resolve()
      for (const b of copy([...buckets.values()])) yield b
    },
    writeBuckets: (docs) => replace(buckets, docs),
    legacy(docs) {
      for (const d of docs) events.set(d._id, copy(d))
    },
    insertRetakes: (docs) => insert(retakes, docs),
    async *retakes() {
      await Promise.resolve()
      for (const r of copy([...retakes.values()])) yield r
    },
    async remember(topic, minute, entries) {
      await Promise.resolve()
      if (entries.size === 0) return
      op()
      const prefix = `${topic}/${minute}`
      counted.set(prefix, [...(counted.get(prefix) ?? []), copy([...entries])])
    },
    async counted(topic, minute) {
      await Promise.resolve()
      const merged = new Map<string, string>()
      for (const doc of counted.get(`${topic}/${minute}`) ?? [])
        for (const [key, origin] of doc) if (!merged.has(key)) merged.set(key, origin)
      return merged
    },
    async events(keys) {
      await Promise.resolve()
      const found = new Map<string, EventDoc>()
      for (const k of keys) {
        const d = events.get(k)
        if (d) found.set(k, copy(d))
      }
      return found
    },
    insertStatuses: (docs) => insert(statuses, docs),
    replaceStatuses: (docs) => replace(statuses, docs),
  }
}
