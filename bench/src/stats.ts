/**
 * `npm run bench:stats`: how fast `GET /v1/agencies/stats` (contract §10) answers with a year of
 * buckets standing for BENCH_STATS_EVENTS (default 1 000 000) recorded events: AGENCIES agencies ×
 * 365 days × TYPES types, written to the store in ingest's stored shape, then ingest started as
 * its own process (it loads them) and asked sequentially: every agency (a regulator) and one agency.
 */
import { addDays, catalogue, formatDate, shanghaiDateOf } from '@ecrs/contracts'
import { LOCAL_DEV_SECRET, signToken } from '@ecrs/http'
import { connectStore } from '@ecrs/store'
import { type Infra, provision, stderrProgress } from '@ecrs/testkit'
import { isMain, log, machine, percentile, runScript, writeResult } from './report.js'
import { startService } from './service.js'

const AGENCIES = 30
// 1 000 000 events over 30 agencies × 365 days × 10 types: about 9 per bucket entry.
const DAYS = 365
const TYPES = [...catalogue.keys()].slice(0, 10)
const REQUESTS = 300

const timed = async (url: string, token: string): Promise<number> => {
  const t = performance.now()
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } })
  await res.arrayBuffer()
  if (res.status !== 200) throw new Error(`${url} → ${res.status}`)
  return performance.now() - t
}

export const benchStats = async (infra: Infra, events: number) => {
  const ns = `bench${Date.now().toString(36)}`
  const db = `${ns}_ingest`
  const perEntry = Math.max(1, Math.round(events / (AGENCIES * DAYS * TYPES.length)))
  const today = shanghaiDateOf(new Date())
  const store = await connectStore({ url: infra.mongoUrl, dbName: db })
  let written = 0
  let docs = 0
  try {
    const buckets = store.db.collection('stats_buckets')
    for (let a = 0; a < AGENCIES; a++) {
      const batch = []
      for (let d = 0; d < DAYS; d++) {
        const day = formatDate(addDays(today, -d))
        const agency = `samr.bench-${a}`
        const types = TYPES.map((type, i) => ({
          type,
          events: perEntry,
          applied: perEntry - 1,
          rejected: 1,
          // A spread of lags: most within days, a tail of back-dated history.
          lags: Array.from({ length: Math.min(perEntry, 12) }, (_, k) => [
            k < 10 ? k + ((d + i) % 5) : 200 + k * 37,
            k === 0 ? perEntry - Math.min(perEntry, 12) + 1 : 1,
          ]),
        }))
        // ingest's stored shape (services/ingest/src/stats/store.ts): the counts as one JSON string.
        batch.push({ _id: `${agency}|${day}`, agency, day, body: JSON.stringify({ types, offsets: {} }) })
        written += perEntry * TYPES.length
      }
      await buckets.insertMany(batch as never[])
      docs += batch.length
    }
    log(`wrote ${docs} buckets standing for ${written} events`)
  } finally {
    await store.close()
  }
  const service = await startService('ingest', {
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    MONGO_URL: infra.mongoUrl,
    MONGO_DB: db,
    TOPIC_NAMESPACE: ns,
    TOPIC_PARTITIONS: '6',
  })
  try {
    const regulator = await signToken({ sub: 'bench', role: 'regulator' }, LOCAL_DEV_SECRET, 3600)
    const agency = await signToken(
      { sub: 'bench', role: 'agency', agency: 'samr.bench-7' },
      LOCAL_DEV_SECRET,
      3600,
    )
    const all: number[] = []
    const one: number[] = []
    for (let i = 0; i < 20; i++) await timed(`${service.url}/v1/agencies/stats`, regulator) // warm-up
    for (let i = 0; i < REQUESTS; i++) all.push(await timed(`${service.url}/v1/agencies/stats`, regulator))
    for (let i = 0; i < REQUESTS; i++) one.push(await timed(`${service.url}/v1/agencies/stats`, agency))
    const body = (await (
      await fetch(`${service.url}/v1/agencies/stats`, { headers: { authorization: `Bearer ${regulator}` } })
    ).json()) as { agencies: { events: number }[] }
    const answered = body.agencies.reduce((s, a) => s + a.events, 0)
    const round = (x: number) => Number(x.toFixed(2))
    return {
      sizes: {
        events: written,
        buckets: docs,
        agencies: AGENCIES,
        days: DAYS,
        types: TYPES.length,
        requests: REQUESTS,
      },
      answeredEvents: answered,
      allAgenciesP50Ms: round(percentile(all, 50)),
      allAgenciesP90Ms: round(percentile(all, 90)),
      allAgenciesP99Ms: round(percentile(all, 99)),
      allAgenciesMaxMs: round(Math.max(...all)),
      oneAgencyP50Ms: round(percentile(one, 50)),
      oneAgencyP99Ms: round(percentile(one, 99)),
      rssMb: service.peakRssMb(),
      store: infra.mongoFlavor,
    }
  } finally {
    await service.stop()
  }
}

if (isMain(import.meta.url))
  runScript(async () => {
    const infra = await provision({ env: process.env, progress: stderrProgress })
    try {
      const result = await benchStats(infra, Number(process.env['BENCH_STATS_EVENTS'] ?? 1_000_000))
      writeResult('stats', { machine: machine(), ...result }, [
        ['events recorded (buckets)', `${result.sizes.events} (${result.sizes.buckets})`],
        ['events in the answer', String(result.answeredEvents)],
        [
          'all agencies p50 / p90 / p99 / max (ms)',
          `${result.allAgenciesP50Ms} / ${result.allAgenciesP90Ms} / ${result.allAgenciesP99Ms} / ${result.allAgenciesMaxMs}`,
        ],
        ['one agency p50 / p99 (ms)', `${result.oneAgencyP50Ms} / ${result.oneAgencyP99Ms}`],
        ['ingest peak RSS (MiB)', String(result.rssMb)],
      ])
    } finally {
      await infra.stop()
    }
  })
