import { fromChangeRecord, topicNames } from '@ecrs/contracts'
import { describe, expect, it } from 'vitest'
import { defaultProfileParams } from './domain/index.js'
import { USCC, at, ev, isoOf, registered } from './domain/testing/events.js'
import { emptyDoc, reproject } from './project.js'
import type { EnterpriseDoc, StoredEvent } from './store.js'
import type { HistoryEvent } from './domain/index.js'

const topics = topicNames('unit')
const storedOf = (e: HistoryEvent): StoredEvent => ({ ...e, data: JSON.stringify(e.data) })
const project = (doc: EnterpriseDoc, fresh: readonly HistoryEvent[], now: string) =>
  reproject(doc, fresh.map(storedOf), at(now), defaultProfileParams, topics)

const reg = registered('2024-05-10')
const listing = ev('abnormal-list.entered', '2024-09-01T10:00:00+08:00', {
  listingId: 'A-1',
  reason: 'unreachable-at-address',
})

describe('reproject: change records', () => {
  it('publishes one change record per instant on the changes topic, keyed by USCC', () => {
    const p = project(emptyDoc(USCC, at('2024-01-01')), [reg, listing], '2024-10-01T12:00:00+08:00')
    expect(p.changes.map((r) => [r.topic, r.key])).toEqual([
      [topics.changes, USCC],
      [topics.changes, USCC],
    ])
    const [first, second] = p.changes.map((r) => fromChangeRecord(r.value))
    expect(first).toMatchObject({
      uscc: USCC,
      name: 'Fuzhou Acme Ltd',
      region: '350102',
      enterpriseKind: 'company',
      time: isoOf('2024-05-10T09:00:00+08:00'),
      changes: [{ kind: 'registered' }],
    })
    expect(second?.time).toBe(isoOf('2024-09-01T10:00:00+08:00'))
    expect(second?.changes.map((c) => c.kind)).toContain('abnormal-listed')
    expect(second?.changeIds).toHaveLength(second?.changes.length ?? -1)
    expect(p.changes[0]?.headers?.['ecrs-recorded-at']).toBe(isoOf('2024-10-01T12:00:00+08:00'))
  })

  it('publishes nothing for a duplicate, nor for a document written before the feed existed', () => {
    const recall = { source: 'ecrs.recall' }
    const overdue = ev(
      'recall.obligation-overdue',
      '2024-08-01T00:00:00+08:00',
      { recallId: 'RC-1', obligationId: 'O-1', kind: 'submit-plan' },
      recall,
    )
    const first = project(emptyDoc(USCC, at('2024-01-01')), [reg, listing, overdue], '2024-10-01')
    expect(first.doc.overdue).toEqual([
      { recallId: 'RC-1', obligationId: 'O-1', dueAt: isoOf('2024-08-01T00:00:00+08:00') },
    ])
    expect(project(first.doc, [listing, overdue], '2024-10-01').changes).toEqual([])
    // Stored before documents kept their overdue obligations: derived again, not taken as new.
    const { overdue: _kept, ...legacy } = first.doc
    expect(project(legacy, [], '2024-10-02').changes).toEqual([])
  })
})
