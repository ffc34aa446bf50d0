/**
 * The buckets in memory, by agency, month and third of a month (days 1–10, 11–20, 21–end): a month
 * wholly inside an answer's range is read as one roll-up, a third as one roll-up, the rest day by
 * day. A roll-up is merged once and kept until one of its days changes; ingest writes to recent
 * days, so a year's answer merges about 11 month roll-ups, a few thirds and at most 18 days,
 * instead of 365 buckets.
 *
 * Buckets are held packed (`PackedCounts`, the offsets as one Float64Array): a few objects per
 * bucket instead of one per type and per histogram entry, so that the heap stays small and its
 * collections short. `get` and `all` answer fresh `Bucket`s decoded from them.
 */
import { packCounts, rollUpPacked, unpackCounts, type Bucket, type PackedCounts } from './domain.js'

/** A bucket as held: its counts packed, its offsets as [partition id, next offset] pairs. */
interface Entry {
  readonly agency: string
  readonly day: string
  readonly counts: PackedCounts
  readonly offsets: Float64Array
}

interface Third {
  readonly first: string
  readonly last: string
  readonly days: Map<string, Entry>
  rollUp?: PackedCounts
}

interface Month {
  readonly first: string
  readonly last: string
  readonly thirds: readonly [Third, Third, Third]
  rollUp?: PackedCounts
}

const newMonth = (key: string): Month => {
  const third = (from: number, to: string): Third => ({
    first: `${key}-${String(from).padStart(2, '0')}`,
    last: to,
    days: new Map(),
  })
  const last = lastDayOf(key)
  return {
    first: `${key}-01`,
    last,
    thirds: [third(1, `${key}-10`), third(11, `${key}-20`), third(21, last)],
  }
}

const thirdOf = (day: string): 0 | 1 | 2 => {
  const d = Number(day.slice(8, 10))
  return d <= 10 ? 0 : d <= 20 ? 1 : 2
}

const rolledUp = (part: { rollUp?: PackedCounts }, parts: () => PackedCounts[]): PackedCounts => {
  if (part.rollUp === undefined) {
    const merged = parts()
    part.rollUp = rollUpPacked(merged)
  }
  return part.rollUp
}

const dayCounts = (third: Third): PackedCounts[] => {
  const out: PackedCounts[] = []
  for (const e of third.days.values()) out.push(e.counts)
  return out
}

export interface DayIndex {
  /** The bucket `id` (a fresh copy: changing it changes nothing here until `set`). */
  get(id: string): Bucket | undefined
  set(bucket: Bucket): void
  /** What to merge for `agency` over `from` ≤ day ≤ `to` (YYYY-MM-DD): days, and roll-ups of whole months. */
  range(agency: string, from: string, to: string): PackedCounts[]
  agencies(): string[]
  /** Every bucket in the index (fresh copies). */
  all(): IterableIterator<Bucket>
}

const lastDayOf = (month: string): string => {
  const [y, m] = month.split('-').map(Number) as [number, number]
  return `${month}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`
}

const NO_OFFSETS = new Float64Array(0)

export const dayIndex = (buckets: Iterable<Bucket> = []): DayIndex => {
  const byId = new Map<string, Entry>()
  const byAgency = new Map<string, Map<string, Month>>()
  // Input partitions (`topic:partition`), interned for the offsets.
  const partitionIds = new Map<string, number>()
  const partitions: string[] = []
  const partitionId = (tp: string): number => {
    let id = partitionIds.get(tp)
    if (id === undefined) {
      id = partitions.length
      partitions.push(tp)
      partitionIds.set(tp, id)
    }
    return id
  }
  const packOffsets = (offsets: Record<string, number>): Float64Array => {
    const keys = Object.keys(offsets)
    if (keys.length === 0) return NO_OFFSETS
    const out = new Float64Array(2 * keys.length)
    keys.forEach((tp, i) => {
      out[2 * i] = partitionId(tp)
      out[2 * i + 1] = offsets[tp]!
    })
    return out
  }
  const decode = (id: string, e: Entry): Bucket => {
    const offsets: Record<string, number> = {}
    for (let i = 0; i < e.offsets.length; i += 2) offsets[partitions[e.offsets[i]!]!] = e.offsets[i + 1]!
    return { _id: id, agency: e.agency, day: e.day, types: unpackCounts(e.counts), offsets }
  }
  const set = (b: Bucket): void => {
    let months = byAgency.get(b.agency)
    if (months === undefined) byAgency.set(b.agency, (months = new Map<string, Month>()))
    const entry: Entry = {
      agency: b.agency,
      day: b.day,
      counts: packCounts(b.types),
      offsets: packOffsets(b.offsets),
    }
    byId.set(b._id, entry)
    const key = b.day.slice(0, 7)
    let month = months.get(key)
    if (month === undefined) months.set(key, (month = newMonth(key)))
    const third = month.thirds[thirdOf(b.day)]
    third.days.set(b.day, entry)
    delete third.rollUp
    delete month.rollUp
  }
  for (const b of buckets) set(b)
  return {
    get: (id) => {
      const e = byId.get(id)
      return e === undefined ? undefined : decode(id, e)
    },
    set,
    range(agency, from, to) {
      const out: PackedCounts[] = []
      const months = byAgency.get(agency)
      if (months === undefined) return out
      for (const month of months.values()) {
        if (month.last < from || month.first > to) continue
        if (month.first >= from && month.last <= to) {
          out.push(rolledUp(month, () => month.thirds.map((t) => rolledUp(t, () => dayCounts(t)))))
          continue
        }
        for (const third of month.thirds) {
          if (third.last < from || third.first > to) continue
          if (third.first >= from && third.last <= to) out.push(rolledUp(third, () => dayCounts(third)))
          else for (const e of third.days.values()) if (e.day >= from && e.day <= to) out.push(e.counts)
        }
      }
      return out
    },
    agencies: () => [...byAgency.keys()].sort(),
    *all() {
      for (const [id, e] of byId) yield decode(id, e)
    },
  }
}
