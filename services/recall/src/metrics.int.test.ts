import { topicNames, type Envelope } from '@ecrs/contracts'
import { createProducer, type Producer } from '@ecrs/kafka'
import { metricValue, waitFor } from '@ecrs/testkit'
import { testInfra, uniqueName } from '@ecrs/testkit/vitest'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RecallService } from './service.js'
import {
  kafkaClient,
  produceRecallEvents,
  randomUscc,
  startRecall,
  token,
  initiatedBy,
} from './testing/harness.js'

/** GET /metrics of recall: its consumer's counts, outcomes, dead letters and sweep durations. */
const infra = testInfra()
const ns = uniqueName('recm')
const topics = topicNames(ns)
const group = `${ns}.recall.cases`
const firm = randomUscc()
let recall: RecallService
let producer: Producer

const scrape = async (): Promise<string> => (await recall.app.inject({ method: 'GET', url: '/metrics' })).body

const initiated = (recallId: string): Envelope => initiatedBy(firm, recallId, new Date(Date.now() - 60_000))

beforeAll(async () => {
  ;({ service: recall } = await startRecall(infra, ns, {}, { RULES_INTERVAL_MS: '200' }))
  producer = await createProducer(kafkaClient(infra.kafkaBrokers), { logger: pino({ level: 'silent' }) })
})

afterAll(async () => {
  await producer?.disconnect()
  await recall?.close()
})

describe('recall metrics', () => {
  it('counts handled and dead-lettered records by type, outcomes, and times sweeps by trigger', async () => {
    const handled = { topic: topics.recall, type: 'recall.initiated', result: 'handled' }
    const applied = { consumer: 'recall', type: 'recall.initiated', status: 'applied' }
    await produceRecallEvents(producer, topics, [initiated(`RM1-${ns}`), initiated(`RM2-${ns}`)])
    await producer.send([
      { topic: topics.recall, key: 'RM3', value: '[]', headers: { ce_type: 'recall.closed' } },
    ])
    await waitFor(
      async () => {
        const text = await scrape()
        return (
          metricValue(text, 'ecrs_consumer_events_total', handled) === 2 &&
          metricValue(text, 'ecrs_event_outcomes_total', applied) === 2 &&
          metricValue(text, 'ecrs_consumer_events_total', { result: 'dead-lettered' }) === 1
        )
      },
      { what: '2 handled, 2 applied, 1 dead-lettered' },
    )
    const admin = await token({ role: 'admin' })
    const run = await recall.app.inject({
      method: 'POST',
      url: '/v1/admin/rules:run',
      headers: { authorization: `Bearer ${admin}` },
    })
    expect(run.statusCode).toBe(200)
    await waitFor(
      async () =>
        metricValue(await scrape(), 'ecrs_rules_run_duration_seconds_count', { trigger: 'scheduler' }) > 0,
      { what: 'a timed scheduler sweep' },
    )
    const text = await scrape()
    expect(
      metricValue(text, 'ecrs_consumer_events_total', {
        group,
        type: 'recall.closed',
        result: 'dead-lettered',
      }),
    ).toBe(1)
    expect(
      metricValue(text, 'ecrs_rules_run_duration_seconds_count', { trigger: 'admin', result: 'ok' }),
    ).toBe(1)
    expect(text).not.toContain(firm)
    // One sample per partition of the recall topic (3 in the harness), all 0 once caught up.
    await waitFor(
      async () => {
        const lines = (await scrape())
          .split('\n')
          .filter((l) => l.startsWith('ecrs_consumer_lag{') && l.includes(group))
        return lines.length === 3 && lines.every((l) => l.endsWith(' 0'))
      },
      { what: 'lag 0 on every partition', timeoutMs: 30_000, intervalMs: 500 },
    )
  })
})
