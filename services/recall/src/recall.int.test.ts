import { toCloudEventRecord, topicNames } from '@ecrs/contracts'
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
} from './testing/harness.js'

const infra = testInfra()
const ns = uniqueName('rec')
const topics = topicNames(ns)
const firmUscc = randomUscc()
const R1 = `R1-${ns}`
const R4 = `R4-${ns}`
let recall: RecallService
let kafka: Kafka
let producer: Producer
const t: Record<'agency' | 'regulator' | 'admin' | 'firm' | 'other', string> = {} as never

beforeAll(async () => {
  ;({ service: recall } = await startRecall(infra, ns))
  kafka = kafkaClient(infra.kafkaBrokers)
  producer = await createProducer(kafka, { logger: pino({ level: 'silent' }) })
  t.agency = await token({ role: 'agency', agency: 'samr.ln' })
  t.regulator = await token({ role: 'regulator' })
  t.admin = await token({ role: 'admin' })
  t.firm = await token({ role: 'firm', uscc: firmUscc })
  t.other = await token({ role: 'firm', uscc: randomUscc() })
})

afterAll(async () => {
  await producer?.disconnect()
  await recall?.close()
})

const call = (method: 'GET' | 'POST', url: string, auth?: string, body?: unknown) =>
  recall.app.inject({
    method,
    url,
    headers: {
      ...(auth ? { authorization: `Bearer ${auth}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  })

interface CaseView {
  status: string
  unitsRemedied: number
  completionRate: number
  timeline: { id: string }[]
  obligations: { status: string; kind: string }[]
}
const caseOf = async (recallId: string) =>
  (await call('GET', `/v1/recalls/${recallId}`, t.regulator)).json<CaseView>()
const waitCase = (recallId: string, ok: (c: CaseView) => boolean) =>
  waitFor(
    async () => {
      const c = await caseOf(recallId)
      return ok(c) ? c : undefined
    },
    { what: `recall ${recallId}` },
  )
const step = async (recallId: string, path: string, auth: string, body: unknown, status: string) => {
  const res = await call('POST', `/v1/recalls/${recallId}/${path}`, auth, body)
  expect(res.statusCode, res.body).toBe(202)
  await waitCase(recallId, (c) => c.status === status)
  return res.json<{ id: string; source: string; type: string; status: string }>()
}

const opening = (recallId: string, name: string) => ({
  recallId,
  product: { name, category: 'consumer-product', model: `${name}-2025` },
  unitsAffected: 100,
  hazard: 'The lid may come off while boiling.',
  regions: ['210100'],
  producerName: 'Acme Kettles',
})

describe('a recall on time', () => {
  it('goes through every step by command; nothing is overdue on the enterprise topic', async () => {
    const opened = await call('POST', '/v1/recalls', t.firm, opening(R1, 'Kettle K1'))
    expect(opened.statusCode, opened.body).toBe(202)
    expect(opened.json()).toMatchObject({
      source: `firm:${firmUscc}`,
      type: 'recall.initiated',
      status: 'accepted',
    })
    await waitCase(R1, (c) => c.status === 'initiated')
    await step(R1, 'plan', t.firm, { remedy: 'repair' }, 'plan-submitted')
    await step(R1, 'plan:accept', t.agency, undefined, 'plan-accepted')
    await step(R1, 'notice', t.firm, { url: 'https://example.org/notice' }, 'in-progress')
    await call('POST', `/v1/recalls/${R1}/progress`, t.firm, { unitsRemedied: 40 })
    await waitCase(R1, (c) => c.unitsRemedied === 40)
    await step(R1, 'completion', t.firm, { unitsRemedied: 100 }, 'completed')
    await step(R1, 'summary', t.firm, {}, 'summary-submitted')
    const closed = await step(R1, 'close', t.agency, { effective: true }, 'closed')

    const c = await caseOf(R1)
    expect(c.completionRate).toBe(1)
    expect(c.timeline).toHaveLength(8)
    expect(c.obligations.every((o) => o.status === 'fulfilled')).toBe(true)

    const closedStatus = `status:samr.ln:${closed.id}`
    const seen = await readRecords(kafka, topics.enterprise, (s) =>
      s.some((m) => m.headers['ce_id'] === closedStatus),
    )
    const mine = seen.filter((m) => m.key === firmUscc)
    expect(
      mine.every((m) => m.headers['ce_source'] === 'ecrs.recall' && m.headers['ce_dataversion'] === '1'),
    ).toBe(true)
    expect(mine.filter((m) => m.headers['ce_type'] === 'recall.obligation-overdue')).toEqual([])
    expect(
      JSON.parse(mine.find((m) => m.headers['ce_id'] === closedStatus)!.value!.toString()),
    ).toMatchObject({
      recallId: R1,
      status: 'closed',
      published: true,
      ordered: false,
    })
    const outcomes = await readRecords(kafka, topics.outcomes, (s) =>
      s.some((m) => m.key === `samr.ln/${closed.id}`),
    )
    const o = outcomes.find((m) => m.key === `samr.ln/${closed.id}`)!
    expect(JSON.parse(o.value!.toString())).toMatchObject({ consumer: 'recall', status: 'applied' })
  })
})

describe('a step out of order', () => {
  it('is rejected with a reason on the outcomes topic and leaves the case as it was', async () => {
    const base = {
      source: `firm:${firmUscc}`,
      subject: firmUscc,
      specversion: '1.0',
      dataversion: 1,
    } as const
    const time = new Date(Date.now() - 60_000).toISOString()
    await produceRecallEvents(producer, topics, [
      { ...base, id: `init-${ns}`, type: 'recall.initiated', time, data: opening(R4, 'Kettle K4') },
      {
        ...base,
        source: 'samr.ln',
        id: `acc-${ns}`,
        type: 'recall.plan-accepted',
        time,
        data: { recallId: R4 },
      },
    ])
    const seen = await readRecords(kafka, topics.outcomes, (s) =>
      s.some((m) => m.key === `samr.ln/acc-${ns}`),
    )
    expect(JSON.parse(seen.find((m) => m.key === `samr.ln/acc-${ns}`)!.value!.toString())).toMatchObject({
      type: 'recall.plan-accepted',
      consumer: 'recall',
      status: 'rejected',
      reason: 'RECALL_TRANSITION_INVALID',
    })
    const c = await caseOf(R4)
    expect(c.status).toBe('initiated')
    expect(c.timeline.map((e) => e.id)).toEqual([`init-${ns}`])
  })

  it('409 RECALL_TRANSITION_INVALID for a command out of order, 403 for a firm taking an agency step', async () => {
    const res = await call('POST', `/v1/recalls/${R4}/plan:accept`, t.agency)
    expect(res.statusCode).toBe(409)
    expect(res.json()).toMatchObject({ code: 'RECALL_TRANSITION_INVALID' })
    expect((await call('POST', `/v1/recalls/${R4}/summary`, t.firm, {})).statusCode).toBe(409)
    expect((await call('POST', `/v1/recalls/${R4}/close`, t.firm, {})).statusCode).toBe(403)
    // Another firm may not read the unpublished case: 404, as its GET answers (contract §7).
    expect((await call('POST', `/v1/recalls/${R4}/plan`, t.other, { remedy: 'repair' })).statusCode).toBe(404)
    expect((await call('POST', '/v1/recalls', t.firm, opening(R4, 'Again'))).statusCode).toBe(409)
    expect((await call('POST', `/v1/recalls/R-none-${ns}/plan:accept`, t.agency)).statusCode).toBe(404)
    const bad = await call('POST', `/v1/recalls/${R4}/plan`, t.firm, { remedy: 'pray' })
    expect(bad.statusCode).toBe(400)
    expect(bad.json()).toMatchObject({ code: 'EVENT_INVALID', errors: [{ path: '/data/remedy' }] })
  })
})

describe('rights and queries', () => {
  const status = async (method: 'GET' | 'POST', url: string, auth?: string) =>
    (await call(method, url, auth)).statusCode

  it('GET /v1/recalls/{id}: full for supervisors and the producer, public shape or 404 for others', async () => {
    for (const who of [t.agency, t.regulator, t.firm]) {
      expect((await call('GET', `/v1/recalls/${R1}`, who)).json()).toHaveProperty('obligations')
      expect((await call('GET', `/v1/recalls/${R4}`, who)).statusCode).toBe(200)
    }
    for (const who of [t.other, undefined]) {
      const pub = await call('GET', `/v1/recalls/${R1}`, who)
      expect(pub.statusCode).toBe(200)
      expect(pub.json()).not.toHaveProperty('obligations')
      expect(pub.json()).toMatchObject({ recallId: R1, producer: { uscc: firmUscc, name: 'Acme Kettles' } })
      expect((await call('GET', `/v1/recalls/${R4}`, who)).json()).toMatchObject({ code: 'RECALL_NOT_FOUND' })
    }
    // An admin reads operations and event statuses only (contract §2), not even the public shape.
    expect(await status('GET', `/v1/recalls/${R1}`, t.admin)).toBe(403)
    expect(await status('GET', `/v1/recalls/${R4}`, t.admin)).toBe(403)
    expect(await status('GET', '/v1/public/recalls', t.admin)).toBe(403)
    expect(await status('GET', `/v1/recalls/${R1}`, 'not.a.token')).toBe(401)
    expect(await status('GET', `/v1/recalls/${R1}?x=1`, t.agency)).toBe(400)
  })

  it('GET /v1/firms/{uscc}/obligations: the firm, agencies, regulators', async () => {
    const url = `/v1/firms/${firmUscc}/obligations`
    const res = await call('GET', `${url}?status=open`, t.firm)
    expect(res.statusCode).toBe(200)
    expect(res.json<{ items: { recallId: string; status: string }[] }>().items).toEqual([
      expect.objectContaining({ recallId: R4, status: 'open', kind: 'submit-plan' }),
    ])
    expect(await status('GET', url, t.agency)).toBe(200)
    expect(await status('GET', url, t.regulator)).toBe(200)
    expect(await status('GET', url, t.other)).toBe(403)
    expect(await status('GET', url, t.admin)).toBe(403)
    expect(await status('GET', url)).toBe(401)
    expect(await status('GET', `${url}?status=bogus`, t.firm)).toBe(400)
    expect((await call('GET', '/v1/firms/91350100M000100Y44/obligations', t.agency)).json()).toMatchObject({
      code: 'USCC_INVALID',
    })
  })

  it('GET /v1/recalls: agencies and regulators, filters, cursor pages, strict query', async () => {
    const list = async (q: string) =>
      (await call('GET', `/v1/recalls?${q}`, t.regulator)).json<{
        items: { recallId: string }[]
        next?: string
      }>()
    expect((await list(`producer=${firmUscc}`)).items.map((c) => c.recallId)).toEqual([R1, R4])
    expect((await list(`producer=${firmUscc}&status=closed`)).items.map((c) => c.recallId)).toEqual([R1])
    expect((await list(`producer=${firmUscc}&region=210100`)).items).toHaveLength(2)
    const first = await list(`producer=${firmUscc}&limit=1`)
    expect(first.items.map((c) => c.recallId)).toEqual([R1])
    const second = await list(`producer=${firmUscc}&limit=1&cursor=${first.next}`)
    expect(second).toEqual({ items: [expect.objectContaining({ recallId: R4 })] })
    expect(await status('GET', '/v1/recalls', t.agency)).toBe(200)
    expect(await status('GET', '/v1/recalls', t.firm)).toBe(403)
    expect(await status('GET', '/v1/recalls', t.admin)).toBe(403)
    expect(await status('GET', '/v1/recalls')).toBe(401)
    for (const q of [
      'status=bogus',
      'limit=0',
      'limit=101',
      'foo=1',
      'region=21',
      'cursor=zzz',
      'status=a&status=b',
    ])
      expect(await status('GET', `/v1/recalls?${q}`, t.agency), q).toBe(400)
  })

  it('GET /v1/public/recalls: published cases only, by product, model, producer name or USCC', async () => {
    const search = async (q: string) =>
      (await call('GET', `/v1/public/recalls?q=${encodeURIComponent(q)}`))
        .json<{ items: { recallId: string }[] }>()
        .items.map((c) => c.recallId)
    for (const q of ['kettle k', 'K1-2025', 'ACME kett', firmUscc.toLowerCase()]) {
      expect(await search(q), q).toContain(R1)
      expect(await search(q), q).not.toContain(R4)
    }
    expect(await search('no such product anywhere')).toEqual([])
    expect(await status('GET', '/v1/public/recalls?bogus=1')).toBe(400)
  })

  it('POST /v1/admin/rules:run and the commands: who may', async () => {
    expect(await status('POST', '/v1/admin/rules:run')).toBe(401)
    for (const who of [t.agency, t.regulator, t.firm])
      expect(await status('POST', '/v1/admin/rules:run', who)).toBe(403)
    expect((await call('POST', '/v1/admin/rules:run', t.admin)).json()).toEqual({ published: [] })
    expect(await status('POST', `/v1/recalls/${R4}/plan`)).toBe(401)
    expect(await status('POST', `/v1/recalls/${R4}/plan`, t.regulator)).toBe(403)
    expect(await status('POST', `/v1/recalls/${R4}/plan`, t.admin)).toBe(403)
    expect(await status('POST', '/v1/recalls', t.regulator)).toBe(403)
  })

  it('serves the ops endpoints: readiness with Kafka and the store, the OpenAPI document', async () => {
    // Ready once its consumers have joined their groups (they start after the server listens).
    await waitFor(async () => (await call('GET', '/readyz')).statusCode === 200, { what: 'ready' })
    expect((await call('GET', '/readyz')).json()).toEqual({
      status: 'ready',
      checks: { kafka: true, store: true, consumers: true },
    })
    const doc = (await call('GET', '/openapi.json')).json<{ paths: Record<string, unknown> }>()
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/recalls/{recallId}/plan:accept',
        '/v1/admin/rules:run',
        '/v1/public/recalls',
      ]),
    )
  })

  it('dead-letters a record that is no CloudEvent', async () => {
    await producer.send([
      { topic: topics.recall, key: R4, value: 'not json', headers: { ce_id: `bad-${ns}` } },
    ])
    await readRecords(kafka, topics.deadLetter, (s) => s.some((m) => m.headers['ce_id'] === `bad-${ns}`))
  })
})

describe("the producer's name", () => {
  it('comes from the enterprise topic when the recall events give none; a back-dated change does not overwrite it', async () => {
    const uscc = randomUscc()
    const firm = await token({ role: 'firm', uscc })
    const R5 = `R5-${ns}`
    const enterprise = (id: string, type: string, time: string, data: Record<string, unknown>) =>
      toCloudEventRecord(
        { specversion: '1.0', dataversion: 1, source: 'samr.ln', subject: uscc, id, type, time, data },
        { topic: topics.enterprise, key: uscc, recordedAt: new Date() },
      )
    await producer.send([
      enterprise(`reg-${ns}`, 'enterprise.registered', '2020-01-02T00:00:00+08:00', {
        name: '北方水壶有限公司',
        registeredAt: '2020-01-02',
        region: '210100',
      }),
      enterprise(`chg-${ns}`, 'enterprise.changed', '2024-03-01T00:00:00+08:00', {
        name: 'Northern Kettles Ltd',
      }),
      enterprise(`old-${ns}`, 'enterprise.changed', '2021-05-01T00:00:00+08:00', { name: 'An Older Name' }),
    ])
    const { producerName: _none, ...unnamed } = opening(R5, 'Kettle K5')
    expect((await call('POST', '/v1/recalls', firm, unnamed)).statusCode).toBe(202)
    await waitCase(R5, (c) => c.status === 'initiated')
    const firmStep = async (path: string, body: unknown, status: string) => {
      expect((await call('POST', `/v1/recalls/${R5}/${path}`, firm, body)).statusCode).toBe(202)
      await waitCase(R5, (c) => c.status === status)
    }
    await firmStep('plan', { remedy: 'repair' }, 'plan-submitted')
    expect((await call('POST', `/v1/recalls/${R5}/plan:accept`, t.agency)).statusCode).toBe(202)
    await waitCase(R5, (c) => c.status === 'plan-accepted')
    await firmStep('notice', { url: 'https://example.org/k5' }, 'in-progress')

    const shown = await waitFor(
      async () => {
        const res = await call('GET', `/v1/recalls/${R5}`)
        const body = res.json<{ producer: { uscc: string; name?: string } }>()
        return body.producer.name === 'Northern Kettles Ltd' ? body : undefined
      },
      { what: 'the producer name in the public shape' },
    )
    expect(shown.producer).toEqual({ uscc, name: 'Northern Kettles Ltd' })
    const found = (await call('GET', '/v1/public/recalls?q=northern%20kettles')).json<{
      items: { recallId: string }[]
    }>()
    expect(found.items.map((i) => i.recallId)).toEqual([R5])
    const full = (await call('GET', `/v1/recalls/${R5}`, t.regulator)).json<{ producer: unknown }>()
    expect(full.producer).toEqual({ uscc, name: 'Northern Kettles Ltd' })
  })
})

describe('a command sent again with its own id', () => {
  it('answers 200 duplicate for the same content without publishing again, 409 EVENT_ID_CONFLICT for other content', async () => {
    const R6 = `R6-${ns}`
    const body = { ...opening(R6, 'Kettle K6'), id: `open-${R6}` }
    expect((await call('POST', '/v1/recalls', t.firm, body)).statusCode).toBe(202)
    await waitCase(R6, (c) => c.status === 'initiated')
    const again = await call('POST', '/v1/recalls', t.firm, body)
    expect(again.statusCode, again.body).toBe(200)
    expect(again.json()).toMatchObject({ id: `open-${R6}`, source: `firm:${firmUscc}`, duplicate: true })
    const other = await call('POST', '/v1/recalls', t.firm, { ...body, unitsAffected: 7 })
    expect(other.statusCode).toBe(409)
    expect(other.json()).toMatchObject({ code: 'EVENT_ID_CONFLICT' })

    const plan = { remedy: 'repair', id: `plan-${R6}` }
    expect((await call('POST', `/v1/recalls/${R6}/plan`, t.firm, plan)).statusCode).toBe(202)
    await waitCase(R6, (c) => c.status === 'plan-submitted')
    expect((await call('POST', `/v1/recalls/${R6}/plan`, t.firm, plan)).statusCode).toBe(200)
    // Published once each: the timeline holds the two steps, and the recall topic too.
    expect((await caseOf(R6)).timeline.map((e) => e.id)).toEqual([`open-${R6}`, `plan-${R6}`])
    const onTopic = await readRecords(kafka, topics.recall, (s) =>
      s.some((m) => m.headers['ce_id'] === `plan-${R6}`),
    )
    expect(onTopic.filter((m) => m.key === R6).map((m) => m.headers['ce_id'])).toEqual([
      `open-${R6}`,
      `plan-${R6}`,
    ])
  })
})
