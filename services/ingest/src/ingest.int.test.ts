import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { topicNames } from '@ecrs/contracts'
import { createProducer, type Kafka } from '@ecrs/kafka'
import { LocalKafka, silentProgress, waitFor } from '@ecrs/testkit'
import { testInfra, uniqueName } from '@ecrs/testkit/vitest'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { IngestService } from './service.js'
import { kafkaClient, randomUscc, readRecords, startIngest, token } from './testing/harness.js'

const infra = testInfra()
const ns = uniqueName('ing')
const topics = topicNames(ns)
let ingest: IngestService
let kafka: Kafka
let agency: string
let firm: string
let firmUscc: string

beforeAll(async () => {
  ;({ service: ingest } = await startIngest(infra, ns))
  kafka = kafkaClient(infra.kafkaBrokers)
  agency = await token({ role: 'agency', agency: 'samr.ln' })
  firmUscc = randomUscc()
  firm = await token({ role: 'firm', uscc: firmUscc })
})

afterAll(async () => {
  await ingest?.close()
})

let seq = 0
const nextId = (p = 'e') => `${p}-${Date.now().toString(36)}-${++seq}`

const penalty = (over: Record<string, unknown> = {}, data: Record<string, unknown> = {}) => ({
  specversion: '1.0',
  id: nextId('pen'),
  source: 'samr.ln',
  type: 'penalty.decided',
  subject: randomUscc(),
  time: '2025-03-01T10:00:00+08:00',
  data: { decisionNo: `D-${seq}`, measures: ['fine'], domain: 'food', fineAmount: 5000, ...data },
  ...over,
})

const post = (body: unknown, auth?: string, headers: Record<string, string> = {}) =>
  ingest.app.inject({
    method: 'POST',
    url: '/v1/events',
    headers: {
      'content-type': 'application/json',
      ...(auth ? { authorization: `Bearer ${auth}` } : {}),
      ...headers,
    },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  })

const recordsFor = (topic: string, ids: string[]) =>
  readRecords(kafka, topic, (seen) => ids.every((id) => seen.some((m) => m.headers['ce_id'] === id)))

describe('POST /v1/events', () => {
  it('202: accepted once durable, as a CloudEvents binary-mode record keyed by the subject', async () => {
    const e = penalty()
    const res = await post(e, agency, { 'x-correlation-id': 'corr-123' })
    expect(res.statusCode).toBe(202)
    const body = res.json<{ id: string; source: string; status: string; recordedAt: string }>()
    expect(body).toMatchObject({ id: e.id, source: 'samr.ln', status: 'accepted' })
    expect(Date.parse(body.recordedAt)).not.toBeNaN()

    const [rec] = (await recordsFor(topics.enterprise, [e.id])).filter((m) => m.headers['ce_id'] === e.id)
    expect(rec!.key).toBe(e.subject)
    expect(rec!.headers).toMatchObject({
      ce_specversion: '1.0',
      ce_id: e.id,
      ce_source: 'samr.ln',
      ce_type: 'penalty.decided',
      ce_subject: e.subject,
      ce_time: e.time,
      ce_dataversion: '1',
      ce_recordedat: body.recordedAt,
      'correlation-id': 'corr-123',
    })
    // The value is the normalized data: defaults of the schema applied (procedure: ordinary).
    expect(JSON.parse(rec!.value!.toString())).toEqual({ ...e.data, procedure: 'ordinary' })
  })

  it('200 duplicate for identical content (any key order), and nothing is published twice', async () => {
    const e = penalty()
    const first = await post(e, agency)
    expect(first.statusCode).toBe(202)
    const reordered = Object.fromEntries(Object.entries(e).reverse())
    const again = await post({ ...reordered, specversion: undefined }, agency)
    expect(again.statusCode).toBe(200)
    expect(again.json()).toEqual({ ...first.json(), duplicate: true })
    const marker = penalty()
    expect((await post(marker, agency)).statusCode).toBe(202)
    const seen = await recordsFor(topics.enterprise, [e.id, marker.id])
    expect(seen.filter((m) => m.headers['ce_id'] === e.id)).toHaveLength(1)
  })

  it('409 EVENT_ID_CONFLICT for the same (source, id) with other content', async () => {
    const e = penalty()
    expect((await post(e, agency)).statusCode).toBe(202)
    const res = await post({ ...e, data: { ...e.data, fineAmount: 6000 } }, agency)
    expect(res.statusCode).toBe(409)
    expect(res.json()).toMatchObject({ statusCode: 409, code: 'EVENT_ID_CONFLICT', error: 'Conflict' })
  })

  it.each([
    ['a bad USCC', { subject: '91350100M000100Y44' }, {}, '/subject'],
    ['a missing required field', {}, { decisionNo: undefined }, '/data/decisionNo'],
    ['a wrong enum', {}, { domain: 'tobacco' }, '/data/domain'],
    ['a fine without an amount', {}, { fineAmount: undefined }, '/data/fineAmount'],
    ['a time in the future', { time: new Date(Date.now() + 3_600_000).toISOString() }, {}, '/time'],
    ['a NUL character in data', {}, { legalBasis: 'a\u0000b' }, '/data/legalBasis'],
    ['a $ key in data', {}, { $where: 'x' }, '/data/$where'],
    ['a bad id', { id: 'has space' }, {}, '/id'],
  ])('400 EVENT_INVALID for %s, with the JSON pointer of the error', async (_what, over, data, path) => {
    const res = await post(penalty(over, data), agency)
    expect(res.statusCode).toBe(400)
    const body = res.json<{ code: string; errors: { path: string }[] }>()
    expect(body.code).toBe('EVENT_INVALID')
    expect(body.errors.map((e) => e.path)).toContain(path)
  })

  it('400 EVENT_INVALID for malformed JSON', async () => {
    const res = await post('{"id": ', agency)
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ code: 'EVENT_INVALID', errors: [{ path: '' }] })
  })

  it('400 EVENT_TYPE_UNKNOWN for an unknown type, before schema errors', async () => {
    const res = await post(penalty({ type: 'penalty.invented', subject: 'bad' }), agency)
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ code: 'EVENT_TYPE_UNKNOWN' })
  })

  it('401 without a token, with a bad token, with an expired one', async () => {
    expect((await post(penalty())).statusCode).toBe(401)
    expect((await post(penalty(), 'not.a.token')).statusCode).toBe(401)
    expect((await post(penalty(), await token({ role: 'agency', agency: 'samr.ln' }, -10))).statusCode).toBe(
      401,
    )
  })

  it.each([
    [
      'an agency publishing as another source',
      () => token({ role: 'agency', agency: 'samr.bj' }),
      () => penalty(),
    ],
    [
      'an agency publishing as ecrs.rules',
      () => Promise.resolve(agency),
      () => penalty({ source: 'ecrs.rules' }),
    ],
    ['a regulator', () => token({ role: 'regulator' }), () => penalty()],
    ['an admin', () => token({ role: 'admin' }), () => penalty()],
    [
      'a firm publishing an agency type',
      () => Promise.resolve(firm),
      () => penalty({ source: `firm:${firmUscc}`, subject: firmUscc }),
    ],
    [
      'a firm reporting about another firm',
      () => Promise.resolve(firm),
      () => ({
        id: nextId(),
        source: `firm:${firmUscc}`,
        type: 'annual-report.filed',
        subject: randomUscc(),
        time: '2025-03-01T10:00:00+08:00',
        data: { year: 2024 },
      }),
    ],
  ])('403 for %s', async (_what, who, event) => {
    const res = await post(event(), await who())
    expect(res.statusCode).toBe(403)
    expect(res.json()).toMatchObject({ statusCode: 403, code: 'FORBIDDEN' })
  })

  it('202 for a firm filing its own annual report', async () => {
    const e = {
      id: nextId(),
      source: `firm:${firmUscc}`,
      type: 'annual-report.filed',
      subject: firmUscc,
      time: '2025-03-01T10:00:00+08:00',
      data: { year: 2024 },
    }
    expect((await post(e, firm)).statusCode).toBe(202)
  })

  it('413 for a body over 256 KiB, checked before the JSON and the rights', async () => {
    const big = penalty({}, { legalBasis: 'x'.repeat(300 * 1024) })
    expect((await post(big, agency)).statusCode).toBe(413)
    expect((await post(big)).statusCode).toBe(401) // 401 comes first
    expect((await post('{' + ' '.repeat(300 * 1024), agency)).statusCode).toBe(413)
  })

  it('sends recall events to the recall topic keyed by recallId', async () => {
    const recallId = nextId('rc')
    const e = {
      id: nextId(),
      source: `firm:${firmUscc}`,
      type: 'recall.initiated',
      subject: firmUscc,
      time: '2025-03-01T10:00:00+08:00',
      data: {
        recallId,
        product: { name: 'Kettle', category: 'consumer-product' },
        unitsAffected: 100,
        hazard: 'burns',
      },
    }
    expect((await post(e, firm)).statusCode).toBe(202)
    const [rec] = (await recordsFor(topics.recall, [e.id])).filter((m) => m.headers['ce_id'] === e.id)
    expect(rec!.key).toBe(recallId)
  })

  it('racing identical twins: one 202, the others 200 duplicate, one record', async () => {
    const e = penalty()
    const answers = await Promise.all(Array.from({ length: 8 }, () => post(e, agency)))
    const codes = answers.map((a) => a.statusCode).sort()
    expect(codes).toEqual([200, 200, 200, 200, 200, 200, 200, 202])
    const marker = penalty()
    await post(marker, agency)
    const seen = await recordsFor(topics.enterprise, [e.id, marker.id])
    expect(seen.filter((m) => m.headers['ce_id'] === e.id)).toHaveLength(1)
  })
})

describe('POST /v1/events:batch', () => {
  const batch = (payload: string, contentType: string, auth = agency) =>
    ingest.app.inject({
      method: 'POST',
      url: '/v1/events:batch',
      headers: { 'content-type': contentType, authorization: `Bearer ${auth}` },
      payload,
    })

  it('judges each item alone: valid ones accepted in order, invalid ones rejected with reasons', async () => {
    const subject = randomUscc()
    const a = penalty({ subject })
    const b = penalty({ subject }, { domain: 'nope' })
    const c = penalty({ subject })
    const d = { ...penalty({ subject }), type: 'x.unknown' }
    const big = penalty({ subject }, { legalBasis: 'y'.repeat(260 * 1024) })
    const res = await batch(JSON.stringify({ events: [a, b, c, d, a, big] }), 'application/json')
    expect(res.statusCode).toBe(200)
    const { results } = res.json<{
      results: { index: number; status: string; code?: string; id?: string }[]
    }>()
    expect(results.map((r) => [r.index, r.status, r.code])).toEqual([
      [0, 'accepted', undefined],
      [1, 'rejected', 'EVENT_INVALID'],
      [2, 'accepted', undefined],
      [3, 'rejected', 'EVENT_TYPE_UNKNOWN'],
      [4, 'duplicate', undefined],
      [5, 'rejected', 'EVENT_TOO_LARGE'],
    ])
    const seen = await recordsFor(topics.enterprise, [a.id, c.id])
    const order = seen.filter((m) => m.key === subject).map((m) => m.headers['ce_id'])
    expect(order).toEqual([a.id, c.id])
  })

  it('takes NDJSON, with a malformed line rejected alone', async () => {
    const a = penalty()
    const b = penalty()
    const res = await batch(`${JSON.stringify(a)}\n{not json\n${JSON.stringify(b)}\n`, 'application/x-ndjson')
    expect(res.statusCode).toBe(200)
    expect(res.json<{ results: { status: string; code?: string }[] }>().results.map((r) => r.status)).toEqual(
      ['accepted', 'rejected', 'accepted'],
    )
  })

  it('takes the CloudEvents structured media types: one envelope, and a batch as a JSON array', async () => {
    const one = penalty()
    const single = await post(JSON.stringify(one), agency, { 'content-type': 'application/cloudevents+json' })
    expect(single.statusCode, single.body).toBe(202)
    const a = penalty()
    const res = await batch(JSON.stringify([a, { nope: true }]), 'application/cloudevents-batch+json')
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json<{ results: { status: string }[] }>().results.map((r) => r.status)).toEqual([
      'accepted',
      'rejected',
    ])
  })

  it('accepts a full batch near 10 MiB: the records go to Kafka in requests under the broker limit', async () => {
    // 1000 events of ~9.5 KiB: one produce request would be refused by the broker (1 MiB per
    // partition batch by default), so the producer splits it and answers once every part is acked.
    const events = Array.from({ length: 1000 }, () => penalty({}, { narrative: 'z'.repeat(9500) }))
    const payload = JSON.stringify({ events })
    expect(payload.length).toBeGreaterThan(9 * 2 ** 20)
    const res = await batch(payload, 'application/json')
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200)
    const { results } = res.json<{ results: { status: string }[] }>()
    expect(results.filter((r) => r.status !== 'accepted').slice(0, 2)).toEqual([])
    expect(results.filter((r) => r.status === 'accepted')).toHaveLength(1000)
    const ids = events.map((e) => e.id)
    const seen = await readRecords(
      kafka,
      topics.enterprise,
      (s) => ids.every((id) => s.some((m) => m.headers['ce_id'] === id)),
      120_000,
    )
    expect(new Set(seen.map((m) => m.headers['ce_id']).filter((id) => ids.includes(id!))).size).toBe(1000)
  })

  it('413 over 1000 events', async () => {
    const events = Array.from({ length: 1001 }, () => ({ id: 'x' }))
    expect((await batch(JSON.stringify({ events }), 'application/json')).statusCode).toBe(413)
  })

  it('403 for a regulator, 401 without a token', async () => {
    expect(
      (await batch(JSON.stringify({ events: [] }), 'application/json', await token({ role: 'regulator' })))
        .statusCode,
    ).toBe(403)
    const res = await ingest.app.inject({ method: 'POST', url: '/v1/events:batch', payload: { events: [] } })
    expect(res.statusCode).toBe(401)
  })
})

describe('GET /v1/events/{source}/{id}', () => {
  const status = async (source: string, id: string, auth: string) =>
    ingest.app.inject({
      method: 'GET',
      url: `/v1/events/${encodeURIComponent(source)}/${id}`,
      headers: { authorization: `Bearer ${auth}` },
    })

  it('accepted, then applied or rejected as the consumers report; an outcome can change', async () => {
    const e = penalty()
    await post(e, agency)
    const first = await status('samr.ln', e.id, agency)
    expect(first.statusCode).toBe(200)
    expect(first.json()).toMatchObject({ status: 'accepted', outcomes: [] })

    const producer = await createProducer(kafka, { logger: pino({ level: 'silent' }) })
    const outcome = (s: string, reason?: string) => ({
      topic: topics.outcomes,
      key: `samr.ln/${e.id}`,
      value: JSON.stringify({
        source: 'samr.ln',
        id: e.id,
        type: e.type,
        consumer: 'credit-profile',
        status: s,
        at: new Date().toISOString(),
        ...(reason ? { reason } : {}),
      }),
    })
    await producer.send([outcome('rejected', 'DUPLICATE_ENTITY')])
    await waitFor(
      async () => (await status('samr.ln', e.id, agency)).json<{ status: string }>().status === 'rejected',
      { what: 'rejected' },
    )
    expect((await status('samr.ln', e.id, agency)).json()).toMatchObject({
      outcomes: [{ consumer: 'credit-profile', status: 'rejected', reason: 'DUPLICATE_ENTITY' }],
    })
    await producer.send([outcome('applied')])
    await waitFor(
      async () => (await status('samr.ln', e.id, agency)).json<{ status: string }>().status === 'applied',
      { what: 'applied' },
    )
    await producer.disconnect()
  })

  it('by the rights of §2: 403 for another agency or firm, 200 for a regulator, 404 when unknown', async () => {
    const e = penalty()
    await post(e, agency)
    expect(
      (await status('samr.ln', e.id, await token({ role: 'agency', agency: 'samr.bj' }))).statusCode,
    ).toBe(403)
    expect((await status('samr.ln', e.id, firm)).statusCode).toBe(403)
    expect((await status('samr.ln', e.id, await token({ role: 'regulator' }))).statusCode).toBe(200)
    expect((await status('samr.ln', e.id, await token({ role: 'admin' }))).statusCode).toBe(200)
    expect((await status('samr.ln', 'never-sent', agency)).statusCode).toBe(404)
    const anon = await ingest.app.inject({ method: 'GET', url: `/v1/events/samr.ln/${e.id}` })
    expect(anon.statusCode).toBe(401)
  })
})

describe('schemas', () => {
  it('serves the catalogue, each schema and the AsyncAPI document without a token', async () => {
    const list = await ingest.app.inject({ method: 'GET', url: '/v1/schemas' })
    expect(list.statusCode).toBe(200)
    const types = list.json<{ items: { type: string }[] }>().items.map((i) => i.type)
    expect(types).toContain('penalty.decided')
    expect(types).toContain('recall.closed')
    expect((await ingest.app.inject({ method: 'GET', url: '/v1/schemas/penalty.decided' })).statusCode).toBe(
      200,
    )
    expect((await ingest.app.inject({ method: 'GET', url: '/v1/schemas/nope.nope' })).statusCode).toBe(404)
    const asyncapi = (await ingest.app.inject({ method: 'GET', url: '/asyncapi.json' })).json<{
      asyncapi: string
    }>()
    expect(asyncapi.asyncapi).toMatch(/^3\./)
  })
})

describe('rate limit', () => {
  it('429 with Retry-After once a principal exhausts its bucket', async () => {
    const { service } = await startIngest(infra, uniqueName('ingrl'), {
      RATE_LIMIT_BURST: '2',
      RATE_LIMIT_PER_SECOND: '0.01',
    })
    try {
      const codes: number[] = []
      let retryAfter: string | undefined
      for (let i = 0; i < 3; i++) {
        const res = await service.app.inject({
          method: 'POST',
          url: '/v1/events',
          headers: { authorization: `Bearer ${agency}`, 'content-type': 'application/json' },
          payload: JSON.stringify(penalty()),
        })
        codes.push(res.statusCode)
        retryAfter ??= res.headers['retry-after']
      }
      expect(codes).toEqual([202, 202, 429])
      expect(Number(retryAfter)).toBeGreaterThan(0)
    } finally {
      await service.close()
    }
  })
})

describe('when Kafka is down', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecrs-ingest-kafka-'))
  const broker = new LocalKafka({ dataDir: dir, progress: silentProgress })
  afterAll(async () => {
    await broker.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('503 with Retry-After and nothing recorded; the same id is accepted once it is back', async () => {
    await broker.start()
    const ns2 = uniqueName('ingdown')
    const { service } = await startIngest(
      { kafkaBrokers: broker.brokers, mongoUrl: infra.mongoUrl },
      ns2,
      { PRODUCE_TIMEOUT_MS: '1500' },
      pino({ level: 'silent' }),
    )
    try {
      const send = (e: unknown) =>
        service.app.inject({
          method: 'POST',
          url: '/v1/events',
          headers: { authorization: `Bearer ${agency}`, 'content-type': 'application/json' },
          payload: JSON.stringify(e),
        })
      expect((await send(penalty())).statusCode).toBe(202)
      await broker.stop()
      const e = penalty()
      const down = await send(e)
      expect(down.statusCode).toBe(503)
      expect(down.headers['retry-after']).toBe('5')
      expect(down.json()).toMatchObject({ statusCode: 503, code: 'KAFKA_UNAVAILABLE' })
      const status = await service.app.inject({
        method: 'GET',
        url: `/v1/events/samr.ln/${e.id}`,
        headers: { authorization: `Bearer ${agency}` },
      })
      expect(status.statusCode).toBe(404)

      await broker.start()
      const back = await waitFor(
        async () => {
          const r = await send(e)
          return r.statusCode === 503 ? undefined : r
        },
        { what: 'ingest to accept again', timeoutMs: 60_000, intervalMs: 500 },
      )
      expect(back.statusCode).toBe(202)
      const marker = penalty()
      expect((await send(marker)).statusCode).toBe(202)
      const seen = await readRecords(kafkaClient(broker.brokers), topicNames(ns2).enterprise, (ms) =>
        ms.some((m) => m.headers['ce_id'] === marker.id),
      )
      expect(seen.filter((m) => m.headers['ce_id'] === e.id)).toHaveLength(1)
    } finally {
      await service.close()
    }
  })
})
