/**
 * `npm run bench:projection`: the credit-profile projection against its ceiling, in one run.
 *
 * - projection: the enterprise topic is filled first (BENCH_ENTERPRISES × BENCH_EVENTS_PER events),
 *   then the credit-profile process starts and drains it; events/s = events ÷ time to zero lag;
 * - ceiling: the same topic read by a bare consumer (no work), plus the same number of document
 *   writes as the projection made (one replace per enterprise per batch), into the same store;
 * - rebuild: `npm run rebuild -- credit-profile`'s code path over the same topic, events/s;
 * - query: profile GET p50/p99 at BENCH_QPS for BENCH_SECONDS;
 * - freshness: accepted by ingest (202) → visible in the profile GET, p50/p99.
 * Writes bench/results/projection.json.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import {
  toCloudEventRecord,
  topicConfig,
  topicNames,
  usccCheckCharacter,
  type Envelope,
} from '@ecrs/contracts'
import { LOCAL_DEV_SECRET, signToken } from '@ecrs/http'
import {
  type OutboundRecord,
  consumerLag,
  createKafka,
  createProducer,
  ensureTopics,
  startConsumer,
} from '@ecrs/kafka'
import { connectStore, bulkUpdate } from '@ecrs/store'
import { freePort, provision, repoRoot, stderrProgress, waitFor } from '@ecrs/testkit'
import { pino } from 'pino'
import { log, machine, percentile, writeResult } from './report.js'

const ENTERPRISES = Number(process.env['BENCH_ENTERPRISES'] ?? 2000)
const PER = Number(process.env['BENCH_EVENTS_PER'] ?? 10)
const QPS = Number(process.env['BENCH_QPS'] ?? 50)
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10)
const FRESH = Number(process.env['BENCH_FRESHNESS_EVENTS'] ?? 100)
const PARTITIONS = 6

const uscc = (i: number): string => {
  const first17 = `9121${String(i).padStart(13, '0')}`
  return first17 + usccCheckCharacter(first17)
}

const eventsOf = (i: number, run: string): Envelope[] => {
  const subject = uscc(i)
  const out: Envelope[] = [
    {
      specversion: '1.0',
      id: `${run}-reg-${i}`,
      source: 'samr.bench',
      type: 'enterprise.registered',
      subject,
      time: '2026-01-05T09:00:00+08:00',
      dataversion: 1,
      data: { name: `Bench ${i}`, registeredAt: '2026-01-05', region: i % 2 ? '210102' : '110105' },
    },
  ]
  for (let k = 1; k < PER; k++) {
    const time = `2026-0${1 + (k % 8)}-1${k % 10}T10:00:00+08:00`
    out.push(
      k % 3 === 0
        ? {
            specversion: '1.0',
            id: `${run}-pen-${i}-${k}`,
            source: 'samr.bench',
            type: 'penalty.decided',
            subject,
            time,
            dataversion: 1,
            data: { decisionNo: `D-${i}-${k}`, measures: ['fine'], domain: 'food', fineAmount: 5000 },
          }
        : {
            specversion: '1.0',
            id: `${run}-insp-${i}-${k}`,
            source: 'samr.bench',
            type: 'inspection.recorded',
            subject,
            time,
            dataversion: 1,
            data: {
              inspectionId: `I-${i}-${k}`,
              kind: 'random',
              results: [k % 4 ? 'no-problem' : 'problem-pending'],
            },
          },
    )
  }
  return out
}

const startService = async (
  name: string,
  env: Record<string, string>,
): Promise<{ url: string; child: ChildProcess }> => {
  const port = await freePort()
  const child = spawn(process.execPath, [join(repoRoot, 'services', name, 'dist', 'main.js')], {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  })
  const url = `http://127.0.0.1:${port}`
  await waitFor(async () => (await fetch(`${url}/readyz`)).status === 200, {
    what: `${name} ready`,
    timeoutMs: 60_000,
  })
  return { url, child }
}

const main = async (): Promise<void> => {
  const infra = await provision({ env: process.env, progress: stderrProgress })
  const children: ChildProcess[] = []
  const logger = pino({ level: 'warn' })
  try {
    const ns = `benchp${Date.now().toString(36)}`
    const topics = topicNames(ns)
    const kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: 'bench-projection', logger })
    await ensureTopics(kafka, topicConfig(topics, PARTITIONS))
    const producer = await createProducer(kafka, { logger })
    const total = ENTERPRISES * PER
    log(`filling ${topics.enterprise}: ${ENTERPRISES} enterprises × ${PER} events = ${total}`)
    const records: OutboundRecord[] = []
    for (let i = 0; i < ENTERPRISES; i++) {
      for (const e of eventsOf(i, 'p'))
        records.push(
          toCloudEventRecord(e, { topic: topics.enterprise, key: e.subject, recordedAt: new Date() }),
        )
    }
    for (let i = 0; i < records.length; i += 2000) await producer.send(records.slice(i, i + 2000))

    const env = {
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      MONGO_URL: infra.mongoUrl,
      TOPIC_NAMESPACE: ns,
      TOPIC_PARTITIONS: String(PARTITIONS),
      LOG_LEVEL: 'warn',
      RULES_INTERVAL_MS: '0',
      RATE_LIMIT_PER_SECOND: '100000',
      RATE_LIMIT_BURST: '100000',
    }
    log('projection: starting credit-profile on the filled topic')
    const t0 = performance.now()
    const credit = await startService('credit-profile', { ...env, MONGO_DB: `${ns}_credit` })
    children.push(credit.child)
    const group = `${ns}.credit-profile.projection`
    let last = 0
    await waitFor(
      async () => {
        const l = (await consumerLag(kafka, group, topics.enterprise)).lag
        if (performance.now() - last > 5000) {
          log(`  ${total - l}/${total} projected`)
          last = performance.now()
        }
        return l === 0
      },
      { what: 'the projection to catch up', timeoutMs: 1_800_000, intervalMs: 250 },
    )
    const projectionSeconds = (performance.now() - t0) / 1000
    const eventsPerSec = total / projectionSeconds

    log('ceiling: a bare consumer over the same topic, then the same number of document writes')
    let seen = 0
    const c0 = performance.now()
    const bare = await startConsumer(kafka, {
      groupId: `${ns}.bench.bare`,
      topics: [topics.enterprise],
      logger,
      deadLetter: { topic: topics.deadLetter, producer },
      maxBatchSize: 500,
      handler: (ms) => {
        seen += ms.length
        return Promise.resolve()
      },
    })
    await waitFor(() => seen >= total, { what: 'the bare consumer', timeoutMs: 600_000, intervalMs: 50 })
    const consumeSeconds = (performance.now() - c0) / 1000
    await bare.stop()
    // The projection wrote one document per enterprise per chunk it saw the enterprise in; a chunk of
    // 500 events holds every event of an enterprise (same key, same partition) most of the time.
    const writes = Math.max(ENTERPRISES, Math.ceil(total / 500) * Math.min(ENTERPRISES, 500 / PER))
    const store = await connectStore({ url: infra.mongoUrl, dbName: `${ns}_ceiling` })
    const col = store.db.collection<{
      _id: string
      version: number
      events: { source: string; id: string; data: string }[]
    }>('docs')
    const w0 = performance.now()
    const docEvents = Array.from({ length: PER }, (_, k) => ({
      source: 'samr.bench',
      id: `x-${k}`,
      data: JSON.stringify({ inspectionId: `I-${k}`, kind: 'random', results: ['no-problem'] }),
    }))
    for (let i = 0; i < writes; i += 200) {
      const ops = Array.from({ length: Math.min(200, writes - i) }, (_, j) => ({
        replaceOne: {
          filter: { _id: uscc((i + j) % ENTERPRISES) },
          replacement: { version: i + j, events: docEvents },
          upsert: true,
        },
      }))
      await store.write(() => bulkUpdate(store, col, ops))
    }
    const writeSeconds = (performance.now() - w0) / 1000
    await store.close()
    const ceilingEventsPerSec = total / (consumeSeconds + writeSeconds)

    log('rebuild: the same topic into fresh collections')
    const { rebuild } = (await import(
      join(repoRoot, 'services', 'credit-profile', 'dist', 'rebuild', 'rebuild.js')
    )) as {
      rebuild: (
        c: unknown,
        l: unknown,
        p: (s: string) => void,
      ) => Promise<{ eventsPerSec: number; events: number; seconds: number }>
    }
    const { readConfig } = await import('@ecrs/http')
    const { configSchema } = (await import(
      join(repoRoot, 'services', 'credit-profile', 'dist', 'config.js')
    )) as { configSchema: never }
    const rb = await rebuild(readConfig(configSchema, { ...env, MONGO_DB: `${ns}_credit` }), logger, (l) =>
      log(`  ${l}`),
    )

    log(`query: profile GET at ${QPS}/s for ${SECONDS} s`)
    const regulator = await signToken({ sub: 'bench', role: 'regulator' }, LOCAL_DEV_SECRET, 3600)
    const latencies: number[] = []
    const q0 = performance.now()
    await Promise.all(
      Array.from({ length: QPS * SECONDS }, async (_, i) => {
        const wait = q0 + (i * 1000) / QPS - performance.now()
        if (wait > 0) await new Promise((r) => setTimeout(r, wait))
        const s = performance.now()
        const res = await fetch(`${credit.url}/v1/enterprises/${uscc((i * 7919) % ENTERPRISES)}`, {
          headers: { authorization: `Bearer ${regulator}` },
        })
        await res.arrayBuffer()
        if (res.status === 200) latencies.push(performance.now() - s)
      }),
    )

    log(`freshness: ${FRESH} events through ingest, each until visible in its profile`)
    const ingest = await startService('ingest', { ...env, MONGO_DB: `${ns}_ingest` })
    children.push(ingest.child)
    const agency = await signToken(
      { sub: 'bench', role: 'agency', agency: 'samr.bench' },
      LOCAL_DEV_SECRET,
      3600,
    )
    const fresh: number[] = []
    for (let i = 0; i < FRESH; i++) {
      const subject = uscc(i % ENTERPRISES)
      const inspectionId = `F-${i}`
      const res = await fetch(`${ingest.url}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${agency}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          id: `fresh-${i}`,
          source: 'samr.bench',
          type: 'inspection.recorded',
          subject,
          time: new Date(Date.now() - 1000).toISOString(),
          data: { inspectionId, kind: 'random', results: ['no-problem'] },
        }),
      })
      const accepted = performance.now()
      if (res.status !== 202) throw new Error(`ingest answered ${res.status}`)
      await waitFor(
        async () => {
          const p = (await (
            await fetch(`${credit.url}/v1/enterprises/${subject}`, {
              headers: { authorization: `Bearer ${regulator}` },
            })
          ).json()) as { inspections: { inspectionId: string }[] }
          return p.inspections.some((x) => x.inspectionId === inspectionId)
        },
        { what: 'the event in the profile', timeoutMs: 60_000, intervalMs: 10 },
      )
      fresh.push(performance.now() - accepted)
    }
    await producer.disconnect()

    const result = {
      machine: machine(),
      sizes: {
        enterprises: ENTERPRISES,
        events: total,
        eventsPerEnterprise: PER,
        partitions: PARTITIONS,
        qps: QPS,
        querySeconds: SECONDS,
        freshnessEvents: FRESH,
      },
      store: infra.mongoFlavor,
      projection: {
        eventsPerSec: Math.round(eventsPerSec),
        seconds: Number(projectionSeconds.toFixed(1)),
        ceilingEventsPerSec: Math.round(ceilingEventsPerSec),
        ratio: Number((eventsPerSec / ceilingEventsPerSec).toFixed(3)),
        enterprises: ENTERPRISES,
        events: total,
      },
      ceiling: {
        consumeSeconds: Number(consumeSeconds.toFixed(1)),
        writes,
        writeSeconds: Number(writeSeconds.toFixed(1)),
      },
      rebuild: { eventsPerSec: Math.round(rb.eventsPerSec), seconds: Number(rb.seconds.toFixed(1)) },
      query: {
        rps: QPS,
        p50Ms: Number(percentile(latencies, 50).toFixed(2)),
        p99Ms: Number(percentile(latencies, 99).toFixed(2)),
        answered: latencies.length,
      },
      freshness: {
        p50Ms: Number(percentile(fresh, 50).toFixed(1)),
        p99Ms: Number(percentile(fresh, 99).toFixed(1)),
      },
    }
    writeResult('projection', result, [
      ['enterprises / events', `${ENTERPRISES} / ${total}`],
      ['projection (events/s)', `${result.projection.eventsPerSec} (${result.projection.seconds} s)`],
      [
        'ceiling (events/s)',
        `${result.projection.ceilingEventsPerSec} (consume ${result.ceiling.consumeSeconds} s + ${writes} writes ${result.ceiling.writeSeconds} s)`,
      ],
      ['ratio (target ≥ 0.5)', String(result.projection.ratio)],
      ['rebuild (events/s)', String(result.rebuild.eventsPerSec)],
      [`profile GET p50 / p99 at ${QPS}/s (ms)`, `${result.query.p50Ms} / ${result.query.p99Ms}`],
      ['freshness p50 / p99 (ms)', `${result.freshness.p50Ms} / ${result.freshness.p99Ms}`],
      ['store', infra.mongoFlavor],
    ])
  } finally {
    for (const c of children) c.kill('SIGTERM')
    await Promise.all(
      children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))),
    )
    await infra.stop()
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`)
  process.exit(1)
})
