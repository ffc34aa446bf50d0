import { describe, expect, it } from 'vitest'
import { freshProjection } from './pointer.js'

describe('freshProjection', () => {
  it('names the collection and the group by the start instant, to the millisecond', () => {
    const a = freshProjection('cases', 'ns.recall.rebuild', new Date('2026-11-28T20:00:00.001Z'))
    const b = freshProjection('cases', 'ns.recall.rebuild', new Date('2026-11-28T20:00:00.002Z'))
    expect(a).toEqual({
      collection: 'cases_20261128200000001',
      groupId: 'ns.recall.rebuild.20261128200000001',
    })
    expect(b.collection).not.toBe(a.collection)
    expect(b.groupId).not.toBe(a.groupId)
  })
})
