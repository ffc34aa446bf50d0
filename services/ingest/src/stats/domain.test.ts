import { describe, expect, it } from 'vitest'
import {
  agencyStats,
  bucketId,
  countEvent,
  emptyBucket,
  isAgencySource,
  moveStatus,
  nearestRank,
  type Bucket,
} from './domain.js'
import { DEFAULT_DEADLINES, parseDeadlines } from './deadlines.js'

/** A histogram of single values. */
const hist = (values: number[]): [number, number][] => {
  const m = new Map<number, number>()
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1)
  return [...m].sort(([a], [b]) => a - b)
}

const deadline = parseDeadlines(DEFAULT_DEADLINES)

/** A bucket with events of `type` at `lags`, `applied` and `rejected` of them so. */
const bucket = (
  agency: string,
  day: string,
  type: string,
  lags: number[],
  applied = 0,
  rejected = 0,
  into: Bucket = emptyBucket(agency, day),
): Bucket => {
  for (const l of lags) countEvent(into, type, l)
  for (let i = 0; i < applied; i++) moveStatus(into, type, 'pending', 'applied')
  for (let i = 0; i < rejected; i++) moveStatus(into, type, 'pending', 'rejected')
  return into
}

describe('nearestRank', () => {
  it('is the nearest-rank percentile: the smallest value with at least p% of values at or below it', () => {
    const oneToTen = hist([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    expect(nearestRank(oneToTen, 50)).toBe(5)
    expect(nearestRank(oneToTen, 90)).toBe(9)
    expect(nearestRank(oneToTen, 91)).toBe(10)
    expect(nearestRank(oneToTen, 100)).toBe(10)
    expect(nearestRank(oneToTen, 10)).toBe(1)
    expect(nearestRank(oneToTen, 1)).toBe(1)
  })

  it('reads counts: a histogram is the same as its values', () => {
    // 0, 0, 0, 2, 2, 7, 7, 7, 7, 30
    const h: [number, number][] = [
      [0, 3],
      [2, 2],
      [7, 4],
      [30, 1],
    ]
    expect(nearestRank(h, 30)).toBe(0)
    expect(nearestRank(h, 31)).toBe(2)
    expect(nearestRank(h, 50)).toBe(2)
    expect(nearestRank(h, 51)).toBe(7)
    expect(nearestRank(h, 90)).toBe(7)
    expect(nearestRank(h, 91)).toBe(30)
  })

  it('matches sorting the values for many sizes (no floating-point rank off by one)', () => {
    for (let n = 1; n <= 200; n++) {
      const values = Array.from({ length: n }, (_, i) => i)
      for (const p of [1, 10, 33, 50, 90, 95, 99, 100])
        expect(nearestRank(hist(values), p)).toBe(values[Math.ceil((p * n) / 100) - 1])
    }
  })

  it('of a single value is that value; of nothing, null', () => {
    expect(nearestRank([[4, 1]], 50)).toBe(4)
    expect(nearestRank([[4, 1]], 90)).toBe(4)
    expect(nearestRank([], 50)).toBeNull()
    expect(nearestRank([[3, 0]], 50)).toBeNull()
  })
})

describe('countEvent / moveStatus', () => {
  it('keeps types sorted and lags a sorted histogram', () => {
    const b = emptyBucket('samr.ln', '2025-10-09')
    expect(b._id).toBe(bucketId('samr.ln', '2025-10-09'))
    for (const [t, l] of [
      ['penalty.decided', 5],
      ['inspection.recorded', 2],
      ['penalty.decided', 1],
      ['penalty.decided', 5],
      ['penalty.decided', 9],
      ['penalty.decided', 3],
    ] as const)
      countEvent(b, t, l)
    expect(b.types).toEqual([
      { type: 'inspection.recorded', events: 1, applied: 0, rejected: 0, lags: [[2, 1]] },
      {
        type: 'penalty.decided',
        events: 5,
        applied: 0,
        rejected: 0,
        lags: [
          [1, 1],
          [3, 1],
          [5, 2],
          [9, 1],
        ],
      },
    ])
  })

  it('moves an event between statuses; the same status is no move', () => {
    const b = bucket('samr.ln', '2025-10-09', 'penalty.decided', [0, 0])
    moveStatus(b, 'penalty.decided', 'pending', 'rejected')
    moveStatus(b, 'penalty.decided', 'rejected', 'applied')
    moveStatus(b, 'penalty.decided', 'applied', 'applied')
    moveStatus(b, 'penalty.decided', 'pending', 'rejected')
    expect(b.types[0]).toMatchObject({ events: 2, applied: 1, rejected: 1 })
    moveStatus(b, 'penalty.decided', 'rejected', 'pending')
    expect(b.types[0]).toMatchObject({ applied: 1, rejected: 0 })
  })
})

describe('agencyStats', () => {
  it('a penalty with lag 7 is on time at deadline 7, with lag 8 late; other types have 20', () => {
    const b = bucket('samr.ln', '2025-10-09', 'penalty.decided', [7, 8, 0])
    bucket('samr.ln', '2025-10-09', 'inspection.recorded', [20, 21], 0, 0, b)
    const s = agencyStats('samr.ln', [b], deadline)
    expect(s.byType).toEqual([
      {
        type: 'inspection.recorded',
        events: 2,
        onTime: 1,
        late: 1,
        onTimeRate: 0.5,
        lagWorkingDaysP50: 20,
        lagWorkingDaysP90: 21,
        applied: 0,
        rejected: 0,
        pending: 2,
      },
      {
        type: 'penalty.decided',
        events: 3,
        onTime: 2,
        late: 1,
        onTimeRate: 0.6667,
        lagWorkingDaysP50: 7,
        lagWorkingDaysP90: 8,
        applied: 0,
        rejected: 0,
        pending: 3,
      },
    ])
    expect(s.events).toBe(5)
    expect(s.onTimeRate).toBe(0.6) // 3 of 5, pooled
    expect(s.appliedRate).toBe(0)
  })

  it('reads the deadline at answer time: the same buckets under another deadline', () => {
    const b = bucket('samr.ln', '2025-10-09', 'penalty.decided', [7, 8, 10])
    expect(agencyStats('samr.ln', [b], parseDeadlines('penalty.decided=10')).byType[0]).toMatchObject({
      onTime: 3,
      late: 0,
      onTimeRate: 1,
    })
    expect(agencyStats('samr.ln', [b], parseDeadlines('*=0')).byType[0]).toMatchObject({
      onTime: 0,
      late: 3,
      onTimeRate: 0,
    })
  })

  it('rounds rates to 4 decimals', () => {
    const b = bucket('samr.ln', '2025-10-09', 'penalty.decided', [0, 0, 9], 2)
    const s = agencyStats('samr.ln', [b], deadline)
    expect(s.byType[0]!.onTimeRate).toBe(0.6667)
    expect(s.onTimeRate).toBe(0.6667)
    expect(s.appliedRate).toBe(0.6667)
    const seven = bucket('samr.ln', '2025-10-09', 'inspection.recorded', [0, 0, 0, 0, 0, 0, 30], 1)
    const s7 = agencyStats('samr.ln', [seven], deadline)
    expect(s7.onTimeRate).toBe(0.8571) // 6/7 = 0.857142…
    expect(s7.appliedRate).toBe(0.1429) // 1/7 = 0.142857…
  })

  it('has null rates and no types when there are no events', () => {
    expect(agencyStats('samr.ln', [], deadline)).toEqual({
      agency: 'samr.ln',
      events: 0,
      byType: [],
      onTimeRate: null,
      appliedRate: null,
    })
    // A bucket with only an outcome counted so far (the event not yet): no events, nothing shown.
    const b = emptyBucket('samr.ln', '2025-10-09')
    moveStatus(b, 'penalty.decided', 'pending', 'applied')
    expect(agencyStats('samr.ln', [b], deadline)).toMatchObject({
      events: 0,
      byType: [],
      onTimeRate: null,
      appliedRate: null,
    })
  })

  it('pending is events − applied − rejected; appliedRate pools every type and day', () => {
    const a = bucket('samr.ln', '2025-10-09', 'penalty.decided', [0, 1, 2, 3], 1, 2)
    const b = bucket('samr.ln', '2025-10-10', 'penalty.decided', [0, 1], 2, 0)
    bucket('samr.ln', '2025-10-10', 'recall.ordered', [0, 0, 0, 0], 1, 1, b)
    const s = agencyStats('samr.ln', [a, b], deadline)
    expect(s.events).toBe(10)
    expect(s.byType.map((t) => [t.type, t.events, t.applied, t.rejected, t.pending])).toEqual([
      ['penalty.decided', 6, 3, 2, 1],
      ['recall.ordered', 4, 1, 1, 2],
    ])
    expect(s.appliedRate).toBe(0.4) // (3 + 1) / 10
    // The lags of both days pooled: 0,0,1,1,2,3.
    expect(s.byType[0]).toMatchObject({ lagWorkingDaysP50: 1, lagWorkingDaysP90: 3 })
  })

  it('never shows more applied or rejected than events (an outcome counted before its event)', () => {
    const b = bucket('samr.ln', '2025-10-09', 'penalty.decided', [0])
    moveStatus(b, 'penalty.decided', 'pending', 'applied')
    moveStatus(b, 'penalty.decided', 'pending', 'applied')
    moveStatus(b, 'penalty.decided', 'pending', 'rejected')
    expect(agencyStats('samr.ln', [b], deadline).byType[0]).toMatchObject({
      events: 1,
      applied: 1,
      rejected: 0,
      pending: 0,
    })
  })
})

describe('isAgencySource', () => {
  it('is true for agencies, false for firms and the system', () => {
    expect(isAgencySource('samr.ln')).toBe(true)
    expect(isAgencySource('samr')).toBe(true)
    expect(isAgencySource('nmpa.gd-sz')).toBe(true)
    expect(isAgencySource('firm:91210000MA0QXXXX0X')).toBe(false)
    expect(isAgencySource('ecrs.rules')).toBe(false)
    expect(isAgencySource('ecrs.recall')).toBe(false)
    expect(isAgencySource('')).toBe(false)
    expect(isAgencySource('SAMR.LN')).toBe(false)
  })
})
