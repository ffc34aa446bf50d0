import { Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { opsMetrics, typeLabel } from './metrics.js'

const record = (type?: string, value = '') => ({
  topic: 't',
  value,
  headers: type === undefined ? {} : { ce_type: type },
})

const value = async (registry: Registry, name: string, labels: Record<string, string>) => {
  const metric = await registry.getSingleMetric(name)?.get()
  return (metric?.values ?? [])
    .filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))
    .reduce((n, v) => n + v.value, 0)
}

describe('typeLabel', () => {
  it.each([
    ['penalty.decided', 'penalty.decided'],
    ['91350100M000100Y43', 'other'],
    ['', 'none'],
    [undefined, 'none'],
  ])('%s → %s', (type, label) => {
    expect(typeLabel(type)).toBe(label)
  })
})

describe('opsMetrics', () => {
  it('counts a committed chunk by type and result', async () => {
    const registry = new Registry()
    const ops = opsMetrics(registry)
    const poison = record('penalty.decided', '{x')
    ops.consumer().committed({
      groupId: 'g',
      topic: 't',
      partition: 0,
      messages: [
        record('penalty.decided'),
        record('penalty.decided'),
        poison,
        record('x-91350100M000100Y43'),
      ],
      deadLettered: [poison],
    })
    const labels = { group: 'g', topic: 't', type: 'penalty.decided' }
    expect(await value(registry, 'ecrs_consumer_events_total', { ...labels, result: 'handled' })).toBe(2)
    expect(await value(registry, 'ecrs_consumer_events_total', { ...labels, result: 'dead-lettered' })).toBe(
      1,
    )
    expect(await value(registry, 'ecrs_consumer_events_total', { type: 'other' })).toBe(1)
    expect(await registry.metrics()).not.toContain('91350100M000100Y43')
  })

  it('reads outcome records sent to the outcomes topic', async () => {
    const registry = new Registry()
    const producer = opsMetrics(registry).producer({ outcomesTopic: 'o' })
    const outcome = (status: string) => ({
      topic: 'o',
      value: JSON.stringify({ consumer: 'recall', type: 'recall.closed', status, source: 's', id: 'i' }),
    })
    producer.sent([
      outcome('applied'),
      outcome('rejected'),
      outcome('applied'),
      { topic: 'o', value: 'junk' },
    ])
    producer.failed([{ topic: 'e' }], 'timeout')
    const labels = { consumer: 'recall', type: 'recall.closed' }
    expect(await value(registry, 'ecrs_event_outcomes_total', { ...labels, status: 'applied' })).toBe(2)
    expect(await value(registry, 'ecrs_event_outcomes_total', { ...labels, status: 'rejected' })).toBe(1)
    expect(await value(registry, 'ecrs_kafka_produced_records_total', { topic: 'o' })).toBe(4)
    expect(
      await value(registry, 'ecrs_kafka_produce_failures_total', { topic: 'e', reason: 'timeout' }),
    ).toBe(1)
  })

  it('serves the latest lag reading and forgets groups no longer read', async () => {
    const registry = new Registry()
    const ops = opsMetrics(registry)
    let group = 'old'
    ops.lag(() => Promise.resolve([{ groupId: group, topic: 't', partition: 0, lag: 7 }]))
    expect(await value(registry, 'ecrs_consumer_lag', { group: 'old', partition: '0' })).toBe(7)
    group = 'new'
    expect(await value(registry, 'ecrs_consumer_lag', { group: 'old' })).toBe(0)
    expect(await value(registry, 'ecrs_consumer_lag', { group: 'new' })).toBe(7)
  })

  it('counts ingest verdicts with bounded labels', async () => {
    const registry = new Registry()
    const ops = opsMetrics(registry)
    ops.ingested('penalty.decided', 'accepted')
    ops.ingested({ not: 'a string' }, 'rejected', 'EVENT_INVALID')
    ops.ingested('penalty.decided', 'rejected', 'not a code 91350100M000100Y43')
    expect(await value(registry, 'ecrs_ingest_events_total', { type: 'penalty.decided', code: 'none' })).toBe(
      2,
    )
    expect(await value(registry, 'ecrs_ingest_events_total', { type: 'none', code: 'EVENT_INVALID' })).toBe(1)
    expect(await registry.metrics()).not.toContain('91350100M000100Y43')
  })

  it('times a run by trigger and result', async () => {
    const registry = new Registry()
    const ops = opsMetrics(registry)
    await ops.timeRun('admin', () => Promise.resolve(['a', 'b']))
    await expect(ops.timeRun('scheduler', () => Promise.reject(new Error('x')))).rejects.toThrow('x')
    const text = await registry.metrics()
    expect(text).toContain('ecrs_rules_run_duration_seconds_count{trigger="admin",result="ok"} 1')
    expect(text).toContain('ecrs_rules_run_duration_seconds_count{trigger="scheduler",result="error"} 1')
    expect(text).toContain('ecrs_rules_decisions_total{trigger="admin"} 2')
  })
})
