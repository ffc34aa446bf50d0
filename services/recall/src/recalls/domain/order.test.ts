import { describe, expect, it } from 'vitest'
import { orderHistory } from './order.js'
import { step } from './testing/case-events.js'

const ids = (events: ReturnType<typeof orderHistory>['counted']) => events.map((t) => t.event.id)

describe('orderHistory (contract §3: time, recordedAt, source, id)', () => {
  const t = '2025-01-24T10:00:00+08:00'
  it.each([
    [
      'by time instant, whatever the offset',
      [
        step('recall.closed', '2025-01-24T03:00:00Z', { id: 'b' }),
        step('recall.closed', '2025-01-24T10:59:00+08:00', { id: 'a' }),
      ],
      ['a', 'b'],
    ],
    [
      'then by recordedAt',
      [
        step('recall.closed', t, { id: 'a', recordedAt: '2025-01-25T00:00:00Z' }),
        step('recall.closed', t, { id: 'b', recordedAt: '2025-01-24T00:00:00Z' }),
      ],
      ['b', 'a'],
    ],
    [
      'then by source',
      [
        step('recall.closed', t, { id: 'a', source: 'samr.zj' }),
        step('recall.closed', t, { id: 'b', source: 'samr.bj' }),
      ],
      ['b', 'a'],
    ],
    [
      'then by id',
      [step('recall.closed', t, { id: 'b' }), step('recall.closed', t, { id: 'a' })],
      ['a', 'b'],
    ],
  ])('%s', (_, events, expected) => {
    expect(ids(orderHistory(events, new Date('2026-01-01')).counted)).toEqual(expected)
  })

  it('keeps events after asOf out and reports the first of them', () => {
    const events = [
      step('recall.closed', '2025-01-26T10:00:00+08:00', { id: 'c' }),
      step('recall.closed', '2025-01-24T10:00:00+08:00', { id: 'a' }),
      step('recall.closed', '2025-01-25T10:00:00+08:00', { id: 'b' }),
    ]
    const h = orderHistory(events, new Date('2025-01-24T12:00:00+08:00'))
    expect(ids(h.counted)).toEqual(['a'])
    expect(h.nextEventAt).toBe(Date.parse('2025-01-25T10:00:00+08:00'))
  })

  it('sets aside events whose time is not an instant', () => {
    const bad = { ...step('recall.closed', t), time: 'yesterday' }
    expect(orderHistory([bad], new Date('2026-01-01'))).toEqual({ counted: [], untimed: [bad] })
  })
})
