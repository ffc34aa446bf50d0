/**
 * `npm run bench:hostile`: what 20 hostile callers do to everyone else (issue 11, findings 1 and 2).
 *
 * credit-profile (its own process) projects BENCH_ENTERPRISES enterprises (default 3000, ×
 * BENCH_EVENTS_PER events, default 6); then profile GETs (anonymous, one at a time, BENCH_SAMPLES
 * of them, default 50) are timed twice in the same run: alone, and while BENCH_HOSTILE callers
 * (default 20) send, as fast as each gets an answer, the worst requests a caller may send — a
 * profile at the farthest `asOf` allowed, one far beyond it (`4000-01-01`), `/v1/stats`, and the
 * widest search, searches varied so that no cache answers them. Figures: p50/p95/max of the profile GET and of `/healthz` alone and under load,
 * their ratio, and what the hostile requests got (status counts, p50). Writes
 * bench/results/hostile.json. Issue 11 asks for a profile GET under 100 ms under this load.
 */
import { topicConfig, topicNames, toCloudEventRecord } from '@ecrs/contracts'
import { LOCAL_DEV_SECRET, signToken } from '@ecrs/http'
import { consumerLag, createKafka, createProducer, ensureTopics, type OutboundRecord } from '@ecrs/kafka'
import { provision, stderrProgress, waitFor, type Infra } from '@ecrs/testkit'
import { pino } from 'pino'
import { eventsOf, uscc } from './projection.js'
import { isMain, log, machine, percentile, round, runScript, writeResult } from './report.js'
import { startService, type RunningService } from './service.js'

export interface HostileSizes {
  enterprises: number
  eventsPerEnterprise: number
  samples: number
  hostile: number
}

export const hostileSizesFromEnv = (env: NodeJS.ProcessEnv): HostileSizes => ({
  enterprises: Number(env['BENCH_ENTERPRISES'] ?? 3000),
  eventsPerEnterprise: Number(env['BENCH_EVENTS_PER'] ?? 6),
  samples: Number(env['BENCH_SAMPLES'] ?? 50),
  hostile: Number(env['BENCH_HOSTILE'] ?? 20),
})

const PARTITIONS = 3

const timed = async (url: string, auth?: string): Promise<{ ms: number; status: number }> => {
  const t0 = performance.now()
  const res = await fetch(url, auth === undefined ? {} : { headers: { authorization: `Bearer ${auth}` } })
  await res.arrayBuffer()
  return { ms: performance.now() - t0, status: res.status }
}

const summary = (ms: readonly number[]) => ({
  n: ms.length,
  p50Ms: round(percentile(ms, 50), 1),
  p95Ms: round(percentile(ms, 95), 1),
  maxMs: round(Math.max(...ms), 1),
})

/** The farthest `asOf` the contract allows (§6: ten years from now), as a date a day inside it. */
const farthestAsOf = (): string => {
  const d = new Date()
  d.setUTCFullYear(d.getUTCFullYear() + 10)
  d.setUTCDate(d.getUTCDate() - 1)
  return d.toISOString().slice(0, 10)
}

export const benchHostile = async (infra: Infra, sizes: HostileSizes) => {
  const { enterprises: N, eventsPerEnterprise: PER, samples: SAMPLES, hostile: HOSTILE } = sizes
  const logger = pino({ level: 'warn' })
  const children: RunningService[] = []
  try {
    const ns = `benchh${Date.now().toString(36)}`
    const topics = topicNames(ns)
    const kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: 'bench-hostile', logger })
    await ensureTopics(kafka, topicConfig(topics, PARTITIONS))
    const producer = await createProducer(kafka, { logger })
    log(`filling ${topics.enterprise}: ${N} enterprises × ${PER} events`)
    for (let from = 0; from < N; from += 300) {
      const records: OutboundRecord[] = []
      for (let i = from; i < Math.min(N, from + 300); i++)
        for (const e of eventsOf(i, 'h', PER))
          records.push(
            toCloudEventRecord(e, { topic: topics.enterprise, key: e.subject, recordedAt: new Date() }),
          )
      await producer.send(records)
    }
    await producer.disconnect()
    const credit = await startService('credit-profile', {
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      MONGO_URL: infra.mongoUrl,
      TOPIC_NAMESPACE: ns,
      TOPIC_PARTITIONS: String(PARTITIONS),
      RULES_INTERVAL_MS: '0',
      MONGO_DB: `${ns}_credit`,
    })
    children.push(credit)
    const group = `${ns}.credit-profile.projection`
    let shown = 0
    await waitFor(
      async () => {
        const lag = (await consumerLag(kafka, group, topics.enterprise)).lag
        if (performance.now() - shown > 5000) {
          log(`  projecting: lag ${lag}`)
          shown = performance.now()
        }
        return lag === 0
      },
      { what: 'the projection to catch up', timeoutMs: 1_800_000, intervalMs: 250 },
    )
    const regulator = await signToken({ sub: 'bench', role: 'regulator' }, LOCAL_DEV_SECRET, 7200)
    const base = credit.url
    const profileUrl = (k: number) => `${base}/v1/enterprises/${uscc((k * 7919) % N)}`

    const measure = async (label: string) => {
      log(`${label}: ${SAMPLES} profile GETs and /healthz, one at a time`)
      const profile: number[] = []
      const health: number[] = []
      for (let k = 0; k < SAMPLES; k++) {
        const p = await timed(profileUrl(k))
        if (p.status !== 200) throw new Error(`profile GET answered ${p.status}`)
        profile.push(p.ms)
        health.push((await timed(`${base}/healthz`)).ms)
      }
      return { profile: summary(profile), healthz: summary(health) }
    }

    const alone = await measure('alone')

    const far = farthestAsOf()
    // Each kind names its request for the k-th call: searches vary (region, class), so that no
    // cache answers them for the attacker.
    const attacks: readonly (readonly [string, (k: number) => string, string | undefined])[] = [
      ['profile at the farthest asOf', (k) => `/v1/enterprises/${uscc(k % N)}?asOf=${far}`, undefined],
      ['profile at asOf=4000-01-01', (k) => `/v1/enterprises/${uscc(k % N)}?asOf=4000-01-01`, undefined],
      ['stats', () => '/v1/stats', regulator],
      ['search, widest', () => '/v1/enterprises?limit=100', regulator],
      [
        'search, varied',
        (k) =>
          `/v1/enterprises?limit=100&region=${10 + (k % 90)}${k % 2 ? `&riskClass=${'ABCD'[k % 4]}` : ''}`,
        regulator,
      ],
    ]
    const got = new Map<string, { statuses: Record<string, number>; ms: number[] }>(
      attacks.map(([name]) => [name, { statuses: {}, ms: [] }]),
    )
    let stop = false
    log(`under load: ${HOSTILE} hostile callers (${attacks.map(([n]) => n).join(', ')})`)
    const callers = Array.from({ length: HOSTILE }, async (_, c) => {
      for (let k = c; !stop; k++) {
        const [name, path, auth] = attacks[k % attacks.length]!
        const r = await timed(`${base}${path(k)}`, auth)
        const g = got.get(name)!
        g.statuses[r.status] = (g.statuses[r.status] ?? 0) + 1
        g.ms.push(r.ms)
      }
    })
    // Let every caller have a request in flight before sampling.
    await waitFor(() => [...got.values()].every((g) => g.ms.length > 0), {
      what: 'every kind of hostile request answered once',
      timeoutMs: 600_000,
      intervalMs: 20,
    })
    const underLoad = await measure('under load')
    stop = true
    await Promise.all(callers)

    return {
      enterprises: N,
      eventsPerEnterprise: PER,
      hostileCallers: HOSTILE,
      farthestAsOf: far,
      alone,
      underLoad,
      ratioP50: round(underLoad.profile.p50Ms / alone.profile.p50Ms, 2),
      hostile: Object.fromEntries(
        [...got].map(([name, g]) => [name, { statuses: g.statuses, ...summary(g.ms) }]),
      ),
      creditRssMb: credit.peakRssMb(),
    }
  } finally {
    for (const c of children) await c.stop()
  }
}

type HostileResult = Awaited<ReturnType<typeof benchHostile>>

export const hostileRows = (r: HostileResult): [string, string][] => [
  ['enterprises / hostile callers', `${r.enterprises} / ${r.hostileCallers}`],
  [
    'profile GET alone p50 / p95 / max (ms)',
    `${r.alone.profile.p50Ms} / ${r.alone.profile.p95Ms} / ${r.alone.profile.maxMs}`,
  ],
  [
    'profile GET under load p50 / p95 / max (ms)',
    `${r.underLoad.profile.p50Ms} / ${r.underLoad.profile.p95Ms} / ${r.underLoad.profile.maxMs}`,
  ],
  ['ratio under load / alone (p50)', String(r.ratioP50)],
  ['/healthz alone / under load p95 (ms)', `${r.alone.healthz.p95Ms} / ${r.underLoad.healthz.p95Ms}`],
  ...Object.entries(r.hostile).map(([name, h]): [string, string] => [
    `${name}: p50 (ms), statuses`,
    `${h.p50Ms}, ${Object.entries(h.statuses)
      .map(([s, n]) => `${s}×${n}`)
      .join(' ')}`,
  ]),
]

if (isMain(import.meta.url))
  runScript(async () => {
    const infra = await provision({ env: process.env, progress: stderrProgress })
    try {
      const result = await benchHostile(infra, hostileSizesFromEnv(process.env))
      writeResult('hostile', { machine: machine(), ...result }, hostileRows(result))
    } finally {
      await infra.stop()
    }
  })
