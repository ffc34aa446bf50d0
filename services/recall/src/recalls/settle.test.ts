import { topicNames } from '@ecrs/contracts'
import { describe, expect, it } from 'vitest'
import { defaultRecallParams } from './domain/index.js'
import { FIRM, RECALL_ID, step } from './domain/testing/case-events.js'
import { mergeEvents, searchText, settle } from './settle.js'

const ctx = { params: defaultRecallParams, topics: topicNames('t') }
const opened = step('recall.initiated', '2025-03-03T10:00:00+08:00', { data: { producerName: 'Acme' } })
const early = step('recall.plan-accepted', '2025-03-03T11:00:00+08:00')
const planned = step('recall.plan-submitted', '2025-05-06T10:00:00+08:00')
const onTime = new Date('2025-03-05T00:00:00Z')
const late = new Date('2025-06-01T00:00:00Z')
const ids = (records: { headers?: Readonly<Record<string, string>> }[]) =>
  records.map((r) => r.headers?.['ce_id']).filter((id) => id !== undefined)

describe('settle', () => {
  it('publishes each outcome once, and again only when it changes', () => {
    const first = settle(null, RECALL_ID, [opened, early], onTime, ctx)
    const outcomes = first.records.filter((r) => r.topic === ctx.topics.outcomes)
    expect(outcomes.map((r) => JSON.parse(String(r.value)) as unknown)).toEqual([
      expect.objectContaining({ id: opened.id, consumer: 'recall', status: 'applied' }),
      expect.objectContaining({ id: early.id, status: 'rejected', reason: 'RECALL_TRANSITION_INVALID' }),
    ])
    const again = settle(first.doc, RECALL_ID, [opened, early], onTime, ctx)
    expect(again.records).toEqual([])
    expect(again.changed).toBe(false)
    expect(again.doc.version).toBe(2)
  })

  it('publishes a decision once, keyed by the producer, as ecrs.recall', () => {
    const first = settle(null, RECALL_ID, [opened], late, ctx)
    const overdue = first.records.find((r) => r.headers?.['ce_type'] === 'recall.obligation-overdue')
    expect(overdue).toMatchObject({
      topic: ctx.topics.enterprise,
      key: FIRM,
      headers: { ce_source: 'ecrs.recall', ce_specversion: '1.0', ce_dataversion: '1' },
    })
    expect(overdue).not.toHaveProperty('timestamp')
    expect(first.published).toContain(`overdue:${RECALL_ID}:submit-plan:1`)
    const again = settle(first.doc, RECALL_ID, [opened, planned], late, ctx)
    expect(ids(again.records)).not.toContain(`overdue:${RECALL_ID}:submit-plan:1`)
    expect(again.published).toContain(`fulfilled:${RECALL_ID}:submit-plan:1`)
  })

  it('keeps what the list endpoints filter on', () => {
    const { doc } = settle(null, RECALL_ID, [opened], onTime, ctx)
    expect(doc).toMatchObject({ _id: RECALL_ID, status: 'initiated', producer: FIRM, published: false })
    expect(doc.search).toBe(searchText(doc.case))
    expect(doc.search).toContain('acme')
    expect(doc.nextChangeAt).toBeInstanceOf(Date)
  })
})

describe('mergeEvents', () => {
  it('drops events whose (source, id) is known', () => {
    const merged = mergeEvents([opened], [opened, { ...planned }, planned])
    expect(merged).toEqual({ events: [opened, planned], added: 1 })
  })
})
