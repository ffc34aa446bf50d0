import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { topicNames } from '@ecrs/contracts'
import { LOCAL_DEV_SECRET, signToken } from '@ecrs/http'
import {
  PermanentError,
  createKafka,
  createProducer,
  startConsumer,
  type Producer,
  type RunningConsumer,
} from '@ecrs/kafka'
import { metricValue, randomUscc, repoRoot, waitFor } from '@ecrs/testkit'
import { testInfra, uniqueName } from '@ecrs/testkit/vitest'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServiceProcess, type ServiceProcess } from './stack.js'

/**
 * Replaying a dead letter whose event credit-profile already applied is harmless: the projection
 * deduplicates by (source, id), so the history keeps the event once and no outcome is published
 * again. The dead letter comes from a consumer with a bug (through the real consumer loop); the
 * replay runs as `npm run dlq` does, a process with the services' environment.
 */
const infra = testInfra()
const ns = uniqueName('dlqe').replace(/[^a-z0-9.-]/g, '')
const topics = topicNames(ns)
const env = {
  KAFKA_BROKERS: infra.kafkaBrokers.join(','),
  MONGO_URL: infra.mongoUrl,
  TOPIC_NAMESPACE: ns,
  TOPIC_PARTITIONS: '2',
  LOG_LEVEL: 'warn',
}
const ingestDb = `${ns}_ingest`.replace(/[^A-Za-z0-9_]/g, '_')
const logger = pino({ level: 'silent' })
let ingest: ServiceProcess
let credit: ServiceProcess
let producer: Producer
let buggy: RunningConsumer

const dlq = (...args: string[]) =>
  spawnSync(process.execPath, [join(repoRoot, 'services', 'ingest', 'dist', 'dlq', 'main.js'), ...args], {
    env: { ...process.env, ...env, MONGO_DB: ingestDb },
    encoding: 'utf8',
    timeout: 60_000,
  })

beforeAll(async () => {
  ;[ingest, credit] = await Promise.all([
    startServiceProcess('ingest', { ...env, MONGO_DB: ingestDb }),
    startServiceProcess('credit-profile', {
      ...env,
      MONGO_DB: `${ns}_credit`.replace(/[^A-Za-z0-9_]/g, '_'),
    }),
  ])
  const kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: 'dlq-e2e', logger })
  producer = await createProducer(kafka, { logger })
  // A second consumer of the enterprise topic with a bug: it cannot handle penalties.
  buggy = await startConsumer(kafka, {
    groupId: `${ns}.buggy`,
    topics: [topics.enterprise],
    logger,
    deadLetter: { topic: topics.deadLetter, producer },
    handler: (messages) => {
      if (messages.some((m) => m.headers['ce_type'] === 'penalty.decided'))
        throw new PermanentError('PENALTY_UNSUPPORTED', 'penalties are not supported')
      return Promise.resolve()
    },
  })
})

afterAll(async () => {
  await buggy?.stop()
  await producer?.disconnect()
  await Promise.all([ingest?.stop(), credit?.stop()])
})

describe('a dead letter replayed after credit-profile applied its event', () => {
  it('changes nothing in the profile and publishes no outcome again', async () => {
    const agency = await signToken({ sub: 'e2e', role: 'agency', agency: 'samr.ln' }, LOCAL_DEV_SECRET, 600)
    const regulator = await signToken({ sub: 'e2e', role: 'regulator' }, LOCAL_DEV_SECRET, 600)
    const uscc = randomUscc()
    const penaltyId = `pen-${ns}`
    const post = async (body: Record<string, unknown>) => {
      const res = await fetch(`${ingest.url}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${agency}`, 'content-type': 'application/json' },
        body: JSON.stringify({ source: 'samr.ln', subject: uscc, ...body }),
      })
      expect(res.status).toBe(202)
    }
    await post({
      id: `reg-${ns}`,
      type: 'enterprise.registered',
      time: '2024-03-02T09:00:00+08:00',
      data: { name: '重放测试有限公司', registeredAt: '2024-03-02', region: '210102' },
    })
    await post({
      id: penaltyId,
      type: 'penalty.decided',
      time: '2025-03-01T10:00:00+08:00',
      data: { decisionNo: 'D-1', measures: ['warning'], domain: 'food' },
    })
    const history = async () => {
      const res = await fetch(`${credit.url}/v1/enterprises/${uscc}/history`, {
        headers: { authorization: `Bearer ${regulator}` },
      })
      return res.status === 200
        ? ((await res.json()) as { items: { id: string }[] }).items.map((i) => i.id)
        : []
    }
    await waitFor(async () => (await history()).includes(penaltyId), { what: 'the penalty applied' })

    // The buggy consumer dead-lettered the penalty: list shows it.
    let line: string | undefined
    await waitFor(
      () => {
        line = dlq('list', '--type', 'penalty.decided')
          .stdout.split('\n')
          .find((l) => l.includes(penaltyId))
        return line !== undefined
      },
      { what: 'the dead letter listed', intervalMs: 500 },
    )
    const id = line!.split('  ')[0]!
    const scrape = async () => (await fetch(`${credit.url}/metrics`)).text()
    const penalty = { topic: topics.enterprise, type: 'penalty.decided' }
    const before = await scrape()
    expect(metricValue(before, 'ecrs_consumer_events_total', { ...penalty, result: 'handled' })).toBe(1)
    const outcomesBefore = metricValue(before, 'ecrs_event_outcomes_total', { type: 'penalty.decided' })
    expect(outcomesBefore).toBe(1)

    const replay = dlq('replay', id)
    expect(replay.status).toBe(0)
    expect(replay.stdout).toContain(`${id}  replayed`)
    // credit-profile handled the replayed record …
    await waitFor(
      async () =>
        metricValue(await scrape(), 'ecrs_consumer_events_total', { ...penalty, result: 'handled' }) === 2,
      { what: 'the replayed record handled by credit-profile' },
    )
    // … and it changed nothing: the event once in the history, no outcome published again.
    expect((await history()).filter((h) => h === penaltyId)).toHaveLength(1)
    expect(metricValue(await scrape(), 'ecrs_event_outcomes_total', { type: 'penalty.decided' })).toBe(
      outcomesBefore,
    )
    const status = await fetch(`${ingest.url}/v1/events/samr.ln/${penaltyId}`, {
      headers: { authorization: `Bearer ${agency}` },
    })
    expect(await status.json()).toMatchObject({
      outcomes: [{ consumer: 'credit-profile', status: 'applied' }],
    })

    // A second replay publishes nothing.
    const twice = dlq('replay', id)
    expect(twice.status).toBe(0)
    expect(twice.stdout).toContain('already replayed')
  })
})
