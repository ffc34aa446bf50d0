import { describe, expect, it } from 'vitest'
import { caseAt, endOf, step, FIRM } from './testing/case-events.js'
import { obligationItems, overdueCount, publicCase } from './views.js'

const opened = step('recall.initiated', '2025-01-20T10:00:00+08:00', {
  data: { producerName: '福州某电器有限公司' },
})
const accepted = [
  opened,
  step('recall.plan-submitted', '2025-01-22T10:00:00+08:00'),
  step('recall.plan-accepted', '2025-01-23T10:00:00+08:00'),
]
const notice = step('recall.notice-published', '2025-01-24T10:00:00+08:00')

describe('publicCase', () => {
  it('is undefined until the notice is published', () => {
    expect(publicCase(caseAt(accepted, '2025-01-24'))).toBeUndefined()
  })
  it('is the contract §7 public shape once it is', () => {
    expect(publicCase(caseAt([...accepted, notice], '2025-01-25'))).toEqual({
      recallId: 'R-2025-001',
      producer: { uscc: FIRM, name: '福州某电器有限公司' },
      product: { name: 'Kettle K1', category: 'consumer-product' },
      status: 'in-progress',
      hazard: 'The lid may come off while boiling.',
      unitsAffected: 1000,
      noticePublishedAt: '2025-01-24T10:00:00+08:00',
    })
  })
})

describe('obligationItems and overdueCount', () => {
  const c = caseAt([opened], '2025-03-01')
  it('lists the obligations as firm-list rows, filtered by status', () => {
    const row = {
      recallId: 'R-2025-001',
      obligationId: 'R-2025-001:submit-plan:1',
      kind: 'submit-plan',
      dueAt: endOf('2025-02-08'),
      status: 'overdue',
    }
    expect(obligationItems(c)).toEqual([row])
    expect(obligationItems(c, 'overdue')).toEqual([row])
    expect(obligationItems(c, 'open')).toEqual([])
  })
  it('counts what is overdue and unfulfilled', () => {
    expect(overdueCount(c)).toBe(1)
    expect(
      overdueCount(
        caseAt([opened, step('recall.plan-submitted', '2025-02-20T10:00:00+08:00')], '2025-03-01'),
      ),
    ).toBe(0)
  })
})
