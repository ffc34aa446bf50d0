import fc from 'fast-check'
import { expect, it } from 'vitest'
import { partitionOf } from './partition.js'

it('is in range and the same every time for a key', () => {
  fc.assert(
    fc.property(fc.string({ minLength: 1 }), fc.integer({ min: 1, max: 64 }), (key, n) => {
      const p = partitionOf(key, n)
      expect(p).toBeGreaterThanOrEqual(0)
      expect(p).toBeLessThan(n)
      expect(partitionOf(key, n)).toBe(p)
    }),
  )
})

it('spreads keys over every partition', () => {
  const counts = [0, 0, 0, 0]
  for (let i = 0; i < 400; i++) counts[partitionOf(`key-${i}`, 4)]!++
  expect(counts.every((c) => c > 50)).toBe(true)
})
