import { describe, expect, it } from 'vitest'
import { profileParams } from './params.js'
import { defaultProfileParams } from './profiles/domain/index.js'

describe('PROFILE_PARAMS', () => {
  it('keeps the defaults when absent', () => {
    expect(profileParams(undefined)).toBe(defaultProfileParams)
  })

  it('overrides nested numbers and the model version, keeping the rest', () => {
    const p = profileParams(
      '{"modelVersion":"v1-ln","risk":{"penalty":12},"lowerAmountThreshold":{"enterprise":50000}}',
    )
    expect(p.modelVersion).toBe('v1-ln')
    expect(p.risk.penalty).toBe(12)
    expect(p.risk.penaltyHeavy).toBe(defaultProfileParams.risk.penaltyHeavy)
    expect(p.lowerAmountThreshold).toEqual({
      ...defaultProfileParams.lowerAmountThreshold,
      enterprise: 50000,
    })
  })

  it.each([
    ['{', /not JSON/],
    ['{"risk":{"bogus":1}}', /PROFILE_PARAMS.risk.bogus is not a parameter/],
    ['{"risk":{"penalty":"10"}}', /must be a number/],
    ['{"risk":{"penalty":-1}}', /≥ 0/],
    ['{"risk":3}', /must be an object/],
  ])('refuses %s', (json, why) => {
    expect(() => profileParams(json)).toThrow(why)
  })
})
