/**
 * Timeliness and coverage per agency (contract §10), as pure functions over day buckets: one bucket
 * per agency and `recordedAt` day (Asia/Shanghai) holding, per event type, how many events arrived,
 * how many of them are applied or rejected, and a histogram of their lags in working days. Whether
 * an event was on time is read from the histogram at answer time, so a change of
 * `TIMELINESS_DEADLINES` needs no recount.
 */

/** An event's status as §10 counts it (§5's `accepted` is `pending` here). */
export type StatsStatus = 'applied' | 'rejected' | 'pending'

export interface TypeCounts {
  type: string
  events: number
  applied: number
  rejected: number
  /** [lag in working days, events], sorted by lag. */
  lags: [number, number][]
}

export interface Bucket {
  /** `agency|YYYY-MM-DD`. */
  _id: string
  agency: string
  day: string
  types: TypeCounts[]
  /**
   * Per input partition (`topic:partition`), the next offset not yet counted here: a message
   * replayed after a crash counts in the buckets it did not reach, and only there.
   */
  offsets: Record<string, number>
}

export const bucketId = (agency: string, day: string): string => `${agency}|${day}`

export const emptyBucket = (agency: string, day: string): Bucket => ({
  _id: bucketId(agency, day),
  agency,
  day,
  types: [],
  offsets: {},
})

const typeCounts = (bucket: Bucket, type: string): TypeCounts => {
  let t = bucket.types.find((x) => x.type === type)
  if (!t) {
    t = { type, events: 0, applied: 0, rejected: 0, lags: [] }
    bucket.types.push(t)
    bucket.types.sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0))
  }
  return t
}

/** One more event of `type` recorded with `lag` working days. */
export const countEvent = (bucket: Bucket, type: string, lag: number): void => {
  const t = typeCounts(bucket, type)
  t.events++
  const i = t.lags.findIndex(([l]) => l >= lag)
  if (i >= 0 && t.lags[i]![0] === lag) t.lags[i]![1]++
  else if (i >= 0) t.lags.splice(i, 0, [lag, 1])
  else t.lags.push([lag, 1])
}

/** An event of `type` moves from one status to another. */
export const moveStatus = (bucket: Bucket, type: string, from: StatsStatus, to: StatsStatus): void => {
  if (from === to) return
  const t = typeCounts(bucket, type)
  if (from === 'applied') t.applied--
  if (from === 'rejected') t.rejected--
  if (to === 'applied') t.applied++
  if (to === 'rejected') t.rejected++
}

/** Nearest-rank percentile of a histogram of `n` values (p in (0, 100]); null when empty. */
export const nearestRank = (lags: readonly (readonly [number, number])[], p: number): number | null => {
  const n = lags.reduce((s, [, c]) => s + c, 0)
  if (n === 0) return null
  const rank = Math.ceil((p / 100) * n)
  let seen = 0
  for (const [lag, count] of lags) {
    seen += count
    if (seen >= rank) return lag
  }
  return lags[lags.length - 1]![0]
}

const rate = (part: number, whole: number): number | null =>
  whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000

export interface TypeStats {
  type: string
  events: number
  onTime: number
  late: number
  onTimeRate: number | null
  lagWorkingDaysP50: number | null
  lagWorkingDaysP90: number | null
  applied: number
  rejected: number
  pending: number
}

export interface AgencyStats {
  agency: string
  events: number
  byType: TypeStats[]
  onTimeRate: number | null
  appliedRate: number | null
}

/**
 * Lags below this many working days are summed in an array (a year of buckets for one agency
 * merges about 40 000 histogram entries per answer: a Map per entry was most of the answer time);
 * longer ones, back-dated history, in a Map.
 */
const DENSE_LAGS = 512

interface LagAccumulator {
  events: number
  applied: number
  rejected: number
  dense: Float64Array
  sparse: Map<number, number>
}

/** The merged histogram, `[lag, count]` by lag ascending, without empty entries. */
const histogram = (acc: LagAccumulator): [number, number][] => {
  const out: [number, number][] = []
  for (let lag = 0; lag < DENSE_LAGS; lag++) if (acc.dense[lag]! > 0) out.push([lag, acc.dense[lag]!])
  const tail = [...acc.sparse].filter(([, c]) => c > 0).sort(([a], [b]) => a - b)
  return out.concat(tail)
}

/**
 * The buckets' counts merged per type (types by name, histograms by lag): what a month of days
 * rolls up into, and what an answer is computed from.
 */
export const rollUp = (buckets: readonly Pick<Bucket, 'types'>[]): TypeCounts[] => {
  const byType = new Map<string, LagAccumulator>()
  for (const b of buckets)
    for (let k = 0; k < b.types.length; k++) {
      const t = b.types[k]!
      let acc = byType.get(t.type)
      if (acc === undefined) {
        acc = { events: 0, applied: 0, rejected: 0, dense: new Float64Array(DENSE_LAGS), sparse: new Map() }
        byType.set(t.type, acc)
      }
      acc.events += t.events
      acc.applied += t.applied
      acc.rejected += t.rejected
      // Indexed, not destructured: this loop is the answer time (~1M entries for 30 agencies).
      const lags = t.lags
      for (let i = 0; i < lags.length; i++) {
        const lag = lags[i]![0]
        const c = lags[i]![1]
        if (lag < DENSE_LAGS) acc.dense[lag]! += c
        else acc.sparse.set(lag, (acc.sparse.get(lag) ?? 0) + c)
      }
    }
  return [...byType]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([type, t]) => ({
      type,
      events: t.events,
      applied: t.applied,
      rejected: t.rejected,
      lags: histogram(t),
    }))
}

/** The §10 answer for one agency from counts merged per type (`rollUp`'s shape). */
const answer = (
  agency: string,
  rolled: readonly TypeCounts[],
  deadline: (type: string) => number,
): AgencyStats => {
  const types: TypeStats[] = rolled
    .filter((t) => t.events > 0)
    .map((t) => {
      const { type, lags } = t
      const limit = deadline(type)
      const onTime = lags.reduce((s, [lag, c]) => (lag <= limit ? s + c : s), 0)
      // An outcome may be counted before its event (they travel on different topics): never below 0.
      const applied = Math.min(t.applied, t.events)
      const rejected = Math.min(t.rejected, t.events - applied)
      return {
        type,
        events: t.events,
        onTime,
        late: t.events - onTime,
        onTimeRate: rate(onTime, t.events),
        lagWorkingDaysP50: nearestRank(lags, 50),
        lagWorkingDaysP90: nearestRank(lags, 90),
        applied,
        rejected,
        pending: t.events - applied - rejected,
      }
    })
  return pooled(agency, types)
}

const pooled = (agency: string, types: TypeStats[]): AgencyStats => {
  const events = types.reduce((s, t) => s + t.events, 0)
  return {
    agency,
    events,
    byType: types,
    onTimeRate: rate(
      types.reduce((s, t) => s + t.onTime, 0),
      events,
    ),
    appliedRate: rate(
      types.reduce((s, t) => s + t.applied, 0),
      events,
    ),
  }
}

/*
 * Packed counts: what the day index holds in memory. A bucket's types (or a roll-up's) as one typed
 * array, instead of an object per type and an array per histogram entry (a year of buckets for 30
 * agencies was ~1.3 M small objects, and the major collections near the heap limit were the
 * answer's tail):
 *
 *   [types, then per type: typeId, events, applied, rejected, entries, lag₀, count₀, lag₁, count₁, …]
 *
 * Types are interned (`typeId`); an Int32Array when every number fits, else a Float64Array (exact
 * for any count a JSON body can hold).
 */
export type PackedCounts = Int32Array | Float64Array

const typeIds = new Map<string, number>()
const typeNames: string[] = []

const typeId = (type: string): number => {
  let id = typeIds.get(type)
  if (id === undefined) {
    id = typeNames.length
    typeNames.push(type)
    typeIds.set(type, id)
  }
  return id
}

const packNumbers = (values: readonly number[]): PackedCounts => {
  for (let i = 0; i < values.length; i++) if ((values[i]! | 0) !== values[i]) return Float64Array.from(values)
  return Int32Array.from(values)
}

export const isPacked = (x: Pick<Bucket, 'types'> | PackedCounts): x is PackedCounts =>
  x instanceof Int32Array || x instanceof Float64Array

/** A bucket's types packed, in their order. */
export const packCounts = (types: readonly TypeCounts[]): PackedCounts => {
  const out: number[] = [types.length]
  for (const t of types) {
    out.push(typeId(t.type), t.events, t.applied, t.rejected, t.lags.length)
    for (const [lag, c] of t.lags) out.push(lag, c)
  }
  return packNumbers(out)
}

/** The types back from `packCounts`, in their order (fresh objects). */
export const unpackCounts = (p: PackedCounts): TypeCounts[] => {
  const types: TypeCounts[] = []
  let i = 1
  for (let k = 0; k < p[0]!; k++) {
    const n = p[i + 4]!
    const lags: [number, number][] = []
    for (let j = 0; j < n; j++) lags.push([p[i + 5 + 2 * j]!, p[i + 6 + 2 * j]!])
    types.push({ type: typeNames[p[i]!]!, events: p[i + 1]!, applied: p[i + 2]!, rejected: p[i + 3]!, lags })
    i += 5 + 2 * n
  }
  return types
}

/**
 * The accumulators of a packed merge, one per type id, kept from one merge to the next (answers
 * are synchronous): a merge allocates nothing but its result.
 */
interface Accumulator {
  events: number
  applied: number
  rejected: number
  dense: Float64Array
  /** Highest dense lag touched (−1: none): what to read and clear. */
  top: number
  sparse: Map<number, number>
}

const accumulators: Accumulator[] = []
const touched: number[] = []
const sparseLags: number[] = []

const mergePacked = (parts: readonly PackedCounts[]): void => {
  for (let q = 0; q < parts.length; q++) {
    const p = parts[q]!
    const types = p[0]!
    let i = 1
    for (let k = 0; k < types; k++) {
      const id = p[i]!
      let acc = accumulators[id]
      if (acc === undefined) {
        acc = {
          events: 0,
          applied: 0,
          rejected: 0,
          dense: new Float64Array(DENSE_LAGS),
          top: -2,
          sparse: new Map(),
        }
        accumulators[id] = acc
      }
      if (acc.top === -2) {
        acc.top = -1
        touched.push(id)
      }
      acc.events += p[i + 1]!
      acc.applied += p[i + 2]!
      acc.rejected += p[i + 3]!
      const end = i + 5 + 2 * p[i + 4]!
      const dense = acc.dense
      for (i += 5; i < end; i += 2) {
        const lag = p[i]!
        const c = p[i + 1]!
        if (lag < DENSE_LAGS) {
          dense[lag]! += c
          if (lag > acc.top) acc.top = lag
        } else acc.sparse.set(lag, (acc.sparse.get(lag) ?? 0) + c)
      }
    }
  }
  touched.sort(byTypeName)
}

/** The sparse lags of `acc` with a count, ascending, in `sparseLags`. */
const sortedSparse = (acc: Accumulator): void => {
  sparseLags.length = 0
  acc.sparse.forEach(collectSparse)
  if (sparseLags.length > 1) sparseLags.sort(ascending)
}
// Hoisted: an answer allocates no closure per type.
const collectSparse = (c: number, lag: number): void => {
  if (c > 0) sparseLags.push(lag)
}
const ascending = (a: number, b: number): number => a - b
const byTypeName = (a: number, b: number): number => (typeNames[a]! < typeNames[b]! ? -1 : 1)

const reset = (): void => {
  for (const id of touched) {
    const acc = accumulators[id]!
    if (acc.top >= 0) acc.dense.fill(0, 0, acc.top + 1)
    acc.sparse.clear()
    acc.events = acc.applied = acc.rejected = 0
    acc.top = -2
  }
  touched.length = 0
}

/** `rollUp` on packed counts: types by name, histograms by lag without empty entries. */
export const rollUpPacked = (parts: readonly PackedCounts[]): PackedCounts => {
  mergePacked(parts)
  const out: number[] = [touched.length]
  for (const id of touched) {
    const acc = accumulators[id]!
    const at = out.length + 4
    out.push(id, acc.events, acc.applied, acc.rejected, 0)
    for (let lag = 0; lag <= acc.top; lag++) if (acc.dense[lag]! > 0) out.push(lag, acc.dense[lag]!)
    sortedSparse(acc)
    for (const lag of sparseLags) out.push(lag, acc.sparse.get(lag)!)
    out[at] = (out.length - at - 1) / 2
  }
  reset()
  return packNumbers(out)
}

/** `answer` of `rollUp`, read off the accumulators of a packed merge. */
const answerPacked = (
  agency: string,
  parts: readonly PackedCounts[],
  deadline: (type: string) => number,
): AgencyStats => {
  mergePacked(parts)
  const types: TypeStats[] = []
  for (const id of touched) {
    const acc = accumulators[id]!
    if (!(acc.events > 0)) continue
    const type = typeNames[id]!
    const limit = deadline(type)
    const dense = acc.dense
    sortedSparse(acc)
    // The histogram is dense[0..top] with a count, then sparseLags: as `histogram` would list it.
    let n = 0
    let onTime = 0
    let last = -1
    for (let lag = 0; lag <= acc.top; lag++) {
      const c = dense[lag]!
      if (c > 0) {
        n += c
        if (lag <= limit) onTime += c
        last = lag
      }
    }
    for (const lag of sparseLags) {
      const c = acc.sparse.get(lag)!
      n += c
      if (lag <= limit) onTime += c
      last = lag
    }
    let p50: number | null = null
    let p90: number | null = null
    if (n !== 0) {
      const rank50 = Math.ceil((50 / 100) * n)
      const rank90 = Math.ceil((90 / 100) * n)
      let seen = 0
      for (let lag = 0; lag <= acc.top && p90 === null; lag++) {
        const c = dense[lag]!
        if (c > 0) {
          seen += c
          if (p50 === null && seen >= rank50) p50 = lag
          if (seen >= rank90) p90 = lag
        }
      }
      for (let j = 0; j < sparseLags.length && p90 === null; j++) {
        const lag = sparseLags[j]!
        seen += acc.sparse.get(lag)!
        if (p50 === null && seen >= rank50) p50 = lag
        if (seen >= rank90) p90 = lag
      }
      p50 ??= last
      p90 ??= last
    }
    const applied = Math.min(acc.applied, acc.events)
    const rejected = Math.min(acc.rejected, acc.events - applied)
    types.push({
      type,
      events: acc.events,
      onTime,
      late: acc.events - onTime,
      onTimeRate: rate(onTime, acc.events),
      lagWorkingDaysP50: p50,
      lagWorkingDaysP90: p90,
      applied,
      rejected,
      pending: acc.events - applied - rejected,
    })
  }
  reset()
  return pooled(agency, types)
}

/**
 * The §10 answer for one agency from what the range holds (buckets, roll-ups: plain or packed);
 * `deadline(type)` in working days.
 */
export const agencyStats = (
  agency: string,
  parts: readonly (Pick<Bucket, 'types'> | PackedCounts)[],
  deadline: (type: string) => number,
): AgencyStats => {
  let plain = 0
  for (const p of parts) if (!isPacked(p)) plain++
  if (plain === parts.length) return answer(agency, rollUp(parts as Pick<Bucket, 'types'>[]), deadline)
  return answerPacked(
    agency,
    plain === 0 ? (parts as PackedCounts[]) : parts.map((p) => (isPacked(p) ? p : packCounts(p.types))),
    deadline,
  )
}

/** Agencies publish as themselves; firms (`firm:…`) and the system (`ecrs.…`) are not agencies. */
export const isAgencySource = (source: string): boolean =>
  /^[a-z0-9.-]+$/.test(source) && !source.startsWith('ecrs.')
