import { describe, expect, it } from 'vitest'
import { recallParams } from './params.js'
import { defaultRecallParams } from './recalls/domain/index.js'

describe('RECALL_TEMPLATES', () => {
  it('keeps the defaults when absent', () => {
    expect(recallParams(undefined)).toBe(defaultRecallParams)
  })

  it('overrides single numbers of a category', () => {
    const p = recallParams('{"vehicle":{"publishNoticeWd":7}}')
    expect(p.templates.vehicle.publishNoticeWd).toBe(7)
    expect(p.templates.vehicle.submitPlanWd).toBe(defaultRecallParams.templates.vehicle.submitPlanWd)
    expect(p.templates['consumer-product']).toEqual(defaultRecallParams.templates['consumer-product'])
  })

  it.each([
    ['not json', /not JSON/],
    ['[]', /must be an object/],
    ['{"boat":{}}', /unknown category boat/],
    ['{"vehicle":{"speed":3}}', /unknown field speed/],
    ['{"vehicle":{"publishNoticeWd":"5"}}', /must be a number/],
    ['{"vehicle":{"publishNoticeWd":-1}}', /integer ≥ 0/],
  ])('refuses %s', (json, why) => {
    expect(() => recallParams(json)).toThrow(why)
  })
})
