import { describe, expect, it } from 'vitest'
import { parseDurationMs, parseSchedule, retryDelay } from './schedule.js'

describe('the retry schedule', () => {
  it('reads the default schedule of the contract', () => {
    expect(parseSchedule('5s, 30s, 2m, 10m, 1h, 6h, 24h')).toEqual([
      5000, 30_000, 120_000, 600_000, 3_600_000, 21_600_000, 86_400_000,
    ])
  })

  it('reads milliseconds and plain seconds', () => {
    expect(parseSchedule('50ms,100ms')).toEqual([50, 100])
    expect(parseDurationMs('90')).toBe(90_000)
    expect(parseDurationMs('7d')).toBe(7 * 86_400_000)
  })

  it.each(['', '5x', '0s', '0ms', '1.5s', '5s,,10s', '-1s'])('refuses %j', (text) => {
    expect(() => parseSchedule(text)).toThrow()
  })

  it('waits after each failed attempt, then gives up', () => {
    const schedule = [50, 100]
    expect(retryDelay(1, schedule)).toBe(50)
    expect(retryDelay(2, schedule)).toBe(100)
    expect(retryDelay(3, schedule)).toBeUndefined()
    expect(retryDelay(9, schedule)).toBeUndefined()
  })
})
