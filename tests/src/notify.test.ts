import { spawn } from 'node:child_process'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { randomUscc, repoRoot, waitFor } from '@ecrs/testkit'
import { testInfra, uniqueName } from '@ecrs/testkit/vitest'
import fc from 'fast-check'
import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AGENCY, daysAgo, registered } from './events.js'
import { dbName, getJson, postBatch, postEvent, token, type Json } from './public-api.js'
import { startServiceProcess, type ServiceProcess } from './stack.js'

/**
 * The change feed and its webhooks end to end (contract §8, issue 12): ingest, credit-profile and
 * notify as processes on a real broker and store, receivers as HTTP servers on loopback.
 */
const infra = testInfra()
const ns = uniqueName('notify').replace(/[^a-z0-9.-]/g, '')
const env = {
  KAFKA_BROKERS: infra.kafkaBrokers.join(','),
  MONGO_URL: infra.mongoUrl,
  TOPIC_NAMESPACE: ns,
  TOPIC_PARTITIONS: '2',
  LOG_LEVEL: 'warn',
  RULES_INTERVAL_MS: '0',
}
const notifyEnv = {
  ...env,
  MONGO_DB: dbName(ns, 'notify'),
  NOTIFY_RETRY_SCHEDULE: '200ms, 300ms, 300ms, 300ms, 300ms, 300ms, 300ms, 300ms, 300ms, 300ms',
}
const creditEnv = { ...env, MONGO_DB: dbName(ns, 'credit'), LOG_LEVEL: 'info', PROJECTION_CHECK_MS: '300' }
const services = new Map<string, ServiceProcess>()
const url = (name: string) => services.get(name)!.url

const A = randomUscc()
const B = randomUscc()
const C = randomUscc()
let regulator: string
let agency: string
let firmA: string

interface Received {
  headers: IncomingHttpHeaders
  body: string
  status: number
}

/** A webhook receiver: answers what `respond` says for each request and keeps every request. */
const receiver = async (respond: (n: number) => number | 'hang' = () => 204) => {
  const got: Received[] = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const answer = respond(got.length)
      const r: Received = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status: 0 }
      got.push(r)
      if (answer === 'hang') return
      r.status = answer
      res.writeHead(answer).end()
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  servers.push(server)
  const entryOf = (r: Received) => (JSON.parse(r.body) as { data: Entry }).data
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    got,
    /** Requests whose entry lists `listingId` as abnormal-listed. */
    carrying: (listingId: string) =>
      got.filter((r) => entryOf(r).changes.some((c) => c['listingId'] === listingId)),
    entries: () => got.map(entryOf),
  }
}
const servers: Server[] = []

interface Entry {
  seq: string
  uscc: string
  changes: Json[]
}

const listing = (uscc: string, listingId: string): Json => ({
  id: listingId,
  source: AGENCY,
  type: 'abnormal-list.entered',
  subject: uscc,
  time: daysAgo(10),
  data: { listingId, reason: 'unreachable-at-address' },
})

const send = async (method: string, path: string, auth: string | undefined, body?: unknown) => {
  const res = await fetch(`${url('notify')}${path}`, {
    method,
    headers: {
      ...(auth ? { authorization: `Bearer ${auth}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await res.text()
  return { status: res.status, body: (text === '' ? undefined : JSON.parse(text)) as Json }
}

const subscribe = async (auth: string, body: Json): Promise<{ id: string; secret: string }> => {
  const res = await send('POST', '/v1/subscriptions', auth, body)
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body as { id: string; secret: string }
}

/** Every visible entry of the feed, paged through with `next`. */
const wholeFeed = async (auth: string, query = ''): Promise<Entry[]> => {
  const out: Entry[] = []
  let after = ''
  for (;;) {
    const page = await getJson<{ items: Entry[]; next: string }>(
      `${url('notify')}/v1/changes?limit=1000${query}${after}`,
      auth,
    )
    expect(page.status).toBe(200)
    out.push(...page.body.items)
    if (page.body.items.length === 0) return out
    after = `&after=${page.body.next}`
  }
}

const feedHas = async (listingId: string): Promise<boolean> =>
  (await wholeFeed(regulator)).some((e) => e.changes.some((c) => c['listingId'] === listingId))

beforeAll(async () => {
  const started = await Promise.all([
    startServiceProcess('ingest', { ...env, MONGO_DB: dbName(ns, 'ingest') }),
    startServiceProcess('credit-profile', creditEnv),
    startServiceProcess('notify', notifyEnv),
  ])
  for (const s of started) services.set(s.name, s)
  regulator = await token({ role: 'regulator' })
  agency = await token({ role: 'agency', agency: AGENCY })
  firmA = await token({ role: 'firm', uscc: A })
  const results = await postBatch(url('ingest'), agency, [registered(A), registered(B), registered(C)])
  expect(results.map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted'])
  // Each registration is an entry of the feed.
  await waitFor(
    async () => {
      const usccs = new Set((await wholeFeed(regulator)).map((e) => e.uscc))
      return [A, B, C].every((u) => usccs.has(u))
    },
    { what: 'the three registrations in the feed' },
  )
})

afterAll(async () => {
  await Promise.all([...services.values()].map((s) => s.stop()))
  for (const s of servers) s.close()
})

describe('change feed and webhooks (§8)', () => {
  it('a listing published through ingest reaches the subscriber signed; a 500 is retried with the same webhook-id', async () => {
    const hook = await receiver((n) => (n === 0 ? 500 : 204))
    const sub = await subscribe(regulator, { url: hook.url, usccs: [A], description: 'procurement' })
    expect(sub.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32,}={0,2}$/)
    const listingId = `L-${ns}-1`
    expect((await postEvent(url('ingest'), agency, listing(A, listingId))).status).toBe(202)
    await waitFor(() => hook.carrying(listingId).some((r) => r.status === 204), { what: 'the delivery' })
    const attempts = hook.carrying(listingId)
    expect(attempts.map((r) => r.status)).toEqual([500, 204])
    expect(new Set(attempts.map((r) => r.headers['webhook-id'])).size).toBe(1)
    const verifier = new Webhook(sub.secret)
    for (const r of attempts) {
      const payload = verifier.verify(r.body, r.headers as Record<string, string>) as {
        type: string
        data: Entry
      }
      expect(payload.type).toBe('profile.changed')
      expect(payload.data.uscc).toBe(A)
      expect(payload.data.changes).toContainEqual(
        expect.objectContaining({ kind: 'abnormal-listed', listingId, reason: 'unreachable-at-address' }),
      )
    }
    // A signature made with another secret does not verify.
    expect(() =>
      new Webhook(`whsec_${Buffer.alloc(24, 7).toString('base64')}`).verify(
        attempts[1]!.body,
        attempts[1]!.headers as Record<string, string>,
      ),
    ).toThrow()
    const deliveries = await send('GET', `/v1/subscriptions/${sub.id}/deliveries?status=delivered`, regulator)
    expect(deliveries.status).toBe(200)
    expect(deliveries.body['items']).toContainEqual(
      expect.objectContaining({ status: 'delivered', attempts: 2, lastStatusCode: 204 }),
    )
  })

  it("a firm's subscription gets its own entries only, never risk-class-changed", async () => {
    expect(
      (await send('POST', '/v1/subscriptions', firmA, { url: 'http://127.0.0.1:9/x', usccs: [B] })).status,
    ).toBe(403)
    const hook = await receiver()
    await subscribe(firmA, { url: hook.url })
    const mine = `L-${ns}-firm-a`
    const theirs = `L-${ns}-firm-b`
    for (const e of [listing(B, theirs), listing(A, mine)])
      expect((await postEvent(url('ingest'), agency, e)).status).toBe(202)
    await waitFor(() => hook.carrying(mine).length > 0, { what: "the firm's own listing" })
    // The other firm's listing is in the feed (recorded, its deliveries created) but not for A.
    await waitFor(() => feedHas(theirs), { what: "the other firm's listing in the feed" })
    for (const e of hook.entries()) {
      expect(e.uscc).toBe(A)
      expect(e.changes.map((c) => c['kind'])).not.toContain('risk-class-changed')
    }
    // The regulator sees A's class in the feed (its registration made one); the firm's feed never does.
    const kindsOf = (entries: Entry[]) => entries.flatMap((e) => e.changes.map((c) => c['kind']))
    expect(kindsOf(await wholeFeed(regulator, `&uscc=${A}`))).toContain('risk-class-changed')
    const firmFeed = await wholeFeed(firmA)
    expect(firmFeed.length).toBeGreaterThan(0)
    expect(new Set(firmFeed.map((e) => e.uscc))).toEqual(new Set([A]))
    expect(kindsOf(firmFeed)).not.toContain('risk-class-changed')
    expect((await getJson(`${url('notify')}/v1/changes?uscc=${B}`, firmA)).status).toBe(403)
  })

  it("another owner's subscription is 404 to read, change, delete, rotate or list", async () => {
    const hook = await receiver()
    const sub = await subscribe(regulator, { url: hook.url, usccs: [C] })
    for (const [method, path, body] of [
      ['GET', `/v1/subscriptions/${sub.id}`, undefined],
      ['PATCH', `/v1/subscriptions/${sub.id}`, { status: 'paused' }],
      ['POST', `/v1/subscriptions/${sub.id}:rotate-secret`, {}],
      ['GET', `/v1/subscriptions/${sub.id}/deliveries`, undefined],
      ['DELETE', `/v1/subscriptions/${sub.id}`, undefined],
    ] as const)
      expect((await send(method, path, agency, body)).status, `${method} ${path}`).toBe(404)
    const own = await send('GET', `/v1/subscriptions/${sub.id}`, regulator)
    expect(own.status).toBe(200)
    expect(JSON.stringify(own.body)).not.toContain(sub.secret)
    expect((await send('GET', '/v1/subscriptions', agency)).body['items']).not.toContainEqual(
      expect.objectContaining({ id: sub.id }),
    )
  })

  it('deliveries pending when notify is killed (SIGKILL) are all delivered after the restart, in seq order', async () => {
    let down = true
    const hook = await receiver(() => (down ? 503 : 204))
    const sub = await subscribe(regulator, { url: hook.url, usccs: [C], kinds: ['abnormal-listed'] })
    const ids = Array.from({ length: 5 }, (_, i) => `L-${ns}-crash-${i}`)
    for (const id of ids) expect((await postEvent(url('ingest'), agency, listing(C, id))).status).toBe(202)
    // All five are pending and the first has been tried (and refused) at least once.
    await waitFor(
      async () => {
        const res = await send('GET', `/v1/subscriptions/${sub.id}/deliveries?status=pending`, regulator)
        const items = res.body['items'] as { attempts: number }[]
        return items.length === ids.length && items.some((d) => d.attempts > 0)
      },
      { what: 'five pending deliveries, one tried' },
    )
    expect(await services.get('notify')!.stop('SIGKILL')).toBeNull()
    down = false
    services.set('notify', await startServiceProcess('notify', notifyEnv))
    await waitFor(() => ids.every((id) => hook.carrying(id).some((r) => r.status === 204)), {
      what: 'every listing delivered after the restart',
    })
    // Entries of one enterprise arrive in seq order: each accepted one after every earlier one.
    const accepted = hook.got
      .filter((r) => r.status === 204)
      .map((r) => (JSON.parse(r.body) as { data: Entry }).data.seq)
    expect([...accepted].sort()).toEqual(accepted)
    const delivered = await send('GET', `/v1/subscriptions/${sub.id}/deliveries?status=delivered`, regulator)
    expect((delivered.body['items'] as unknown[]).length).toBe(ids.length)
  })

  it('paging the feed from any cursor yields every later entry once, in order', async () => {
    const all = await wholeFeed(regulator)
    expect(all.length).toBeGreaterThan(5)
    const seqs = all.map((e) => e.seq)
    expect([...seqs].sort()).toEqual(seqs)
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: all.length - 1 }),
        fc.integer({ min: 1, max: 4 }),
        async (from, limit) => {
          const got: string[] = []
          let after = all[from]!.seq
          for (;;) {
            const page = await getJson<{ items: Entry[]; next: string }>(
              `${url('notify')}/v1/changes?after=${after}&limit=${limit}`,
              regulator,
            )
            got.push(...page.body.items.map((e) => e.seq))
            if (page.body.items.length === 0) break
            after = page.body.next
          }
          // Entries recorded meanwhile may follow; the known ones come first, each once.
          expect(got.slice(0, seqs.length - from - 1)).toEqual(seqs.slice(from + 1))
          expect(new Set(got).size).toBe(got.length)
        },
      ),
      { numRuns: 15, seed: 20261207 },
    )
  })

  it('a rebuild of credit-profile adds no entry to the feed', async () => {
    const before = await wholeFeed(regulator)
    const rebuild = spawn(
      process.execPath,
      [join(repoRoot, 'services/credit-profile/dist/rebuild/main.js')],
      {
        env: { ...process.env, ...creditEnv, LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    )
    let err = ''
    rebuild.stderr.on('data', (d: Buffer) => (err += d.toString()))
    const code = await new Promise<number | null>((r) => rebuild.once('exit', r))
    expect(code, err).toBe(0)
    await waitFor(
      () => services.get('credit-profile')!.output().includes('switching to the rebuilt projection'),
      {
        what: 'credit-profile to switch to the rebuilt projection',
      },
    )
    // A marker after the switch: once it is in the feed, everything the rebuild could have said is too.
    const marker = `L-${ns}-after-rebuild`
    expect((await postEvent(url('ingest'), agency, listing(B, marker))).status).toBe(202)
    await waitFor(() => feedHas(marker), { what: 'the marker in the feed' })
    const after = await wholeFeed(regulator)
    expect(after.slice(0, before.length)).toEqual(before)
    const added = after.slice(before.length)
    expect(added.length).toBeGreaterThan(0)
    for (const e of added) expect(e.uscc).toBe(B)
    expect(added.flatMap((e) => e.changes.map((c) => c['listingId']).filter(Boolean))).toEqual([marker])
  })
})
