import { describe, expect, it } from 'vitest'
import { recordBytes, splitRequests, type OutboundRecord } from './producer.js'

const rec = (i: number, valueBytes: number): OutboundRecord => ({
  topic: 't',
  key: `k${i}`,
  value: 'v'.repeat(valueBytes),
  headers: { ce_id: `id-${i}` },
})

describe('splitRequests', () => {
  it('keeps order and puts every record in exactly one request under the byte limit', () => {
    const records = Array.from({ length: 1000 }, (_, i) => rec(i, 9500))
    const requests = splitRequests(records, 2000, 900_000)
    expect(requests.flat()).toEqual(records)
    expect(requests.length).toBeGreaterThan(10)
    for (const r of requests) expect(r.reduce((n, x) => n + recordBytes(x), 0)).toBeLessThanOrEqual(900_000)
  })

  it('cuts by record count too, and sends a record larger than the limit alone', () => {
    expect(splitRequests([rec(1, 10), rec(2, 10), rec(3, 10)], 2, 1e6).map((r) => r.length)).toEqual([2, 1])
    const big = rec(9, 2_000_000)
    expect(splitRequests([rec(1, 10), big, rec(2, 10)], 100, 1e6)).toEqual([
      [rec(1, 10)],
      [big],
      [rec(2, 10)],
    ])
  })

  it('counts keys, values and headers in bytes (not UTF-16 units)', () => {
    const r: OutboundRecord = { topic: 't', key: '键', value: Buffer.from('abc'), headers: { h: '值' } }
    expect(recordBytes(r)).toBe(70 + 3 + 3 + 4 + 1 + 3)
  })
})
