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

/** The §10 answer for one agency from its buckets in the range; `deadline(type)` in working days. */
export const agencyStats = (
  agency: string,
  buckets: readonly Pick<Bucket, 'types'>[],
  deadline: (type: string) => number,
): AgencyStats => {
  const types: TypeStats[] = rollUp(buckets)
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

/** Agencies publish as themselves; firms (`firm:…`) and the system (`ecrs.…`) are not agencies. */
export const isAgencySource = (source: string): boolean =>
  /^[a-z0-9.-]+$/.test(source) && !source.startsWith('ecrs.')
