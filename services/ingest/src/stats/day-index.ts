/**
 * The buckets in memory, by agency, month and third of a month (days 1–10, 11–20, 21–end): a month
 * wholly inside an answer's range is read as one roll-up, a third as one roll-up, the rest day by
 * day. A roll-up is merged once and kept until one of its days changes; ingest writes to recent
 * days, so a year's answer merges about 11 month roll-ups, a few thirds and at most 18 days,
 * instead of 365 buckets.
 */
import { rollUp, type Bucket } from './domain.js'

interface Third {
  readonly first: string
  readonly last: string
  readonly days: Map<string, Bucket>
  rollUp?: Pick<Bucket, 'types'>
}

interface Month {
  readonly first: string
  readonly last: string
  readonly thirds: readonly [Third, Third, Third]
  rollUp?: Pick<Bucket, 'types'>
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

const rolledUp = (part: { rollUp?: Pick<Bucket, 'types'> }, parts: () => Pick<Bucket, 'types'>[]) =>
  (part.rollUp ??= { types: rollUp(parts()) })

export interface DayIndex {
  get(id: string): Bucket | undefined
  set(bucket: Bucket): void
  /** What to merge for `agency` over `from` ≤ day ≤ `to` (YYYY-MM-DD): days, and roll-ups of whole months. */
  range(agency: string, from: string, to: string): Pick<Bucket, 'types'>[]
  agencies(): string[]
  /** Every bucket in the index. */
  all(): IterableIterator<Bucket>
}

const lastDayOf = (month: string): string => {
  const [y, m] = month.split('-').map(Number) as [number, number]
  return `${month}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`
}

export const dayIndex = (buckets: Iterable<Bucket> = []): DayIndex => {
  const byId = new Map<string, Bucket>()
  const byAgency = new Map<string, Map<string, Month>>()
  const set = (b: Bucket): void => {
    byId.set(b._id, b)
    let months = byAgency.get(b.agency)
    if (months === undefined) byAgency.set(b.agency, (months = new Map<string, Month>()))
    const key = b.day.slice(0, 7)
    let month = months.get(key)
    if (month === undefined) months.set(key, (month = newMonth(key)))
    const third = month.thirds[thirdOf(b.day)]
    third.days.set(b.day, b)
    delete third.rollUp
    delete month.rollUp
  }
  for (const b of buckets) set(b)
  return {
    get: (id) => byId.get(id),
    set,
    range(agency, from, to) {
      const out: Pick<Bucket, 'types'>[] = []
      for (const month of byAgency.get(agency)?.values() ?? []) {
        if (month.last < from || month.first > to) continue
        if (month.first >= from && month.last <= to) {
          out.push(rolledUp(month, () => month.thirds.map((t) => rolledUp(t, () => [...t.days.values()]))))
          continue
        }
        for (const third of month.thirds) {
          if (third.last < from || third.first > to) continue
          if (third.first >= from && third.last <= to)
            out.push(rolledUp(third, () => [...third.days.values()]))
          else for (const [day, b] of third.days) if (day >= from && day <= to) out.push(b)
        }
      }
      return out
    },
    agencies: () => [...byAgency.keys()].sort(),
    all: () => byId.values(),
  }
}
