import { describe, it, expect } from 'vitest'
import { catalogue, eventTypes, isEventType } from './specs.js'

describe('catalogue', () => {
  it('holds the 27 types of contract §4, keyed by their type', () => {
    expect(eventTypes).toHaveLength(27)
    for (const [type, spec] of catalogue) expect(spec).toMatchObject({ type, dataversion: 1 })
    expect(isEventType('penalty.decided')).toBe(true)
    expect(isEventType('penalty.forgiven')).toBe(false)
  })

  it('routes §4.1 to the enterprise topic and credit-profile, §4.2 to the recall topic and recall', () => {
    const recallSteps = eventTypes.filter((t) => catalogue.get(t)?.topic === 'recall')
    expect(recallSteps).toHaveLength(10)
    for (const spec of catalogue.values()) {
      expect(spec.consumers).toEqual(spec.topic === 'recall' ? ['recall'] : ['credit-profile'])
    }
  })

  it.each([
    ['penalty.decided', ['agency', 'ecrs.rules']],
    ['abnormal-list.entered', ['agency', 'ecrs.rules']],
    ['annual-report.filed', ['agency', 'ecrs.rules', 'firm']],
    ['credit-repair.applied', ['agency', 'ecrs.rules', 'firm']],
    ['recall.status-changed', ['ecrs.recall']],
    ['recall.obligation-overdue', ['ecrs.recall']],
    ['recall.initiated', ['firm', 'agency']],
    ['recall.summary-submitted', ['firm', 'agency']],
    ['recall.ordered', ['agency']],
    ['recall.closed', ['agency']],
  ])('lets %s be published by %j', (type, publishers) => {
    expect(catalogue.get(type)?.publishers).toEqual(publishers)
  })

  it('is frozen', () => {
    expect(Object.isFrozen(catalogue.get('penalty.decided'))).toBe(true)
    expect(Object.isFrozen(eventTypes)).toBe(true)
  })
})
