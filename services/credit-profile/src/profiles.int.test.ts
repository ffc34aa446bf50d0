import { toCloudEventRecord, topicNames, type Envelope } from '@ecrs/contracts'
import { LOCAL_DEV_SECRET, readConfig, signToken, type TokenClaims } from '@ecrs/http'
import { createKafka, createProducer, type Producer } from '@ecrs/kafka'
import { waitFor, randomUscc } from '@ecrs/testkit'
import { testInfra, uniqueName } from '@ecrs/testkit/vitest'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { configSchema } from './config.js'
import { start, type CreditProfileService } from './service.js'

const infra = testInfra()
const ns = uniqueName('cp')
const topics = topicNames(ns)
let svc: CreditProfileService
let producer: Producer

const token = (claims: Omit<TokenClaims, 'sub'>) => signToken({ sub: 't', ...claims }, LOCAL_DEV_SECRET, 600)
let seq = 0
const publish = async (
  subject: string,
  type: string,
  time: string,
  data: Record<string, unknown>,
  source = 'samr.ln',
) => {
  const e: Envelope = {
    specversion: '1.0',
    id: `${type}-${++seq}-${Date.now()}`,
    source,
    type,
    subject,
    time,
    dataversion: 1,
    data,
  }
  await producer.send([
    toCloudEventRecord(e, { topic: topics.enterprise, key: subject, recordedAt: new Date() }),
  ])
  return e
}
const get = async (url: string, auth?: string) =>
  svc.app.inject({ method: 'GET', url, headers: auth ? { authorization: `Bearer ${auth}` } : {} })

beforeAll(async () => {
  const config = readConfig(configSchema, {
    PORT: '0',
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    MONGO_URL: infra.mongoUrl,
    MONGO_DB: ns.replace(/[^A-Za-z0-9_]/g, '_'),
    TOPIC_NAMESPACE: ns,
    TOPIC_PARTITIONS: '2',
    RULES_INTERVAL_MS: '0',
  })
  svc = await start(config, pino({ level: 'warn' }))
  producer = await createProducer(
    createKafka({ brokers: infra.kafkaBrokers, clientId: 'cp-test', logger: pino({ level: 'silent' }) }),
    {
      logger: pino({ level: 'silent' }),
    },
  )
})

afterAll(async () => {
  await producer?.disconnect()
  await svc?.close()
})

describe('credit profiles', () => {
  const a = randomUscc()
  const other = randomUscc()
  let regulator: string

  beforeAll(async () => {
    regulator = await token({ role: 'regulator' })
    await publish(a, 'enterprise.registered', '2021-03-02T09:00:00+08:00', {
      name: '示例科技有限公司',
      registeredAt: '2021-03-02',
      region: '210102',
    })
    await publish(a, 'penalty.decided', '2024-08-01T10:00:00+08:00', {
      decisionNo: '沈市监罚〔2024〕7号',
      measures: ['fine'],
      domain: 'food',
      fineAmount: 200000,
    })
    await publish(other, 'enterprise.registered', '2020-01-02T09:00:00+08:00', {
      name: 'Other Co',
      registeredAt: '2020-01-02',
      region: '110105',
    })
    await waitFor(
      async () =>
        (await get(`/v1/enterprises/${a}`, regulator)).json<{ penalties?: unknown[] }>().penalties?.length ===
        1,
      {
        what: 'the profile to be projected',
      },
    )
  })

  it('gives regulators the full view with risk, and the system decides the missed annual reports', async () => {
    // Reports for 2021–2024 were never filed: the rules list each year (once published and projected).
    const admin = await token({ role: 'admin' })
    const run = await svc.app.inject({
      method: 'POST',
      url: '/v1/admin/rules:run',
      headers: { authorization: `Bearer ${admin}` },
    })
    expect(run.statusCode).toBe(200)
    // The projection publishes what is due as it projects; the run publishes what is left (here: nothing new).
    const published = run.json<{ published: string[] }>().published
    const full = await waitFor(
      async () => {
        const p = (await get(`/v1/enterprises/${a}`, regulator)).json<{
          abnormalListings: { listedBy: string; active: boolean; year?: number }[]
          risk: { class: string; factors: { code: string }[]; modelVersion: string }
          restrictions: { measure: string }[]
        }>()
        return p.abnormalListings.length >= 4 ? p : undefined
      },
      { what: 'system listings in the profile' },
    )
    expect(full.abnormalListings.every((l) => l.listedBy === 'ecrs.rules' && l.active)).toBe(true)
    expect(full.abnormalListings.map((l) => l.year)).toContain(2021)
    expect(full.risk.factors.map((f) => f.code)).toContain('abnormal-list-active')
    expect(full.risk.modelVersion).toBeTruthy()
    expect(full.restrictions.map((r) => r.measure)).toContain('government-procurement')
    // A second run publishes nothing new: decision ids are deterministic.
    const again = await svc.app.inject({
      method: 'POST',
      url: '/v1/admin/rules:run',
      headers: { authorization: `Bearer ${admin}` },
    })
    expect(again.json<{ published: string[] }>().published.filter((id) => published.includes(id))).toEqual([])
  })

  it('gives the public view without risk to anyone, and to a firm reading itself', async () => {
    const anon = await get(`/v1/enterprises/${a}`)
    expect(anon.statusCode).toBe(200)
    const body = anon.json<Record<string, unknown>>()
    expect(body).not.toHaveProperty('risk')
    expect(body['name']).toBe('示例科技有限公司')
    // The enterprise is listed (missed reports), so it has restrictions: only the firm itself sees them.
    expect(body).not.toHaveProperty('restrictions')
    expect(anon.body).not.toContain('government-procurement')
    const self = await get(`/v1/enterprises/${a}`, await token({ role: 'firm', uscc: a }))
    expect(self.json()).not.toHaveProperty('risk')
    expect(self.json<{ restrictions: { measure: string }[] }>().restrictions.map((r) => r.measure)).toContain(
      'government-procurement',
    )
    const otherFirm = await get(`/v1/enterprises/${a}`, await token({ role: 'firm', uscc: other }))
    expect(otherFirm.statusCode).toBe(200) // the public answer, never a 403
    expect(otherFirm.json()).not.toHaveProperty('restrictions')
  })

  it('answers as of a date, and 404 before registration', async () => {
    const early = await get(`/v1/enterprises/${a}?asOf=2024-07-01`, regulator)
    expect(early.statusCode).toBe(200)
    expect(early.json<{ penalties: unknown[] }>().penalties).toHaveLength(0)
    expect((await get(`/v1/enterprises/${a}?asOf=2020-01-01`, regulator)).statusCode).toBe(404)
    expect((await get(`/v1/enterprises/${a}?asOf=not-a-date`, regulator)).statusCode).toBe(400)
  })

  it('serves history and restrictions to the firm itself and regulators only', async () => {
    const own = await get(`/v1/enterprises/${a}/history`, await token({ role: 'firm', uscc: a }))
    expect(own.statusCode).toBe(200)
    expect(own.json<{ items: { type: string }[] }>().items.map((i) => i.type)).toContain(
      'enterprise.registered',
    )
    expect(
      (await get(`/v1/enterprises/${a}/history`, await token({ role: 'firm', uscc: other }))).statusCode,
    ).toBe(403)
    expect((await get(`/v1/enterprises/${a}/history`)).statusCode).toBe(401)
    expect((await get(`/v1/enterprises/${a}/restrictions`, regulator)).json()).toHaveProperty('restrictions')
  })

  it('rejects bad input: 400 USCC_INVALID, 404 unknown, 400 for operator injection and unknown parameters', async () => {
    expect((await get('/v1/enterprises/91350100M000100Y44', regulator)).json()).toMatchObject({
      statusCode: 400,
      code: 'USCC_INVALID',
    })
    expect((await get(`/v1/enterprises/${randomUscc()}`, regulator)).json()).toMatchObject({
      statusCode: 404,
      code: 'ENTERPRISE_NOT_FOUND',
    })
    expect((await get('/v1/enterprises?riskClass[$ne]=A', regulator)).statusCode).toBe(400)
    expect((await get('/v1/enterprises?riskClass=A&riskClass=B', regulator)).statusCode).toBe(400)
    expect((await get('/v1/enterprises?riskclass=A', regulator)).statusCode).toBe(400)
    expect((await get('/v1/enterprises?limit=0', regulator)).statusCode).toBe(400)
  })

  it('searches and counts for regulators; 401 without a token, 403 for a firm', async () => {
    expect((await get('/v1/enterprises')).statusCode).toBe(401)
    expect((await get('/v1/enterprises', await token({ role: 'firm', uscc: a }))).statusCode).toBe(403)
    const byRegion = await get('/v1/enterprises?region=2101&limit=100', regulator)
    expect(byRegion.statusCode).toBe(200)
    expect(byRegion.json<{ items: { uscc: string }[] }>().items.map((i) => i.uscc)).toEqual([a])
    const listed = await get('/v1/enterprises?listed=abnormal', regulator)
    expect(listed.json<{ items: { uscc: string }[] }>().items.map((i) => i.uscc)).toContain(a)
    const stats = (await get('/v1/stats', regulator)).json<{
      enterprises: number
      byRiskClass: Record<string, number>
    }>()
    expect(stats.enterprises).toBe(2)
    expect(Object.values(stats.byRiskClass).reduce((x, y) => x + y, 0)).toBe(2)
  })

  it('only admins run the rules', async () => {
    expect((await svc.app.inject({ method: 'POST', url: '/v1/admin/rules:run' })).statusCode).toBe(401)
    const r = await svc.app.inject({
      method: 'POST',
      url: '/v1/admin/rules:run',
      headers: { authorization: `Bearer ${regulator}` },
    })
    expect(r.statusCode).toBe(403)
  })
})
