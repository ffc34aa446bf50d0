import { describe, expect, it } from 'vitest'
import { decisionId, obligationId } from './ids.js'

const ENVELOPE_ID = /^[A-Za-z0-9._:-]{1,128}$/

describe('obligationId', () => {
  it('is <recallId>:<kind>:<n> when that fits 128 characters', () => {
    expect(obligationId('R-1', 'progress-report', 3)).toBe('R-1:progress-report:3')
    expect(obligationId('召回-1', 'submit-plan', 1)).toBe('召回-1:submit-plan:1')
  })
  it('uses a digest of a recallId too long to fit, deterministically', () => {
    const long = 'R'.repeat(128)
    const id = obligationId(long, 'submit-plan', 1)
    expect(id.length).toBeLessThanOrEqual(128)
    expect(id).toMatch(/^h-[0-9a-f]{40}:submit-plan:1$/)
    expect(obligationId(long, 'submit-plan', 1)).toBe(id)
    expect(obligationId(long, 'submit-plan', 2)).not.toBe(id)
  })
})

describe('decisionId', () => {
  it.each([
    ['overdue', 'R-1:submit-plan:1', 'overdue:R-1:submit-plan:1'],
    ['status', 'firm:91350100M000100Y43:evt-7', 'status:firm:91350100M000100Y43:evt-7'],
  ] as const)('%s + %s → %s', (prefix, key, expected) => {
    expect(decisionId(prefix, key)).toBe(expected)
  })
  it.each([['召回-1:submit-plan:1'], ['R 1:submit-plan:1'], ['x'.repeat(130)]])(
    'falls back to a digest for a key that is no valid envelope id: %s',
    (key) => {
      const id = decisionId('fulfilled', key)
      expect(id).toMatch(/^fulfilled-h:[0-9a-f]{40}$/)
      expect(id).toMatch(ENVELOPE_ID)
      expect(decisionId('fulfilled', key)).toBe(id)
    },
  )
})
