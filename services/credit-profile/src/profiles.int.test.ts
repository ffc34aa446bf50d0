import { toCloudEventRecord, topicNames, type Envelope } from '@ecrs/contracts'
import { LOCAL_DEV_SECRET, signToken, type TokenClaims } from '@ecrs/http'
import { createKafka, createProducer, type Producer } from '@ecrs/kafka'
import { waitFor, randomUscc } from '@ecrs/testkit'
import { testInfra, uniqueName } from '@ecrs/testkit/vitest'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testConfig } from './testing/harness.js'
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
  const config = testConfig(infra, ns, {
    // Stats and search read right after a change: no cache (read-gate.test.ts tests the cache).
    READS_CACHE_MS: '0',
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

describe('bounds, roles and repairs (security review)', () => {
  const r = randomUscc()
  const foreign = randomUscc()
  const tokens = {} as Record<'regulator' | 'admin' | 'self' | 'otherFirm' | 'agency', string>
  const listing = (uscc: string) => ({ listingId: `L-${uscc}`, reason: 'unreachable-at-address' })
  type Restrictions = { restrictions: { measure: string; because: { id: string }[] }[] }

  beforeAll(async () => {
    tokens.regulator = await token({ role: 'regulator' })
    tokens.admin = await token({ role: 'admin' })
    tokens.agency = await token({ role: 'agency', agency: 'samr.ln' })
    tokens.self = await token({ role: 'firm', uscc: r })
    tokens.otherFirm = await token({ role: 'firm', uscc: foreign })
    // Two enterprises, each listed by samr.ln and applying for repair; samr.ln approves r's, while
    // another agency "approves" foreign's (contract §4.1: not its listing, NOT_DECIDING_AGENCY).
    for (const [uscc, decider] of [
      [r, 'samr.ln'],
      [foreign, 'samr.dl'],
    ] as const) {
      await publish(uscc, 'enterprise.registered', '2025-01-02T09:00:00+08:00', {
        name: `Repair ${uscc}`,
        registeredAt: '2025-01-02',
        region: '210203',
      })
      await publish(uscc, 'annual-report.filed', '2026-03-01T10:00:00+08:00', { year: 2025 }, `firm:${uscc}`)
      await publish(uscc, 'abnormal-list.entered', '2026-03-10T10:00:00+08:00', listing(uscc))
      await publish(
        uscc,
        'credit-repair.applied',
        '2026-04-01T10:00:00+08:00',
        { repairId: `R-${uscc}`, target: { kind: 'abnormal-listing', ref: `L-${uscc}` } },
        `firm:${uscc}`,
      )
      await publish(
        uscc,
        'credit-repair.decided',
        '2026-05-01T10:00:00+08:00',
        { repairId: `R-${uscc}`, decision: 'approved' },
        decider,
      )
    }
    for (const uscc of [r, foreign]) {
      await waitFor(
        async () => {
          const h = await get(`/v1/enterprises/${uscc}/history`, tokens.regulator)
          const types = h.statusCode === 200 ? h.json<{ items: { type: string }[] }>().items : []
          return types.some((i) => i.type === 'credit-repair.applied') || undefined
        },
        { what: `the repair history of ${uscc} projected` },
      )
    }
    // The decision is the last event of each history: wait until it was judged either way.
    await waitFor(
      async () => {
        const listings = await Promise.all(
          [r, foreign].map(async (uscc) => {
            const p = (await get(`/v1/enterprises/${uscc}`, tokens.regulator)).json<{
              abnormalListings?: { active: boolean }[]
            }>()
            return p.abnormalListings?.[0]?.active
          }),
        )
        return (listings[0] === false && listings[1] === true) || undefined
      },
      { what: 'the approved repair to take effect' },
    )
  })

  it('refuses asOf before 1949-10-01 or more than ten years ahead, on the profile and restrictions', async () => {
    for (const asOf of ['4000-01-01', '1949-09-30', '1900-01-01T00:00:00Z', '9999-12-31']) {
      for (const [path, auth] of [
        [`/v1/enterprises/${r}?asOf=${asOf}`, undefined],
        [`/v1/enterprises/${r}?asOf=${asOf}`, tokens.regulator],
        [`/v1/enterprises/${r}/restrictions?asOf=${asOf}`, tokens.regulator],
        [`/v1/enterprises/${r}/restrictions?asOf=${asOf}`, tokens.self],
      ] as const) {
        const res = await get(path, auth)
        expect(res.json(), `${path}`).toMatchObject({ statusCode: 400, code: 'QUERY_INVALID' })
      }
    }
    const now = new Date()
    const limit = `${now.getUTCFullYear() + 10}-01-01`
    const far = await get(`/v1/enterprises/${r}?asOf=${limit}`, tokens.regulator)
    expect(far.statusCode).toBe(200)
    // Years owed from registration (2025) to the last one whose window opened: bounded by the asOf bound.
    const rows = far.json<{ annualReports: unknown[] }>().annualReports.length
    expect(rows).toBe(now.getUTCFullYear() + 10 - 1 - 2025 + 1)
    expect((await get(`/v1/enterprises/${r}?asOf=1949-10-01`, tokens.regulator)).statusCode).toBe(404)
  })

  it('documents the asOf bounds in /openapi.json', async () => {
    const doc = (await get('/openapi.json')).json<{
      paths: Record<
        string,
        { get: { parameters: { name: string; description?: string; schema: unknown }[] } }
      >
    }>()
    for (const path of ['/v1/enterprises/{uscc}', '/v1/enterprises/{uscc}/restrictions']) {
      const asOf = doc.paths[path]?.get.parameters.find((p) => p.name === 'asOf')
      expect(asOf?.description).toContain('1949-10-01')
      expect(asOf?.description).toContain('ten years from now')
      expect(JSON.stringify(asOf?.schema)).toContain('"formatMinimum":"1949-10-01"')
    }
  })

  it('refuses unknown query parameters on every endpoint', async () => {
    for (const path of [
      `/v1/enterprises/${r}?asof=2026-01-01`,
      `/v1/enterprises/${r}/restrictions?limit=1`,
      `/v1/enterprises/${r}/history?asOf=2026-01-01`,
      `/v1/enterprises?regionPrefix=21`,
      '/v1/stats?riskClass=A',
      `/v1/enterprises/${r}?asOf[$gt]=2026-01-01`,
      `/v1/enterprises/${r}?asOf=2026-01-01&asOf=2026-02-01`,
    ]) {
      expect((await get(path, tokens.regulator)).json(), path).toMatchObject({
        statusCode: 400,
        code: 'QUERY_INVALID',
      })
    }
  })

  it('gives admins the operations endpoints only: profiles, history, restrictions, search, stats → 403', async () => {
    for (const path of [
      `/v1/enterprises/${r}`,
      `/v1/enterprises/${r}?asOf=2026-06-01`,
      `/v1/enterprises/${r}/history`,
      `/v1/enterprises/${r}/restrictions`,
      '/v1/enterprises',
      '/v1/stats',
    ]) {
      expect((await get(path, tokens.admin)).statusCode, path).toBe(403)
    }
  })

  it('keeps restrictions from the public and other firms; the firm itself and regulators see them', async () => {
    const at = '?asOf=2026-04-15' // listed, repair not yet decided
    const measures = (res: { json: () => unknown }) =>
      (res.json() as Restrictions).restrictions.map((x) => x.measure)
    for (const auth of [undefined, tokens.otherFirm]) {
      const res = await get(`/v1/enterprises/${r}${at}`, auth)
      expect(res.statusCode).toBe(200)
      expect(res.json()).not.toHaveProperty('restrictions')
      expect(res.json()).not.toHaveProperty('risk')
      expect(res.body).not.toContain('government-procurement')
    }
    expect((await get(`/v1/enterprises/${r}/restrictions${at}`)).statusCode).toBe(401)
    expect((await get(`/v1/enterprises/${r}/history`)).statusCode).toBe(401)
    expect((await get(`/v1/enterprises/${r}/restrictions${at}`, tokens.otherFirm)).statusCode).toBe(403)
    expect((await get(`/v1/enterprises/${r}/history`, tokens.otherFirm)).statusCode).toBe(403)
    const self = await get(`/v1/enterprises/${r}${at}`, tokens.self)
    expect(self.json()).not.toHaveProperty('risk')
    expect(measures(self)).toContain('government-procurement')
    expect(measures(await get(`/v1/enterprises/${r}/restrictions${at}`, tokens.self))).toHaveLength(5)
    expect(measures(await get(`/v1/enterprises/${r}/restrictions${at}`, tokens.regulator))).toHaveLength(5)
    expect(measures(await get(`/v1/enterprises/${r}/restrictions${at}`, tokens.agency))).toHaveLength(5)
  })

  it('drops the restrictions of a listing the repair removed, at any asOf after the repair', async () => {
    for (const asOf of ['2026-05-01T10:00:00+08:00', '2026-06-01', '']) {
      const q = asOf === '' ? '' : `?asOf=${encodeURIComponent(asOf)}`
      for (const auth of [tokens.regulator, tokens.self]) {
        const res = await get(`/v1/enterprises/${r}/restrictions${q}`, auth)
        expect(res.json<Restrictions>(), `restrictions${q}`).toEqual({ restrictions: [] })
        const profile = (await get(`/v1/enterprises/${r}${q}`, auth)).json<Restrictions>()
        expect(profile.restrictions).toEqual([])
      }
      const full = (await get(`/v1/enterprises/${r}${q}`, tokens.regulator)).json<{
        abnormalListings: { active: boolean; removalReason?: string }[]
      }>()
      expect(full.abnormalListings).toEqual([
        expect.objectContaining({ active: false, removalReason: 'credit-repair' }),
      ])
    }
  })

  it('keeps a listing whose repair another agency approved (NOT_DECIDING_AGENCY)', async () => {
    const res = await get(`/v1/enterprises/${foreign}/restrictions?asOf=2026-06-01`, tokens.regulator)
    expect(res.json<Restrictions>().restrictions).toHaveLength(5)
    const history = (await get(`/v1/enterprises/${foreign}/history`, tokens.regulator)).json<{
      items: { type: string }[]
    }>()
    expect(history.items.map((i) => i.type)).not.toContain('credit-repair.decided')
  })

  it('counts and finds what the profiles say (search and stats from the maintained summaries)', async () => {
    const stats = (await get('/v1/stats', tokens.regulator)).json<{
      enterprises: number
      abnormalActive: number
      byRiskClass: Record<string, number>
    }>()
    expect(stats.enterprises).toBe(4)
    expect(Object.values(stats.byRiskClass).reduce((x, y) => x + y, 0)).toBe(4)
    const listed = await get('/v1/enterprises?listed=abnormal&region=2102', tokens.regulator)
    expect(listed.json<{ items: { uscc: string }[] }>().items.map((i) => i.uscc)).toEqual([foreign])
    const page = await get('/v1/enterprises?region=2102&limit=1', tokens.regulator)
    const first = page.json<{ items: { uscc: string }[]; next?: string }>()
    expect(first.items).toHaveLength(1)
    const second = await get(
      `/v1/enterprises?region=2102&limit=1&cursor=${first.next ?? ''}`,
      tokens.regulator,
    )
    expect(
      [...first.items, ...second.json<{ items: { uscc: string }[] }>().items].map((i) => i.uscc).sort(),
    ).toEqual([r, foreign].sort())
  })
})
