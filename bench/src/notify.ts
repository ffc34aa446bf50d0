/**
 * `npm run bench:notify`: the change feed and its webhooks (issue 12), each service its own process.
 *
 * 1. Feed: BENCH_NOTIFY_CHANGES change records (default 20 000, one enterprise each of 2 000) put
 *    on the changes topic; notify records them (entries/s from its start to the last one visible),
 *    then the whole feed is read through `GET /v1/changes?limit=1000` (entries/s).
 * 2. Deliveries: BENCH_NOTIFY_SUBSCRIPTIONS subscriptions (default 100) to one local receiver, then
 *    BENCH_NOTIFY_FANOUT change records (default 300): deliveries/s from the first record put on the
 *    topic to the last webhook received.
 * 3. Latency: ingest, credit-profile and notify; one subscription; `abnormal-list.entered` events
 *    posted to ingest at BENCH_NOTIFY_RATE events/s (default 200) for BENCH_NOTIFY_SECONDS (default
 *    20): from each 202 to the webhook that carries its listing, p50/p99.
 * Writes bench/results/notify.json.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { topicConfig, topicNames, toChangeRecord, toCloudEventRecord } from '@ecrs/contracts'
import { LOCAL_DEV_SECRET, signToken } from '@ecrs/http'
import { consumerLag, createKafka, createProducer, ensureTopics, type OutboundRecord } from '@ecrs/kafka'
import { provision, stderrProgress, waitFor, type Infra } from '@ecrs/testkit'
import { pino } from 'pino'
import { uscc } from './projection.js'
import { isMain, log, machine, percentile, round, runScript, writeResult } from './report.js'
import { startService, type RunningService } from './service.js'

export interface NotifySizes {
  changes: number
  subscriptions: number
  fanout: number
  rate: number
  seconds: number
  /** `latency`: only part 3. */
  only?: string
}

export const notifySizesFromEnv = (env: NodeJS.ProcessEnv): NotifySizes => ({
  changes: Number(env['BENCH_NOTIFY_CHANGES'] ?? 20_000),
  subscriptions: Number(env['BENCH_NOTIFY_SUBSCRIPTIONS'] ?? 100),
  fanout: Number(env['BENCH_NOTIFY_FANOUT'] ?? 300),
  rate: Number(env['BENCH_NOTIFY_RATE'] ?? 200),
  seconds: Number(env['BENCH_NOTIFY_SECONDS'] ?? 20),
  ...(env['BENCH_NOTIFY_ONLY'] === undefined ? {} : { only: env['BENCH_NOTIFY_ONLY'] }),
})

const PARTITIONS = 3
const ENTERPRISES = 2000

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })

/** A webhook receiver on loopback that answers 204 and hands each body to `onBody` with its arrival time. */
const receiver = async (
  onBody: (body: string, at: number) => void,
): Promise<{ url: string; server: Server }> => {
  const server = createServer((req, res) => {
    readBody(req)
      .then((body) => {
        onBody(body, performance.now())
        res.writeHead(204).end()
      })
      .catch(() => res.writeHead(400).end())
  })
  server.keepAliveTimeout = 30_000
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, server }
}

const listingRecord = (topic: string, i: number, run: string): OutboundRecord =>
  toChangeRecord(
    topic,
    {
      uscc: uscc(i % ENTERPRISES),
      name: `Bench ${i % ENTERPRISES}`,
      region: i % 2 ? '210102' : '110105',
      enterpriseKind: 'company',
      time: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
      changes: [
        { kind: 'abnormal-listed', listingId: `${run}-L${i}`, reason: 'unreachable-at-address' },
        {
          kind: 'restriction-started',
          measure: 'no-honours',
          since: new Date(Date.UTC(2026, 0, 1)).toISOString(),
        },
      ],
    },
    new Date(),
  )

const serviceEnv = (infra: Infra, ns: string, name: string): Record<string, string> => ({
  KAFKA_BROKERS: infra.kafkaBrokers.join(','),
  MONGO_URL: infra.mongoUrl,
  TOPIC_NAMESPACE: ns,
  TOPIC_PARTITIONS: String(PARTITIONS),
  RULES_INTERVAL_MS: '0',
  MONGO_DB: `${ns}_${name}`.replace(/[^A-Za-z0-9_]/g, '_'),
})

const json = async <T>(res: Response): Promise<T> => {
  if (!res.ok) throw new Error(`${res.url}: ${res.status} ${await res.text()}`)
  return (await res.json()) as T
}

export const benchNotify = async (infra: Infra, sizes: NotifySizes) => {
  const logger = pino({ level: 'warn' })
  const kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: 'bench-notify', logger })
  const producer = await createProducer(kafka, { logger })
  const regulator = await signToken({ sub: 'bench-notify', role: 'regulator' }, LOCAL_DEV_SECRET, 7200)
  const agency = await signToken(
    { sub: 'bench-agency', role: 'agency', agency: 'samr.bench' },
    LOCAL_DEV_SECRET,
    7200,
  )
  const auth = (t: string) => ({ authorization: `Bearer ${t}`, 'content-type': 'application/json' })
  const children: RunningService[] = []
  const servers: Server[] = []
  const put = async (records: OutboundRecord[]) => {
    for (let k = 0; k < records.length; k += 1000) await producer.send(records.slice(k, k + 1000))
  }
  try {
    const { feed, deliveries } =
      sizes.only === 'latency' ? { feed: undefined, deliveries: undefined } : await throughput()
    return { feed, deliveries, latency: await latencyRun() }
  } finally {
    for (const c of children) await c.stop()
    for (const s of servers) s.close()
    await producer.disconnect()
  }

  async function throughput() {
    // 1. The feed.
    const ns1 = `benchn${Date.now().toString(36)}`
    const t1 = topicNames(ns1)
    await ensureTopics(kafka, topicConfig(t1, PARTITIONS))
    log(`feed: ${sizes.changes} change records on ${t1.changes}`)
    await put(Array.from({ length: sizes.changes }, (_, i) => listingRecord(t1.changes, i, ns1)))
    const started = performance.now()
    const notify1 = await startService('notify', serviceEnv(infra, ns1, 'notify'))
    children.push(notify1)
    let shown = 0
    await waitFor(
      async () => {
        const lag = (await consumerLag(kafka, `${ns1}.notify.feed`, t1.changes)).lag
        if (performance.now() - shown > 5000) {
          log(`  recording: lag ${lag}`)
          shown = performance.now()
        }
        return lag === 0
      },
      { what: 'notify to record the feed', timeoutMs: 1_800_000, intervalMs: 200 },
    )
    const recordSeconds = (performance.now() - started) / 1000
    const readStarted = performance.now()
    let read = 0
    let after: string | undefined
    for (;;) {
      const page: { items: unknown[]; next: string } = await json(
        await fetch(`${notify1.url}/v1/changes?limit=1000${after === undefined ? '' : `&after=${after}`}`, {
          headers: auth(regulator),
        }),
      )
      read += page.items.length
      if (page.items.length === 0) break
      after = page.next
    }
    const readSeconds = (performance.now() - readStarted) / 1000
    if (read !== sizes.changes) throw new Error(`the feed holds ${read} entries, not ${sizes.changes}`)
    const feed = {
      entries: read,
      recordEntriesPerSec: round(read / recordSeconds),
      readEntriesPerSec: round(read / readSeconds),
      notifyRssMb: notify1.peakRssMb(),
    }
    log(`  ${feed.recordEntriesPerSec} entries/s recorded, ${feed.readEntriesPerSec} entries/s read`)
    await notify1.stop()
    children.length = 0

    // 2. Deliveries to 100 subscriptions.
    const ns2 = `benchd${Date.now().toString(36)}`
    const t2 = topicNames(ns2)
    await ensureTopics(kafka, topicConfig(t2, PARTITIONS))
    let received = 0
    let lastAt = 0
    const hook2 = await receiver((_body, at) => {
      received++
      lastAt = at
    })
    servers.push(hook2.server)
    const notify2 = await startService('notify', serviceEnv(infra, ns2, 'notify'))
    children.push(notify2)
    for (let s = 0; s < sizes.subscriptions; s++)
      await json(
        await fetch(`${notify2.url}/v1/subscriptions`, {
          method: 'POST',
          headers: auth(regulator),
          body: JSON.stringify({ url: `${hook2.url}?s=${s}`, description: `bench ${s}` }),
        }),
      )
    const expected = sizes.subscriptions * sizes.fanout
    log(`deliveries: ${sizes.fanout} entries × ${sizes.subscriptions} subscriptions = ${expected}`)
    const sent = performance.now()
    await put(Array.from({ length: sizes.fanout }, (_, i) => listingRecord(t2.changes, i, ns2)))
    shown = 0
    await waitFor(
      () => {
        if (performance.now() - shown > 5000) {
          log(`  delivered ${received} / ${expected}`)
          shown = performance.now()
        }
        return received >= expected
      },
      { what: 'every delivery', timeoutMs: 1_800_000, intervalMs: 100 },
    )
    const deliveries = {
      subscriptions: sizes.subscriptions,
      entries: sizes.fanout,
      delivered: received,
      deliveriesPerSec: round(received / ((lastAt - sent) / 1000)),
      notifyRssMb: notify2.peakRssMb(),
    }
    log(`  ${deliveries.deliveriesPerSec} deliveries/s`)
    await notify2.stop()
    children.length = 0
    return { feed, deliveries }
  }

  async function latencyRun() {
    // 3. Latency from ingest's 202 to the webhook.
    const ns3 = `benchl${Date.now().toString(36)}`
    const t3 = topicNames(ns3)
    await ensureTopics(kafka, topicConfig(t3, PARTITIONS))
    const N = 200
    log(`latency: registering ${N} enterprises`)
    await put(
      Array.from({ length: N }, (_, i) =>
        toCloudEventRecord(
          {
            specversion: '1.0',
            id: `${ns3}-reg-${i}`,
            source: 'samr.bench',
            type: 'enterprise.registered',
            subject: uscc(i),
            time: '2020-01-06T09:00:00+08:00',
            dataversion: 1,
            data: { name: `Bench ${i}`, registeredAt: '2020-01-06', region: '210102' },
          },
          { topic: t3.enterprise, key: uscc(i), recordedAt: new Date() },
        ),
      ),
    )
    const accepted = new Map<string, number>()
    const arrived = new Map<string, number>()
    const hook3 = await receiver((body, at) => {
      const entry = (JSON.parse(body) as { data: { changes: { kind: string; listingId?: string }[] } }).data
      for (const c of entry.changes)
        if (c.kind === 'abnormal-listed' && c.listingId !== undefined && !arrived.has(c.listingId))
          arrived.set(c.listingId, at)
    })
    servers.push(hook3.server)
    const [ingest, credit, notify3] = await Promise.all([
      startService('ingest', serviceEnv(infra, ns3, 'ingest')),
      startService('credit-profile', serviceEnv(infra, ns3, 'credit')),
      startService('notify', serviceEnv(infra, ns3, 'notify')),
    ])
    children.push(ingest, credit, notify3)
    await waitFor(
      async () => (await consumerLag(kafka, `${ns3}.credit-profile.projection`, t3.enterprise)).lag === 0,
      {
        what: 'the registrations projected',
        timeoutMs: 600_000,
        intervalMs: 200,
      },
    )
    await json(
      await fetch(`${notify3.url}/v1/subscriptions`, {
        method: 'POST',
        headers: auth(regulator),
        body: JSON.stringify({ url: hook3.url, kinds: ['abnormal-listed'] }),
      }),
    )
    const total = sizes.rate * sizes.seconds
    log(`  posting ${total} abnormal-list.entered at ${sizes.rate}/s`)
    const intervalMs = 1000 / sizes.rate
    const t0 = performance.now()
    const inFlight: Promise<void>[] = []
    let refused = 0
    for (let i = 0; i < total; i++) {
      const due = t0 + i * intervalMs
      const wait = due - performance.now()
      if (wait > 1) await new Promise((r) => setTimeout(r, wait))
      const listingId = `${ns3}-AL${i}`
      inFlight.push(
        fetch(`${ingest.url}/v1/events`, {
          method: 'POST',
          headers: auth(agency),
          body: JSON.stringify({
            id: listingId,
            source: 'samr.bench',
            type: 'abnormal-list.entered',
            subject: uscc(i % N),
            time: new Date(Date.now() - 60_000).toISOString(),
            data: { listingId, reason: 'unreachable-at-address' },
          }),
        }).then(async (res) => {
          await res.arrayBuffer()
          if (res.status === 202) accepted.set(listingId, performance.now())
          else refused++
        }),
      )
    }
    await Promise.all(inFlight)
    const postSeconds = (performance.now() - t0) / 1000
    // Where the backlog is when the posting ends: the projection, or the feed.
    const lagAtEnd = {
      projection: (await consumerLag(kafka, `${ns3}.credit-profile.projection`, t3.enterprise)).lag,
      feed: (await consumerLag(kafka, `${ns3}.notify.feed`, t3.changes)).lag,
    }
    await waitFor(() => [...accepted.keys()].every((id) => arrived.has(id)), {
      what: 'every listing to arrive as a webhook',
      timeoutMs: 600_000,
      intervalMs: 100,
    })
    const latencies = [...accepted].map(([id, at]) => (arrived.get(id) ?? Number.NaN) - at)
    const latency = {
      rate: sizes.rate,
      achievedRate: round(total / postSeconds),
      events: accepted.size,
      refused,
      p50Ms: round(percentile(latencies, 50), 1),
      p99Ms: round(percentile(latencies, 99), 1),
      maxMs: round(Math.max(...latencies), 1),
      lagAtEnd,
      notifyRssMb: notify3.peakRssMb(),
      creditRssMb: credit.peakRssMb(),
    }
    log(`  202 → webhook p50 ${latency.p50Ms} ms, p99 ${latency.p99Ms} ms`)
    return latency
  }
}

type NotifyResult = Awaited<ReturnType<typeof benchNotify>>

export const notifyRows = (r: NotifyResult): [string, string][] => [
  ...(r.feed && r.deliveries
    ? ([
        [
          'feed entries recorded / read (per s)',
          `${r.feed.recordEntriesPerSec} / ${r.feed.readEntriesPerSec}`,
        ],
        [
          `deliveries per s (${r.deliveries.subscriptions} subscriptions × ${r.deliveries.entries} entries)`,
          String(r.deliveries.deliveriesPerSec),
        ],
        ['notify peak RSS: feed / deliveries (MiB)', `${r.feed.notifyRssMb} / ${r.deliveries.notifyRssMb}`],
      ] as [string, string][])
    : []),
  [
    `202 → webhook at ${r.latency.rate}/s (achieved ${r.latency.achievedRate}/s): p50 / p99 / max (ms)`,
    `${r.latency.p50Ms} / ${r.latency.p99Ms} / ${r.latency.maxMs}`,
  ],
  [
    'backlog when posting ended: projection / feed (records)',
    `${r.latency.lagAtEnd.projection} / ${r.latency.lagAtEnd.feed}`,
  ],
  ['peak RSS: notify / credit-profile (MiB)', `${r.latency.notifyRssMb} / ${r.latency.creditRssMb}`],
]

if (isMain(import.meta.url))
  runScript(async () => {
    const infra = await provision({ env: process.env, progress: stderrProgress })
    try {
      const result = await benchNotify(infra, notifySizesFromEnv(process.env))
      writeResult('notify', { machine: machine(), ...result }, notifyRows(result))
    } finally {
      await infra.stop()
    }
  })
