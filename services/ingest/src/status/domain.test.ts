import { describe, expect, it } from 'vitest'
import { combineStatus, type Outcome } from './domain.js'

const o = (consumer: string, status: Outcome['status']): Outcome => ({
  consumer,
  status,
  at: '2026-01-01T00:00:00Z',
})

describe('combineStatus', () => {
  it.each([
    [['credit-profile'], [], 'accepted'],
    [['credit-profile'], [o('credit-profile', 'applied')], 'applied'],
    [['credit-profile'], [o('credit-profile', 'rejected')], 'rejected'],
    [['a', 'b'], [o('a', 'applied')], 'accepted'],
    [['a', 'b'], [o('a', 'applied'), o('b', 'applied')], 'applied'],
    [['a', 'b'], [o('a', 'applied'), o('b', 'rejected')], 'rejected'],
    [[], [o('x', 'applied')], 'accepted'],
  ] as const)('consumers %j with %j → %s', (consumers, outcomes, expected) => {
    expect(combineStatus(consumers, outcomes)).toBe(expected)
  })
})
