import { topicNames } from '@ecrs/contracts'
import { LOCAL_DEV_SECRET, signToken } from '@ecrs/http'
import { consumerLag, createKafka, createProducer, type Producer } from '@ecrs/kafka'
import { waitFor, randomUscc } from '@ecrs/testkit'
import { testInfra, uniqueName } from '@ecrs/testkit/vitest'
import { pino } from 'pino'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { enterpriseRecords, testConfig } from './testing/harness.js'
import { rebuild } from './rebuild/rebuild.js'
import { start, type CreditProfileService } from './service.js'

const infra = testInfra()
const ns = uniqueName('cprb')
const topics = topicNames(ns)
const config = testConfig(infra, ns, {
  // Stats and search read right after a change: no cache (read-gate.test.ts tests the cache).
  READS_CACHE_MS: '0',
  PROJECTION_CHECK_MS: '200',
})
let svc: CreditProfileService
let producer: Producer

const publish = enterpriseRecords(topics, 'rb', (n) => new Date(Date.UTC(2026, 0, 1, 0, 0, n)))

beforeAll(async () => {
  svc = await start(config, pino({ level: 'warn' }))
  producer = await createProducer(
    createKafka({ brokers: infra.kafkaBrokers, clientId: 'rb', logger: pino({ level: 'silent' }) }),
    {
      logger: pino({ level: 'silent' }),
    },
  )
})

afterAll(async () => {
  await producer?.disconnect()
  await svc?.close()
})

it('rebuilds from the topic into fresh collections, switches over, and equals the incremental profiles', async () => {
  const firms = Array.from({ length: 6 }, () => randomUscc())
  await producer.send(
    firms.flatMap((f, i) => [
      publish(f, 'enterprise.registered', `202${i % 4}-02-03T09:00:00+08:00`, {
        name: `Firm ${i}`,
        registeredAt: `202${i % 4}-02-03`,
        region: i % 2 ? '210102' : '110105',
      }),
      publish(f, 'penalty.decided', '2025-05-01T10:00:00+08:00', {
        decisionNo: `D-${i}`,
        measures: i % 2 ? ['fine'] : ['criticism'],
        domain: 'food',
        fineAmount: 1000 * (i + 1),
      }),
      publish(f, 'inspection.recorded', '2025-06-01T10:00:00+08:00', {
        inspectionId: `I-${i}`,
        kind: 'random',
        results: [i % 3 ? 'no-problem' : 'non-cooperation'],
      }),
    ]),
  )
  const regulator = await signToken({ sub: 'r', role: 'regulator' }, LOCAL_DEV_SECRET, 600)
  const view = async (f: string) =>
    (
      await svc.app.inject({
        method: 'GET',
        url: `/v1/enterprises/${f}?asOf=2026-11-01`,
        headers: { authorization: `Bearer ${regulator}` },
      })
    ).json<Record<string, unknown>>()
  const stats = async () =>
    (
      await svc.app.inject({
        method: 'GET',
        url: '/v1/stats',
        headers: { authorization: `Bearer ${regulator}` },
      })
    ).json<Record<string, unknown>>()
  await waitFor(
    async () => (await stats())['enterprises'] === 6 && (await view(firms[5]!))['inspections'] !== undefined,
    {
      what: 'the incremental projection',
    },
  )
  // Settle: the system's decisions (missed annual reports) come back through the topic; the
  // projection has read everything once its group has no lag left.
  const kafka = createKafka({
    brokers: infra.kafkaBrokers,
    clientId: 'rb-lag',
    logger: pino({ level: 'silent' }),
  })
  await waitFor(
    async () => (await consumerLag(kafka, `${ns}.credit-profile.projection`, topics.enterprise)).lag === 0,
    { what: 'the projection to have read the whole topic', timeoutMs: 60_000 },
  )
  const incremental = await Promise.all(firms.map(view))
  const statsBefore = await stats()

  const lines: string[] = []
  const result = await rebuild(config, pino({ level: 'warn' }), (l) => lines.push(l))
  expect(result.events).toBeGreaterThanOrEqual(18)
  expect(lines.some((l) => /100%/.test(l))).toBe(true)

  // The service switches to the rebuilt collection and serves the same profiles.
  await waitFor(async () => (await svc.app.inject({ method: 'GET', url: '/readyz' })).statusCode === 200, {
    what: 'ready',
  })
  const { MongoClient } = await import('mongodb')
  const client = new MongoClient(infra.mongoUrl)
  try {
    await waitFor(
      async () =>
        (await client.db(config.MONGO_DB).collection('projection_pointer').findOne({}))?.['collection'] ===
        result.collection,
      { what: 'the pointer' },
    )
    expect(await client.db(config.MONGO_DB).collection(result.collection).countDocuments()).toBe(6)
  } finally {
    await client.close()
  }
  await waitFor(async () => JSON.stringify(await stats()) === JSON.stringify(statsBefore), {
    what: 'stats after the switch',
  })
  expect(await Promise.all(firms.map(view))).toEqual(incremental)

  // And it goes on consuming after the switch.
  await producer.send([
    publish(firms[0]!, 'inspection.recorded', '2025-07-01T10:00:00+08:00', {
      inspectionId: 'after',
      kind: 'random',
      results: ['no-problem'],
    }),
  ])
  await waitFor(async () => ((await view(firms[0]!))['inspections'] as unknown[]).length === 2, {
    what: 'a new event after the switch',
  })
})
