import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { dayIndex } from './day-index.js'
import {
  agencyStats,
  countEvent,
  emptyBucket,
  moveStatus,
  packCounts,
  rollUpPacked,
  unpackCounts,
  type Bucket,
} from './domain.js'
import { DEFAULT_DEADLINES, parseDeadlines } from './deadlines.js'

const deadline = parseDeadlines(DEFAULT_DEADLINES)
const TYPES = ['penalty.decided', 'inspection.recorded', 'annual-report.filed']
const AGENCIES = ['samr.a', 'samr.b']

/** Days across month and year ends (and a leap day). */
const day = fc
  .record({
    y: fc.constantFrom(2024, 2025),
    m: fc.integer({ min: 1, max: 12 }),
    d: fc.integer({ min: 1, max: 31 }),
  })
  .map(({ y, m, d }) => new Date(Date.UTC(y, m - 1, d)).toISOString().slice(0, 10))

const write = fc.record({
  agency: fc.constantFrom(...AGENCIES),
  day,
  type: fc.constantFrom(...TYPES),
  lags: fc.array(fc.oneof(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 500, max: 3000 })), {
    minLength: 1,
    maxLength: 4,
  }),
  applied: fc.boolean(),
  // The offset a chunk leaves in the bucket (kept packed by the index, answered back by get/all).
  offset: fc.option(fc.record({ tp: fc.constantFrom('t.enterprise:0', 't.recall:2'), next: fc.nat() }), {
    nil: undefined,
  }),
})

const byId = (a: Bucket, b: Bucket): number => (a._id < b._id ? -1 : 1)

/** The answer the plain way: every bucket of the agency with a day in the range. */
const plain = (buckets: Iterable<Bucket>, agency: string, from: string, to: string) =>
  agencyStats(
    agency,
    [...buckets].filter((b) => b.agency === agency && b.day >= from && b.day <= to),
    deadline,
  )

describe('dayIndex', () => {
  it('answers as the plain filter of every bucket, whatever the writes and queries in between (roll-ups kept and dropped)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            write.map((w) => ({ op: 'write' as const, ...w })),
            fc.record({
              op: fc.constant('query' as const),
              a: day,
              b: day,
              agency: fc.constantFrom(...AGENCIES),
            }),
          ),
          { maxLength: 60 },
        ),
        (ops) => {
          const index = dayIndex()
          const truth = new Map<string, Bucket>()
          for (const op of ops) {
            if (op.op === 'write') {
              const id = `${op.agency}|${op.day}`
              // A write replaces the bucket with a changed copy, as the fold does.
              const b = structuredClone(truth.get(id) ?? emptyBucket(op.agency, op.day))
              for (const l of op.lags) countEvent(b, op.type, l)
              if (op.applied) moveStatus(b, op.type, 'pending', 'applied')
              if (op.offset) b.offsets[op.offset.tp] = op.offset.next
              truth.set(id, b)
              index.set(b)
              // The index holds its own copy: changing what was set or got changes nothing there.
              countEvent(index.get(id)!, op.type, 1)
              expect(index.get(id)).toEqual(b)
            } else {
              const [from, to] = op.a <= op.b ? [op.a, op.b] : [op.b, op.a]
              expect(agencyStats(op.agency, index.range(op.agency, from, to), deadline)).toEqual(
                plain(truth.values(), op.agency, from, to),
              )
            }
          }
          for (const agency of AGENCIES)
            expect(agencyStats(agency, index.range(agency, '2024-01-01', '2025-12-31'), deadline)).toEqual(
              plain(truth.values(), agency, '2024-01-01', '2025-12-31'),
            )
          expect(index.agencies()).toEqual([...new Set([...truth.values()].map((b) => b.agency))].sort())
          expect([...index.all()].sort(byId)).toEqual([...truth.values()].sort(byId))
        },
      ),
      { numRuns: 300 },
    )
  })

  it('reads a whole month as one roll-up and the days at the ends of the range one by one', () => {
    const index = dayIndex()
    for (const d of ['2025-01-31', '2025-02-01', '2025-02-15', '2025-02-28', '2025-03-01']) {
      const b = emptyBucket('samr.a', d)
      countEvent(b, 'penalty.decided', 1)
      index.set(b)
    }
    // January's 31st and March's 1st as days, February as one roll-up.
    expect(index.range('samr.a', '2025-01-31', '2025-03-01')).toHaveLength(3)
    expect(index.range('samr.a', '2025-02-02', '2025-02-28')).toHaveLength(2)
    expect(index.range('samr.b', '2025-01-01', '2025-12-31')).toEqual([])
  })

  it('packs counts exactly, beyond 32 bits too, and answers packed as the plain way', () => {
    const b = emptyBucket('samr.a', '2025-03-01')
    for (const lag of [0, 3, 3, 700, 2_000_000_000]) countEvent(b, 'penalty.decided', lag)
    countEvent(b, 'annual-report.filed', 25)
    moveStatus(b, 'annual-report.filed', 'pending', 'rejected')
    const big: Bucket = {
      ...emptyBucket('samr.a', '2025-03-02'),
      types: [
        { type: 'penalty.decided', events: 2 ** 40, applied: 2 ** 39, rejected: 0, lags: [[9, 2 ** 40]] },
      ],
    }
    expect(packCounts(b.types)).toBeInstanceOf(Int32Array)
    expect(packCounts(big.types)).toBeInstanceOf(Float64Array)
    for (const x of [b, big]) expect(unpackCounts(packCounts(x.types))).toEqual(x.types)
    const packed = [packCounts(b.types), packCounts(big.types)]
    expect(agencyStats('samr.a', packed, deadline)).toEqual(agencyStats('samr.a', [b, big], deadline))
    expect(agencyStats('samr.a', [rollUpPacked(packed)], deadline)).toEqual(
      agencyStats('samr.a', [b, big], deadline),
    )
  })
})
