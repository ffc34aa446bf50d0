import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LocalStore, randomUscc, silentProgress, waitFor } from '@ecrs/testkit'
import { testInfra, uniqueName } from '@ecrs/testkit/vitest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AGENCY, daysAgo, registered } from './events.js'
import { dbName, postBatch, postEvent, token, type Json } from './public-api.js'
import { startServiceProcess, type ServiceProcess } from './stack.js'

/**
 * Fault: notify's store goes away while listings keep being published, and comes back on the same
 * port and data (contract §8: never lost across restarts of the store). notify stays up, says it
 * is not ready, and then delivers every listing published meanwhile, in seq order.
 */
const infra = testInfra()
const ns = uniqueName('nout').replace(/[^a-z0-9.-]/g, '')
const dir = mkdtempSync(join(tmpdir(), 'ecrs-e2e-notify-store-'))
const store = new LocalStore({ dataDir: dir, progress: silentProgress })
const services: ServiceProcess[] = []
let notify: ServiceProcess
let server: Server
const received: { listingIds: string[]; seq: string }[] = []
let hookUrl = ''
const E = randomUscc()

beforeAll(async () => {
  await store.start()
  server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const entry = (
        JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data: { seq: string; changes: Json[] } }
      ).data
      received.push({
        seq: entry.seq,
        listingIds: entry.changes.flatMap((c) =>
          typeof c['listingId'] === 'string' ? [c['listingId']] : [],
        ),
      })
      res.writeHead(204).end()
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`
  const env = {
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    TOPIC_NAMESPACE: ns,
    TOPIC_PARTITIONS: '2',
    LOG_LEVEL: 'warn',
    RULES_INTERVAL_MS: '0',
  }
  // Only notify loses its store; ingest and credit-profile keep the run's.
  const started = await Promise.all([
    startServiceProcess('ingest', { ...env, MONGO_URL: infra.mongoUrl, MONGO_DB: dbName(ns, 'ingest') }),
    startServiceProcess('credit-profile', {
      ...env,
      MONGO_URL: infra.mongoUrl,
      MONGO_DB: dbName(ns, 'credit'),
    }),
    startServiceProcess('notify', {
      ...env,
      MONGO_URL: store.url,
      MONGO_DB: dbName(ns, 'notify'),
      NOTIFY_RETRY_SCHEDULE: '200ms, 500ms, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s',
    }),
  ])
  services.push(...started)
  notify = started[2]!
})

afterAll(async () => {
  await Promise.all(services.map((s) => s.stop()))
  server?.close()
  await store.stop()
  rmSync(dir, { recursive: true, force: true })
})

const listing = (listingId: string): Json => ({
  id: listingId,
  source: AGENCY,
  type: 'abnormal-list.entered',
  subject: E,
  time: daysAgo(5),
  data: { listingId, reason: 'unreachable-at-address' },
})

const delivered = (listingId: string) => received.some((r) => r.listingIds.includes(listingId))

describe('notify across a store outage', () => {
  it('stays up, is not ready while the store is away, then delivers every listing published meanwhile', async () => {
    const ingest = services[0]!.url
    const agency = await token({ role: 'agency', agency: AGENCY })
    const regulator = await token({ role: 'regulator' })
    expect((await postBatch(ingest, agency, [registered(E)]))[0]?.status).toBe('accepted')
    const res = await fetch(`${notify.url}/v1/subscriptions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${regulator}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: hookUrl, usccs: [E], kinds: ['abnormal-listed'] }),
    })
    expect(res.status).toBe(201)
    const first = `L-${ns}-before`
    expect((await postEvent(ingest, agency, listing(first))).status).toBe(202)
    await waitFor(() => delivered(first), { what: 'the listing before the outage' })
    const pid = notify.child.pid

    await store.stop()
    await waitFor(async () => (await fetch(`${notify.url}/readyz`)).status === 503, {
      what: 'notify to say it is not ready',
    })
    const during = Array.from({ length: 4 }, (_, i) => `L-${ns}-during-${i}`)
    for (const id of during) expect((await postEvent(ingest, agency, listing(id))).status).toBe(202)
    await store.start()
    await waitFor(async () => (await fetch(`${notify.url}/readyz`)).status === 200, {
      what: 'notify ready again',
    })
    await waitFor(() => during.every(delivered), { what: 'every listing published during the outage' })
    expect(notify.child.pid).toBe(pid)
    expect(notify.child.exitCode).toBeNull()
    const seqs = received.map((r) => r.seq)
    // One enterprise, one subscription: in seq order (a redelivery repeats a seq, never goes back).
    expect(seqs).toEqual([...seqs].sort())
  })
})
