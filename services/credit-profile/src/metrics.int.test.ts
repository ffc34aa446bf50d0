import { toCloudEventRecord, topicNames, type Envelope } from '@ecrs/contracts'
import { LOCAL_DEV_SECRET, signToken } from '@ecrs/http'
import { createKafka, createProducer, type Producer } from '@ecrs/kafka'
import { metricValue, randomUscc, waitFor } from '@ecrs/testkit'
import { testInfra, uniqueName } from '@ecrs/testkit/vitest'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testConfig } from './testing/harness.js'
import { start, type CreditProfileService } from './service.js'

/**
 * GET /metrics of credit-profile, driven by real records through the broker: the consumer's
 * per-type counts, the outcomes, the dead letters, the lag, the rules runs and the HTTP routes.
 */
const infra = testInfra()
const ns = uniqueName('cpm')
const topics = topicNames(ns)
const group = `${ns}.credit-profile.projection`
let svc: CreditProfileService
let producer: Producer

const sample = metricValue
const scrape = async (): Promise<string> => {
  const res = await svc.app.inject({ method: 'GET', url: '/metrics' })
  expect(res.statusCode).toBe(200)
  return res.body
}
const metric = async (name: string, labels: Record<string, string> = {}) =>
  sample(await scrape(), name, labels)

let seq = 0
const event = (subject: string, type: string, data: Record<string, unknown>): Envelope => ({
  specversion: '1.0',
  id: `m-${++seq}-${Date.now()}`,
  source: 'samr.ln',
  type,
  subject,
  time: '2024-03-02T09:00:00+08:00',
  dataversion: 1,
  data,
})
const registered = (uscc: string) =>
  event(uscc, 'enterprise.registered', {
    name: '度量测试有限公司',
    registeredAt: '2024-03-02',
    region: '210102',
  })
const send = (events: readonly Envelope[]) =>
  producer.send(
    events.map((e) =>
      toCloudEventRecord(e, { topic: topics.enterprise, key: e.subject, recordedAt: new Date() }),
    ),
  )

beforeAll(async () => {
  const config = testConfig(infra, ns)
  svc = await start(config, pino({ level: 'warn' }))
  const logger = pino({ level: 'silent' })
  producer = await createProducer(
    createKafka({ brokers: infra.kafkaBrokers, clientId: 'cpm-test', logger }),
    {
      logger,
    },
  )
})

afterAll(async () => {
  await producer?.disconnect()
  await svc?.close()
})

describe('credit-profile metrics', () => {
  const usccs = Array.from({ length: 5 }, () => randomUscc())

  it('counts each handled record by type, and each outcome by type and status', async () => {
    const handled = { group, topic: topics.enterprise, type: 'enterprise.registered', result: 'handled' }
    const applied = { consumer: 'credit-profile', type: 'enterprise.registered', status: 'applied' }
    const rejected = { ...applied, status: 'rejected' }
    expect(await metric('ecrs_consumer_events_total', handled)).toBe(0)

    await send(usccs.map(registered))
    // Outcomes are published during the handling, the records counted once committed: wait for both.
    const both = async (records: number, outcomes: Record<string, string>, n: number) => {
      const text = await scrape()
      return (
        sample(text, 'ecrs_consumer_events_total', handled) === records &&
        sample(text, 'ecrs_event_outcomes_total', outcomes) === n
      )
    }
    await waitFor(() => both(5, applied, 5), { what: '5 handled records and 5 applied outcomes' })

    // A second registration of the same enterprise is handled, and its outcome is `rejected`.
    await send([registered(usccs[0]!)])
    await waitFor(() => both(6, rejected, 1), { what: 'a 6th handled record and a rejected outcome' })
    const text = await scrape()
    expect(sample(text, 'ecrs_consumer_events_total', handled)).toBe(6)
    expect(sample(text, 'ecrs_event_outcomes_total', applied)).toBe(5)
    // Every outcome the brokers acknowledged is counted once (the rules' own decisions have outcomes too).
    expect(sample(text, 'ecrs_kafka_produced_records_total', { topic: topics.outcomes })).toBe(
      sample(text, 'ecrs_event_outcomes_total', { consumer: 'credit-profile' }),
    )
    expect(sample(text, 'ecrs_kafka_produce_failures_total')).toBe(0)
    expect(sample(text, 'ecrs_consumer_events_total', { result: 'dead-lettered' })).toBe(0)
  })

  it('counts a poison record as dead-lettered under the type its header names', async () => {
    const poison = (type: string) => ({
      topic: topics.enterprise,
      key: usccs[1]!,
      value: '{not json',
      headers: { ce_type: type, ce_id: `poison-${type}`, ce_source: 'samr.ln' },
    })
    await producer.send([poison('penalty.decided'), poison('no.such-type')])
    const dead = { group, topic: topics.enterprise, result: 'dead-lettered' }
    await waitFor(async () => (await metric('ecrs_consumer_events_total', dead)) === 2, {
      what: '2 dead-lettered records',
    })
    const text = await scrape()
    expect(sample(text, 'ecrs_consumer_events_total', { ...dead, type: 'penalty.decided' })).toBe(1)
    // Types outside the catalogue are folded into `other`: a header cannot grow the label set.
    expect(sample(text, 'ecrs_consumer_events_total', { ...dead, type: 'other' })).toBe(1)
    expect(text).not.toContain('no.such-type')
  })

  it('reports the lag of each partition and sees it return to 0', async () => {
    await waitFor(
      async () => {
        const text = await scrape()
        const partitions = ['0', '1'].map((p) =>
          text
            .split('\n')
            .find(
              (l) =>
                l.startsWith('ecrs_consumer_lag{') && l.includes(`partition="${p}"`) && l.includes(group),
            ),
        )
        return partitions.every((l) => l !== undefined && l.endsWith(' 0'))
      },
      { what: 'lag 0 on both partitions', timeoutMs: 30_000, intervalMs: 500 },
    )
  })

  it('times an admin rules run and labels HTTP latency by route pattern, never by USCC', async () => {
    const admin = await signToken({ sub: 't', role: 'admin' }, LOCAL_DEV_SECRET, 600)
    const regulator = await signToken({ sub: 't', role: 'regulator' }, LOCAL_DEV_SECRET, 600)
    const run = await svc.app.inject({
      method: 'POST',
      url: '/v1/admin/rules:run',
      headers: { authorization: `Bearer ${admin}` },
    })
    expect(run.statusCode).toBe(200)
    const profile = await svc.app.inject({
      method: 'GET',
      url: `/v1/enterprises/${usccs[2]!}`,
      headers: { authorization: `Bearer ${regulator}` },
    })
    expect(profile.statusCode).toBe(200)

    const text = await scrape()
    expect(
      sample(text, 'ecrs_rules_run_duration_seconds_count', {
        trigger: 'admin',
        result: 'ok',
        service: 'credit-profile',
      }),
    ).toBe(1)
    expect(sample(text, 'ecrs_rules_run_duration_seconds_count', { trigger: 'scheduler' })).toBe(0)
    expect(
      sample(text, 'http_request_duration_seconds_count', {
        method: 'GET',
        route: '/v1/enterprises/:uscc',
        status_code: '200',
      }),
    ).toBe(1)
    for (const u of usccs) expect(text).not.toContain(u)
  })
})
