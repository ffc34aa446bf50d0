import { topicNames, type Envelope } from '@ecrs/contracts'
import { consumerLag, createProducer, type Kafka, type Producer } from '@ecrs/kafka'
import { waitFor } from '@ecrs/testkit'
import { testInfra, uniqueName } from '@ecrs/testkit/vitest'
import { MongoClient } from 'mongodb'
import { pino } from 'pino'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Config } from './config.js'
import { rebuild } from './rebuild/rebuild.js'
import type { RecallService } from './service.js'
import {
  kafkaClient,
  produceRecallEvents,
  randomUscc,
  readRecords,
  startRecall,
  token,
} from './testing/harness.js'

const infra = testInfra()
const ns = uniqueName('recrb')
const topics = topicNames(ns)
const firm = randomUscc()
const DAY = 86_400_000
// The service's clock: moved forward to let deadlines pass (time is data, not a sleep).
let shiftMs = 0
const now = () => new Date(Date.now() + shiftMs)
let recall: RecallService
// The service's own log says when it switched: the signal to wait on.
const logged: { msg?: string; collection?: string; handed?: number }[] = []
const logger = pino(
  { level: 'info' },
  {
    write: (line: string) => {
      logged.push(JSON.parse(line) as (typeof logged)[number])
    },
  },
)
const switched = (collection: string) =>
  waitFor(
    () => logged.find((l) => l.msg === 'switched to the rebuilt projection' && l.collection === collection),
    { what: `the switch to ${collection}` },
  )
let config: Readonly<Config>
let kafka: Kafka
let producer: Producer
let mongo: MongoClient
const t: Record<'agency' | 'regulator' | 'admin' | 'firm', string> = {} as never

beforeAll(async () => {
  ;({ service: recall, config } = await startRecall(
    infra,
    ns,
    { now },
    { PROJECTION_CHECK_MS: '200' },
    logger,
  ))
  kafka = kafkaClient(infra.kafkaBrokers)
  producer = await createProducer(kafka, { logger: pino({ level: 'silent' }) })
  mongo = new MongoClient(infra.mongoUrl)
  t.agency = await token({ role: 'agency', agency: 'samr.ln' })
  t.regulator = await token({ role: 'regulator' })
  t.admin = await token({ role: 'admin' })
  t.firm = await token({ role: 'firm', uscc: firm })
})

afterAll(async () => {
  await mongo?.close()
  await producer?.disconnect()
  await recall?.close()
})

const call = (method: 'GET' | 'POST', url: string, auth: string, body?: unknown) =>
  recall.app.inject({
    method,
    url,
    headers: {
      authorization: `Bearer ${auth}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  })

const view = async (url: string) => {
  const res = await call('GET', url, t.regulator)
  return { status: res.statusCode, body: res.json<Record<string, unknown>>() }
}
const statusOf = async (recallId: string) => (await view(`/v1/recalls/${recallId}`)).body['status']

const step = async (recallId: string, path: string, auth: string, body: unknown, status: string) => {
  const res = await call('POST', `/v1/recalls/${recallId}/${path}`, auth, body)
  expect(res.statusCode, res.body).toBe(202)
  await waitFor(async () => (await statusOf(recallId)) === status, { what: `${recallId} ${status}` })
  return res.json<{ id: string }>()
}

const open = async (recallId: string) => {
  const res = await call('POST', '/v1/recalls', t.firm, {
    recallId,
    product: { name: `Kettle ${recallId}`, category: 'consumer-product' },
    unitsAffected: 100,
    hazard: 'The lid may come off while boiling.',
    regions: ['210100'],
    producerName: 'Acme Kettles',
  })
  expect(res.statusCode, res.body).toBe(202)
  await waitFor(async () => (await statusOf(recallId)) === 'initiated', { what: `${recallId} opened` })
}

const envelope = (recallId: string, type: string, source: string, time: Date): Envelope => ({
  specversion: '1.0',
  id: `${type}-${recallId}`,
  source,
  type,
  subject: firm,
  time: time.toISOString(),
  dataversion: 1,
  data:
    type === 'recall.initiated'
      ? {
          recallId,
          product: { name: 'Heater H2', category: 'consumer-product' },
          unitsAffected: 50,
          hazard: 'Overheats.',
        }
      : { recallId },
})

/** The projection has read the whole recall topic: its group has no lag left. */
const caughtUp = (groupId: string) =>
  waitFor(async () => (await consumerLag(kafka, groupId, topics.recall)).lag === 0, {
    what: `${groupId} to have read the whole topic`,
  })

const runRules = async (): Promise<string[]> => {
  const res = await call('POST', '/v1/admin/rules:run', t.admin)
  expect(res.statusCode).toBe(200)
  return res.json<{ published: string[] }>().published
}

const [A, B, C, D] = ['A', 'B', 'C', 'D'].map((x) => `R${x}-${ns}`) as [string, string, string, string]
const overdueC = `overdue:${C}:submit-plan:1`
const overdueD = `overdue:${D}:submit-plan:1`

/** The ids of the records on the enterprise topic, read up to a marker written after them. */
const enterpriseIds = async () => {
  const marker = `marker-${Date.now()}`
  await producer.send([{ topic: topics.enterprise, key: firm, value: '{}', headers: { ce_id: marker } }])
  const seen = await readRecords(kafka, topics.enterprise, (s) =>
    s.some((m) => m.headers['ce_id'] === marker),
  )
  return seen.map((m) => m.headers['ce_id']).filter((id) => id !== marker)
}

it('rebuilds into a fresh collection, switches over, serves the same cases and goes on', async () => {
  // A: the whole lifecycle; B: a plan submitted; C: opened 30 days ago, overdue on projection;
  // D: opened a minute ago, its plan due in 10 working days.
  await open(A)
  await step(A, 'plan', t.firm, { remedy: 'repair' }, 'plan-submitted')
  await step(A, 'plan:accept', t.agency, undefined, 'plan-accepted')
  await step(A, 'notice', t.firm, { url: 'https://example.org/notice' }, 'in-progress')
  await step(A, 'completion', t.firm, { unitsRemedied: 100 }, 'completed')
  await step(A, 'summary', t.firm, {}, 'summary-submitted')
  await step(A, 'close', t.agency, { effective: true }, 'closed')
  await open(B)
  await step(B, 'plan', t.firm, { remedy: 'repair' }, 'plan-submitted')
  await produceRecallEvents(producer, topics, [
    envelope(C, 'recall.initiated', `firm:${firm}`, new Date(Date.now() - 30 * DAY)),
    // Out of order: rejected, with an outcome that must not be sent again.
    envelope(C, 'recall.plan-accepted', 'samr.ln', new Date(Date.now() - 29 * DAY)),
    envelope(D, 'recall.initiated', `firm:${firm}`, new Date(Date.now() - 60_000)),
  ])
  await caughtUp(`${ns}.recall.cases`)
  const urls = [
    ...[A, B, C, D].map((id) => `/v1/recalls/${id}`),
    `/v1/recalls?producer=${firm}`,
    `/v1/firms/${firm}/obligations`,
  ]
  const before = await Promise.all(urls.map(view))
  expect(before.map((v) => v.status)).toEqual(urls.map(() => 200))
  expect(await enterpriseIds()).toContain(overdueC)

  const lines: string[] = []
  const result = await rebuild(config, pino({ level: 'warn' }), (l) => lines.push(l))
  expect(result.events).toBe(12)
  expect(lines.some((l) => /100%/.test(l))).toBe(true)
  const db = mongo.db(config.MONGO_DB)
  expect(await db.collection('projection_pointer').findOne({})).toMatchObject({
    collection: result.collection,
    groupId: result.groupId,
  })
  // The live record equals what the rebuild derived at the same instant: nothing to hand over.
  expect(await switched(result.collection)).toMatchObject({ handed: 0 })
  expect(await db.collection(result.collection).countDocuments()).toBe(4)
  expect(await Promise.all(urls.map(view))).toEqual(before)
  expect(await runRules()).toEqual([])

  // Events after the switch are applied to the rebuilt collection.
  const late = await step(C, 'plan', t.firm, { remedy: 'repair' }, 'plan-submitted')
  const c = await db.collection(result.collection).findOne({ _id: C as never })
  expect((c?.['events'] as string[]).some((e) => e.includes(late.id))).toBe(true)

  const ids = await enterpriseIds()
  expect(ids.filter((id) => id === overdueC)).toHaveLength(1)
  expect(ids).toContain(`fulfilled:${C}:submit-plan:1`)
  expect(new Set(ids).size).toBe(ids.length)
  const outcomes = await readRecords(kafka, topics.outcomes, (s) =>
    s.some((m) => m.key === `firm:${firm}/${late.id}`),
  )
  const keys = outcomes.map((m) => m.key)
  expect(keys).toContain(`samr.ln/recall.plan-accepted-${C}`)
  expect(new Set(keys).size).toBe(keys.length)
})

it('a deadline the live service had not swept yet is published once by the first sweep after the switch', async () => {
  // The rebuild derives 30 days ahead: D's plan is overdue for it, though the live service never
  // published that; the rebuilt record says it did until the hand-over puts the live one in place.
  const result = await rebuild(
    config,
    pino({ level: 'warn' }),
    () => undefined,
    () => new Date(Date.now() + 30 * DAY),
  )
  expect(await switched(result.collection)).toMatchObject({ handed: 1 })
  const d = await mongo
    .db(config.MONGO_DB)
    .collection(result.collection)
    .findOne({ _id: D as never })
  expect(d?.['decisions']).not.toContain(overdueD)

  shiftMs = 30 * DAY
  try {
    const swept = await runRules()
    expect(swept).toContain(overdueD)
    expect(swept).not.toContain(overdueC)
    expect(await runRules()).toEqual([])
  } finally {
    shiftMs = 0
  }
  const ids = await enterpriseIds()
  expect(ids.filter((id) => id === overdueC)).toHaveLength(1)
  expect(ids.filter((id) => id === overdueD)).toHaveLength(1)
  expect(new Set(ids).size).toBe(ids.length)
})
