import { topicNames, type Envelope } from '@ecrs/contracts'
import { createProducer, scanTopic, type Kafka, type Producer } from '@ecrs/kafka'
import { waitFor } from '@ecrs/testkit'
import { testInfra, uniqueName } from '@ecrs/testkit/vitest'
import { pino } from 'pino'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { RecallService } from './service.js'
import {
  kafkaClient,
  produceRecallEvents,
  randomUscc,
  startRecall,
  token,
  initiatedBy,
} from './testing/harness.js'

/**
 * Two instances of recall share one consumer group and one store. Deadlines pass (the clock is
 * moved: time is data) and both are asked to sweep every case, again and again: each sweeps only
 * the cases whose partition it holds, so every missed obligation is decided once, by one of them.
 */
const infra = testInfra()
const ns = uniqueName('recx')
const topics = topicNames(ns)
const DAY = 86_400_000
let shiftMs = 0
const now = () => new Date(Date.now() + shiftMs)
let a: RecallService
let b: RecallService
let kafka: Kafka
let producer: Producer

const ready = (svc: RecallService) =>
  waitFor(async () => (await svc.app.inject({ method: 'GET', url: '/readyz' })).statusCode === 200, {
    what: 'ready (its consumers joined)',
    timeoutMs: 60_000,
  })

beforeAll(async () => {
  ;({ service: a } = await startRecall(infra, ns, { now }, { TOPIC_PARTITIONS: '4' }))
  await ready(a)
  ;({ service: b } = await startRecall(infra, ns, { now }, { TOPIC_PARTITIONS: '4' }))
  await ready(b)
  kafka = kafkaClient(infra.kafkaBrokers)
  producer = await createProducer(kafka, { logger: pino({ level: 'silent' }) })
})

afterAll(async () => {
  await producer?.disconnect()
  await b?.close()
  await a?.close()
})

const initiated = (recallId: string, firm: string): Envelope =>
  initiatedBy(firm, recallId, new Date(Date.now() - 60_000))

it(
  'two instances sweeping at once decide each missed obligation once, and split the work',
  { timeout: 120_000 },
  async () => {
    const admin = await token({ role: 'admin' })
    const regulator = await token({ role: 'regulator' })
    const ids = Array.from({ length: 30 }, (_, i) => `RX-${ns}-${i}`)
    await produceRecallEvents(
      producer,
      topics,
      ids.map((id) => initiated(id, randomUscc())),
    )
    for (const id of ids)
      await waitFor(
        async () =>
          (
            await a.app.inject({
              method: 'GET',
              url: `/v1/recalls/${id}`,
              headers: { authorization: `Bearer ${regulator}` },
            })
          ).statusCode === 200,
        { what: `case ${id}` },
      )
    const run = async (svc: RecallService) => {
      const res = await svc.app.inject({
        method: 'POST',
        url: '/v1/admin/rules:run',
        headers: { authorization: `Bearer ${admin}` },
      })
      expect(res.statusCode).toBe(200)
      return res.json<{ published: string[] }>().published
    }
    shiftMs = 30 * DAY
    try {
      const rounds = await Promise.all([a, b, a, b, a, b].map(run))
      const byA = new Set(rounds.filter((_, i) => i % 2 === 0).flat())
      const byB = new Set(rounds.filter((_, i) => i % 2 === 1).flat())
      // Every case's plan deadline passed: one decision each, by one instance only.
      const expected = ids.map((id) => `overdue:${id}:submit-plan:1`)
      expect([...byA, ...byB].sort()).toEqual(expected.sort())
      expect([...byA].filter((id) => byB.has(id))).toEqual([])
      // Both did some (4 partitions split two and two; 30 cases land on each side).
      expect(byA.size).toBeGreaterThan(0)
      expect(byB.size).toBeGreaterThan(0)
      // And on the enterprise topic each decision is there once.
      const records = (await scanTopic(kafka, topics.enterprise)).filter((m) =>
        expected.includes(m.headers['ce_id'] ?? ''),
      )
      expect(records.map((m) => m.headers['ce_id']).sort()).toEqual(expected.sort())
    } finally {
      shiftMs = 0
    }
  },
)
