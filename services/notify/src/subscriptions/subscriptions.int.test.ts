import { createApp, LOCAL_DEV_SECRET, signToken, type App, type TokenClaims } from '@ecrs/http'
import { connectStore, type Store } from '@ecrs/store'
import { randomUscc, waitFor } from '@ecrs/testkit'
import { testInfra, uniqueName } from '@ecrs/testkit/vitest'
import { pino } from 'pino'
import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dispatcher, type Dispatcher } from '../delivery/dispatcher.js'
import { feedEntry, listed, receiver, type Receiver } from '../delivery/testing/receiver.js'
import { urlGuard, type ResolvedAddress } from '../delivery/url-guard.js'
import { subscriptionRoutes } from './http.js'
import { subscriptionStore } from './store.js'

const infra = testInfra()
const dbName = uniqueName('notify_subs').replace(/[^A-Za-z0-9_]/g, '_')
const log = pino({ level: 'silent' })
const HOUR = 3600_000

let store: Store
let app: App
let prodApp: App
let feed: Dispatcher
let prodFeed: Dispatcher
const receivers: Receiver[] = []

const token = (claims: Omit<TokenClaims, 'sub'> & { sub?: string }) =>
  signToken({ sub: 'agency-user', ...claims }, LOCAL_DEV_SECRET, 600)
const bearer = async (claims: Omit<TokenClaims, 'sub'> & { sub?: string }) => ({
  authorization: `Bearer ${await token(claims)}`,
})

const agency = { role: 'agency', agency: 'samr.ln', sub: 'agency-user' } as const
const otherAgency = { role: 'agency', agency: 'samr.ln', sub: 'someone-else' } as const
const regulator = { role: 'regulator', sub: 'regulator-user' } as const

// Production checks the addresses a host resolves to; this table stands in for the DNS.
const dnsTable: Record<string, ResolvedAddress[]> = {
  'hooks.example.com': [{ address: '93.184.216.34', family: 4 }],
  'intranet.example.com': [{ address: '10.20.30.40', family: 4 }],
  'sneaky.example.com': [
    { address: '93.184.216.34', family: 4 },
    { address: '::ffff:169.254.169.254', family: 6 },
  ],
}

const build = async (production: boolean, n: string) => {
  const a = await createApp({
    name: 'notify',
    version: '0.0.0',
    logger: log,
    auth: { env: 'development' },
    ready: () => Promise.resolve({ store: true }),
  })
  const guard = urlGuard({
    production,
    resolve: (host) => {
      const found = dnsTable[host]
      return found === undefined ? Promise.reject(new Error(`ENOTFOUND ${host}`)) : Promise.resolve(found)
    },
  })
  const subscriptions = await subscriptionStore(store, `subscriptions_${n}`)
  const d = dispatcher({
    store,
    subscriptions,
    guard,
    log,
    metrics: a.metrics,
    retryScheduleMs: [50],
    timeoutMs: 5000,
    receiverConcurrency: 4,
    concurrency: 16,
    collection: `deliveries_${n}`,
  })
  subscriptionRoutes(a, { subscriptions, deliveries: d, guard, secretOverlapMs: 24 * HOUR })
  await a.ready()
  return { app: a, dispatcher: d }
}

beforeAll(async () => {
  store = await connectStore({ url: infra.mongoUrl, dbName })
  ;({ app, dispatcher: feed } = await build(false, 'dev'))
  ;({ app: prodApp, dispatcher: prodFeed } = await build(true, 'prod'))
  await feed.start()
})

afterAll(async () => {
  await feed?.stop()
  await prodFeed?.stop()
  await Promise.all(receivers.map((r) => r.close()))
  await app?.close()
  await prodApp?.close()
  await store?.db.dropDatabase().catch(() => undefined)
  await store?.close()
})

const listen = async (...args: Parameters<typeof receiver>) => {
  const r = await receiver(...args)
  receivers.push(r)
  return r
}

interface Created {
  id: string
  url: string
  kinds: string[]
  usccs?: string[]
  region?: string
  status: string
  secret: string
  createdAt: string
}

const create = async (
  body: Record<string, unknown>,
  claims: Omit<TokenClaims, 'sub'> & { sub?: string } = agency,
  on: App = app,
) => on.inject({ method: 'POST', url: '/v1/subscriptions', headers: await bearer(claims), payload: body })

const created = async (
  body: Record<string, unknown>,
  claims: Omit<TokenClaims, 'sub'> & { sub?: string } = agency,
) => {
  const res = await create(body, claims)
  expect(res.statusCode, res.body).toBe(201)
  return res.json<Created>()
}

describe('POST /v1/subscriptions', () => {
  it('answers 201 with the subscription and its whsec_ secret; kinds echo what was given', async () => {
    const res = await create({ url: 'http://127.0.0.1:9/hook', description: 'procurement desk' })
    expect(res.statusCode).toBe(201)
    const body = res.json<Created & { description: string }>()
    expect(body).toMatchObject({
      url: 'http://127.0.0.1:9/hook',
      kinds: [],
      status: 'active',
      description: 'procurement desk',
    })
    expect(body.id).toMatch(/^sub_[A-Za-z0-9_-]+$/)
    expect(body.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/)
    expect(Buffer.from(body.secret.slice(6), 'base64').length).toBeGreaterThanOrEqual(24)
    expect(Date.parse(body.createdAt)).not.toBeNaN()
    expect(body).not.toHaveProperty('usccs')

    const uscc = randomUscc()
    const withKinds = await created(
      {
        url: 'http://127.0.0.1:9/x',
        kinds: ['serious-listed', 'abnormal-listed'],
        usccs: [uscc],
        region: '2101',
      },
      regulator,
    )
    expect(withKinds).toMatchObject({
      kinds: ['serious-listed', 'abnormal-listed'],
      usccs: [uscc],
      region: '2101',
    })
  })

  it('gives a firm its own enterprise and refuses any other (403)', async () => {
    const own = randomUscc()
    const firm = { role: 'firm', uscc: own, sub: `firm-${own}` } as const
    expect((await created({ url: 'http://127.0.0.1:9/f' }, firm)).usccs).toEqual([own])
    expect((await created({ url: 'http://127.0.0.1:9/f', usccs: [own] }, firm)).usccs).toEqual([own])
    const other = await create({ url: 'http://127.0.0.1:9/f', usccs: [own, randomUscc()] }, firm)
    expect(other.statusCode).toBe(403)
    expect(other.json()).toMatchObject({ code: 'FORBIDDEN' })
  })

  it('refuses admins (403) and callers without a token (401)', async () => {
    expect((await create({ url: 'http://127.0.0.1:9/a' }, { role: 'admin' })).statusCode).toBe(403)
    const anonymous = await app.inject({
      method: 'POST',
      url: '/v1/subscriptions',
      payload: { url: 'http://x/' },
    })
    expect(anonymous.statusCode).toBe(401)
    expect((await app.inject({ method: 'GET', url: '/v1/subscriptions' })).statusCode).toBe(401)
    const adminList = await app.inject({
      method: 'GET',
      url: '/v1/subscriptions',
      headers: await bearer({ role: 'admin' }),
    })
    expect(adminList.statusCode).toBe(403)
  })

  it.each([
    [{ url: 'ftp://example.com/x' }, 'SUBSCRIPTION_URL_INVALID'],
    [{ url: 'hooks/relative' }, 'SUBSCRIPTION_URL_INVALID'],
    [{ url: 'https://user:secret@example.com/x' }, 'SUBSCRIPTION_URL_INVALID'],
    [{}, 'BODY_INVALID'],
    [{ url: 'http://127.0.0.1:9/x', kinds: ['risk-class-changed', 'nonsense'] }, 'BODY_INVALID'],
    [{ url: 'http://127.0.0.1:9/x', kinds: 'registered' }, 'BODY_INVALID'],
    [{ url: 'http://127.0.0.1:9/x', usccs: ['91110000100000001X'] }, 'BODY_INVALID'],
    [{ url: 'http://127.0.0.1:9/x', usccs: ['not-a-uscc'] }, 'BODY_INVALID'],
    [{ url: 'http://127.0.0.1:9/x', usccs: [] }, 'BODY_INVALID'],
    [{ url: 'http://127.0.0.1:9/x', region: '21a' }, 'BODY_INVALID'],
    [{ url: 'http://127.0.0.1:9/x', status: 'paused' }, 'BODY_INVALID'],
  ])('refuses %j with 400 %s', async (body, code) => {
    const res = await create(body)
    expect(res.statusCode, res.body).toBe(400)
    expect(res.json()).toMatchObject({ code })
  })

  it('takes 10 000 usccs and refuses 10 001', async () => {
    const many = Array.from({ length: 10_001 }, () => randomUscc())
    expect((await create({ url: 'http://127.0.0.1:9/x', usccs: many.slice(0, 10_000) })).statusCode).toBe(201)
    const res = await create({ url: 'http://127.0.0.1:9/x', usccs: many })
    expect(res.statusCode).toBe(400)
  })

  it('names the bad uscc of a list', async () => {
    const res = await create({ url: 'http://127.0.0.1:9/x', usccs: [randomUscc(), '91110000100000001X'] })
    expect(res.json()).toMatchObject({ code: 'BODY_INVALID', errors: [{ path: '/usccs/1' }] })
  })

  it.each([
    'http://hooks.example.com/ecrs',
    'https://127.0.0.1/hook',
    'https://localhost/hook',
    'https://[::1]/hook',
    'https://[::ffff:10.0.0.1]/hook',
    'https://169.254.169.254/latest',
    'https://intranet.example.com/hook',
    'https://sneaky.example.com/hook',
  ])('in production refuses %s with 400 SUBSCRIPTION_URL_FORBIDDEN', async (url) => {
    const res = await create({ url }, agency, prodApp)
    expect(res.statusCode, res.body).toBe(400)
    expect(res.json()).toMatchObject({ code: 'SUBSCRIPTION_URL_FORBIDDEN' })
  })

  it('in production takes https to a host with public addresses only', async () => {
    const res = await create({ url: 'https://hooks.example.com/ecrs' }, agency, prodApp)
    expect(res.statusCode).toBe(201)
    const id = res.json<Created>().id
    const moved = await prodApp.inject({
      method: 'PATCH',
      url: `/v1/subscriptions/${id}`,
      headers: await bearer(agency),
      payload: { url: 'https://intranet.example.com/hook' },
    })
    expect(moved.statusCode).toBe(400)
    expect(moved.json()).toMatchObject({ code: 'SUBSCRIPTION_URL_FORBIDDEN' })
  })
})

describe('reading, changing and deleting', () => {
  it('shows the owner its subscriptions, never the secret; another caller gets 404', async () => {
    const owner = { role: 'agency', agency: 'samr.ln', sub: `reader-${randomUscc()}` } as const
    const s = await created({ url: 'http://127.0.0.1:9/r' }, owner)
    const list = await app.inject({ method: 'GET', url: '/v1/subscriptions', headers: await bearer(owner) })
    expect(list.statusCode).toBe(200)
    expect(list.json<{ items: { id: string }[] }>().items.map((i) => i.id)).toEqual([s.id])
    const one = await app.inject({
      method: 'GET',
      url: `/v1/subscriptions/${s.id}`,
      headers: await bearer(owner),
    })
    expect(one.statusCode).toBe(200)
    expect(one.json()).toMatchObject({ id: s.id, url: s.url, kinds: [], status: 'active' })
    for (const body of [list.body, one.body]) {
      expect(body).not.toContain(s.secret)
      expect(body).not.toContain('secret')
    }
    const theirs = await bearer(otherAgency)
    const calls = [
      { method: 'GET', url: `/v1/subscriptions/${s.id}` },
      { method: 'PATCH', url: `/v1/subscriptions/${s.id}`, payload: { status: 'paused' } },
      { method: 'DELETE', url: `/v1/subscriptions/${s.id}` },
      { method: 'POST', url: `/v1/subscriptions/${s.id}:rotate-secret` },
      { method: 'GET', url: `/v1/subscriptions/${s.id}/deliveries` },
      { method: 'POST', url: `/v1/subscriptions/${s.id}/deliveries/msg_x:retry` },
    ] as const
    for (const call of calls) {
      const res = await app.inject({ ...call, headers: theirs })
      expect(res.statusCode, `${call.method} ${call.url}`).toBe(404)
    }
    const theirList = await app.inject({ method: 'GET', url: '/v1/subscriptions', headers: theirs })
    expect(theirList.json<{ items: { id: string }[] }>().items.map((i) => i.id)).not.toContain(s.id)
    expect(
      (await app.inject({ method: 'GET', url: '/v1/subscriptions/sub_none', headers: theirs })).statusCode,
    ).toBe(404)
  })

  it('changes url, kinds, usccs, region and status (200), validated as at creation', async () => {
    const s = await created({ url: 'http://127.0.0.1:9/p', region: '21' })
    const uscc = randomUscc()
    const patch = async (payload: Record<string, unknown>) =>
      app.inject({
        method: 'PATCH',
        url: `/v1/subscriptions/${s.id}`,
        headers: await bearer(agency),
        payload,
      })
    const res = await patch({
      url: 'http://127.0.0.1:10/q',
      kinds: ['registered'],
      usccs: [uscc],
      region: '2102',
      status: 'paused',
    })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({
      id: s.id,
      url: 'http://127.0.0.1:10/q',
      kinds: ['registered'],
      usccs: [uscc],
      region: '2102',
      status: 'paused',
    })
    const cleared = await patch({ usccs: null, region: null, status: 'active' })
    expect(cleared.statusCode).toBe(200)
    expect(cleared.json()).not.toHaveProperty('usccs')
    expect(cleared.json()).not.toHaveProperty('region')
    expect(cleared.json()).toMatchObject({ status: 'active', kinds: ['registered'] })
    for (const bad of [
      { status: 'deleted' },
      { kinds: ['x'] },
      { usccs: ['bad'] },
      { url: 'mailto:a@b.c' },
      { secret: 'x' },
    ]) {
      expect((await patch(bad)).statusCode, JSON.stringify(bad)).toBe(400)
    }
    const own = randomUscc()
    const firm = { role: 'firm', uscc: own, sub: `firm-${own}` } as const
    const f = await created({ url: 'http://127.0.0.1:9/f' }, firm)
    const widened = await app.inject({
      method: 'PATCH',
      url: `/v1/subscriptions/${f.id}`,
      headers: await bearer(firm),
      payload: { usccs: [randomUscc()] },
    })
    expect(widened.statusCode).toBe(403)
  })

  it('deletes (204): gone for its owner, its deliveries with it', async () => {
    const r = await listen()
    const s = await created({ url: r.url })
    await feed.entriesRecorded([feedEntry(randomUscc(), [listed()])])
    const del = await app.inject({
      method: 'DELETE',
      url: `/v1/subscriptions/${s.id}`,
      headers: await bearer(agency),
    })
    expect(del.statusCode).toBe(204)
    expect(del.body).toBe('')
    const after = await app.inject({
      method: 'GET',
      url: `/v1/subscriptions/${s.id}`,
      headers: await bearer(agency),
    })
    expect(after.statusCode).toBe(404)
    expect(await feed.deliveries(s.id, { limit: 10 })).toEqual([])
  })
})

describe('secrets and deliveries', () => {
  it('rotates the secret: deliveries are signed by the new one and, for the overlap, the old one', async () => {
    const r = await listen()
    const s = await created({ url: r.url })
    const rotated = await app.inject({
      method: 'POST',
      url: `/v1/subscriptions/${s.id}:rotate-secret`,
      headers: await bearer(agency),
    })
    expect(rotated.statusCode).toBe(200)
    const { secret } = rotated.json<{ secret: string }>()
    expect(secret).toMatch(/^whsec_/)
    expect(secret).not.toBe(s.secret)
    const entry = feedEntry(randomUscc(), [listed()])
    await feed.entriesRecorded([entry])
    const got = await waitFor(() => r.received.find((x) => x.entry.seq === entry.seq), {
      what: 'the delivery',
    })
    const headers = got.headers as Record<string, string>
    expect(headers['webhook-signature']?.split(' ')).toHaveLength(2)
    expect(new Webhook(secret).verify(got.body, headers)).toMatchObject({ data: { seq: entry.seq } })
    expect(new Webhook(s.secret).verify(got.body, headers)).toMatchObject({ data: { seq: entry.seq } })
    const shown = await app.inject({
      method: 'GET',
      url: `/v1/subscriptions/${s.id}`,
      headers: await bearer(agency),
    })
    expect(shown.body).not.toContain(secret)
  })

  it('lists deliveries by status, in pages; a failed one retried (202) is delivered once the receiver answers', async () => {
    const r = await listen((got) =>
      got.entry.changes.some((c) => 'listingId' in c && c.listingId === 'bad') ? 500 : 200,
    )
    const s = await created({ url: r.url })
    const entries = [
      feedEntry(randomUscc(), [listed('ok')]),
      feedEntry(randomUscc(), [listed('bad')]),
      feedEntry(randomUscc(), [listed('ok')]),
      feedEntry(randomUscc(), [listed('bad')]),
      feedEntry(randomUscc(), [listed('ok')]),
    ]
    await feed.entriesRecorded(entries)
    const auth = await bearer(agency)
    const page = async (query: string) => {
      const res = await app.inject({
        method: 'GET',
        url: `/v1/subscriptions/${s.id}/deliveries${query}`,
        headers: auth,
      })
      expect(res.statusCode, res.body).toBe(200)
      return res.json<{
        items: { deliveryId: string; seq: string; status: string; attempts: number }[]
        next?: string
      }>()
    }
    await waitFor(async () => (await page('?status=pending')).items.length === 0, { what: 'nothing pending' })

    const all = await page('')
    expect(all.items.map((i) => i.seq)).toEqual(entries.map((e) => e.seq))
    expect(all.next).toBeUndefined()
    const first = await page('?status=delivered&limit=2')
    expect(first.items).toHaveLength(2)
    expect(first.next).toBeDefined()
    const second = await page(`?status=delivered&limit=2&cursor=${first.next}`)
    expect(second.next).toBeUndefined()
    expect([...first.items, ...second.items].map((i) => i.seq)).toEqual([
      entries[0]!.seq,
      entries[2]!.seq,
      entries[4]!.seq,
    ])
    const failed = await page('?status=failed')
    expect(failed.items.map((i) => i.seq)).toEqual([entries[1]!.seq, entries[3]!.seq])
    expect(failed.items[0]).toMatchObject({ status: 'failed', attempts: 2, lastStatusCode: 500 })
    expect(
      (
        await app.inject({
          method: 'GET',
          url: `/v1/subscriptions/${s.id}/deliveries?cursor=%%%`,
          headers: auth,
        })
      ).statusCode,
    ).toBe(400)
    expect(
      (
        await app.inject({
          method: 'GET',
          url: `/v1/subscriptions/${s.id}/deliveries?status=lost`,
          headers: auth,
        })
      ).statusCode,
    ).toBe(400)

    r.answer = () => 200
    const target = failed.items[0]!
    const retry = await app.inject({
      method: 'POST',
      url: `/v1/subscriptions/${s.id}/deliveries/${target.deliveryId}:retry`,
      headers: auth,
    })
    expect(retry.statusCode).toBe(202)
    await waitFor(
      async () => (await page('?status=delivered')).items.some((i) => i.deliveryId === target.deliveryId),
      {
        what: 'the retried delivery delivered',
      },
    )
    expect((await page('?status=failed')).items.map((i) => i.seq)).toEqual([entries[3]!.seq])
    const unknown = await app.inject({
      method: 'POST',
      url: `/v1/subscriptions/${s.id}/deliveries/msg_unknown:retry`,
      headers: auth,
    })
    expect(unknown.statusCode).toBe(404)
    expect(unknown.json()).toMatchObject({ code: 'DELIVERY_NOT_FOUND' })
  })
})

describe('the OpenAPI document', () => {
  it('shows every route with the contract’s paths', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<{
      paths: Record<string, object>
    }>()
    const paths = Object.keys(doc.paths).filter((p) => p.startsWith('/v1/'))
    expect(paths.sort()).toEqual([
      '/v1/subscriptions',
      '/v1/subscriptions/{id}',
      '/v1/subscriptions/{id}/deliveries',
      '/v1/subscriptions/{id}/deliveries/{deliveryId}:retry',
      '/v1/subscriptions/{id}:rotate-secret',
    ])
  })
})
