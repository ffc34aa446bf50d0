import { topicNames, type Envelope } from '@ecrs/contracts'
import { createProducer, type Kafka, type Producer } from '@ecrs/kafka'
import { waitFor } from '@ecrs/testkit'
import { testInfra, uniqueName } from '@ecrs/testkit/vitest'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RecallService } from './service.js'
import {
  kafkaClient,
  produceRecallEvents,
  randomUscc,
  readRecords,
  startRecall,
  token,
  initiatedBy,
} from './testing/harness.js'

const infra = testInfra()
const ns = uniqueName('recr')
const topics = topicNames(ns)
const firmUscc = randomUscc()
const DAY = 86_400_000
// The service's clock: tests move it forward to let deadlines pass (time is data, not a sleep).
let shiftMs = 0
const now = () => new Date(Date.now() + shiftMs)
let recall: RecallService
let kafka: Kafka
let producer: Producer
let admin: string
let regulator: string

const restart = async (env: Record<string, string> = {}) => {
  await recall.close()
  ;({ service: recall } = await startRecall(infra, ns, { now }, env))
}

beforeAll(async () => {
  ;({ service: recall } = await startRecall(infra, ns, { now }))
  kafka = kafkaClient(infra.kafkaBrokers)
  producer = await createProducer(kafka, { logger: pino({ level: 'silent' }) })
  admin = await token({ role: 'admin' })
  regulator = await token({ role: 'regulator' })
})

afterAll(async () => {
  await producer?.disconnect()
  await recall?.close()
})

const initiated = (recallId: string, time: Date): Envelope => initiatedBy(firmUscc, recallId, time)

const runRules = async (): Promise<string[]> => {
  const res = await recall.app.inject({
    method: 'POST',
    url: '/v1/admin/rules:run',
    headers: { authorization: `Bearer ${admin}` },
  })
  expect(res.statusCode).toBe(200)
  return res.json<{ published: string[] }>().published
}

const caseExists = (recallId: string) =>
  waitFor(
    async () =>
      (
        await recall.app.inject({
          method: 'GET',
          url: `/v1/recalls/${recallId}`,
          headers: { authorization: `Bearer ${regulator}` },
        })
      ).statusCode === 200,
    { what: `recall ${recallId}` },
  )

/** The records on the enterprise topic with `id`, read up to a marker written after them on the same key. */
const enterpriseRecords = async (ids: string[]) => {
  const marker = `marker-${Date.now()}`
  await producer.send([{ topic: topics.enterprise, key: firmUscc, value: '{}', headers: { ce_id: marker } }])
  const seen = await readRecords(kafka, topics.enterprise, (s) =>
    s.some((m) => m.headers['ce_id'] === marker),
  )
  return seen.filter((m) => ids.includes(m.headers['ce_id'] ?? ''))
}

describe('a plan never submitted', () => {
  it('a back-dated opening: recall.obligation-overdue once, whatever the runs and restarts', async () => {
    const recallId = `RB-${ns}`
    await produceRecallEvents(producer, topics, [initiated(recallId, new Date(Date.now() - 30 * DAY))])
    await caseExists(recallId)
    const overdue = `overdue:${recallId}:submit-plan:1`
    await runRules()
    await restart()
    expect(await runRules()).not.toContain(overdue)
    const records = await enterpriseRecords([overdue])
    expect(records).toHaveLength(1)
    expect(records[0]!.headers).toMatchObject({
      ce_type: 'recall.obligation-overdue',
      ce_source: 'ecrs.recall',
      ce_subject: firmUscc,
      ce_specversion: '1.0',
      ce_dataversion: '1',
    })
    expect(JSON.parse(records[0]!.value!.toString())).toMatchObject({ recallId, kind: 'submit-plan' })
  })

  it('a deadline passing later: rules:run publishes it once, and never again after a restart', async () => {
    const recallId = `RL-${ns}`
    await produceRecallEvents(producer, topics, [initiated(recallId, new Date(Date.now() - 60_000))])
    await caseExists(recallId)
    const overdue = `overdue:${recallId}:submit-plan:1`
    expect(await runRules()).not.toContain(overdue)
    shiftMs = 30 * DAY
    try {
      expect(await runRules()).toContain(overdue)
      expect(await runRules()).not.toContain(overdue)
      await restart()
      expect(await runRules()).not.toContain(overdue)
    } finally {
      shiftMs = 0
    }
    expect(await enterpriseRecords([overdue])).toHaveLength(1)
  })

  it('the timer publishes it by itself once the deadline passes', async () => {
    await restart({ RULES_INTERVAL_MS: '100' })
    const recallId = `RT-${ns}`
    await produceRecallEvents(producer, topics, [initiated(recallId, new Date(Date.now() - 60_000))])
    await caseExists(recallId)
    const overdue = `overdue:${recallId}:submit-plan:1`
    shiftMs = 30 * DAY
    try {
      await readRecords(kafka, topics.enterprise, (s) => s.some((m) => m.headers['ce_id'] === overdue))
    } finally {
      shiftMs = 0
    }
  })
})
