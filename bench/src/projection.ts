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
import { type Infra, provision, repoRoot, stderrProgress, waitFor } from '@ecrs/testkit'
import { pino } from 'pino'
import { isMain, log, machine, percentile, runScript, writeResult } from './report.js'
import { type RunningService, startService } from './service.js'

export interface ProjectionSizes {
  enterprises: number
  eventsPerEnterprise: number
  /** Profile GETs per second, for `querySeconds`. */
  qps: number
  querySeconds: number
  /** Events sent through ingest one at a time, each awaited until visible. */
  freshnessEvents: number
}

export const projectionSizesFromEnv = (env: NodeJS.ProcessEnv): ProjectionSizes => ({
  enterprises: Number(env['BENCH_ENTERPRISES'] ?? 2000),
  eventsPerEnterprise: Number(env['BENCH_EVENTS_PER'] ?? 10),
  qps: Number(env['BENCH_QPS'] ?? 50),
  querySeconds: Number(env['BENCH_SECONDS'] ?? 10),
  freshnessEvents: Number(env['BENCH_FRESHNESS_EVENTS'] ?? 100),
})

const PARTITIONS = 6

export const uscc = (i: number): string => {
  const first17 = `9121${String(i).padStart(13, '0')}`
  return first17 + usccCheckCharacter(first17)
}

export const eventsOf = (i: number, run: string, PER: number): Envelope[] => {
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

/**
 * Runs the projection benchmark against `infra`, credit-profile (and ingest, for freshness) as
 * their own processes. `only: 'projection'` measures the projection, its ceiling and the memory,
 * without rebuild, query and freshness (the scaled run).
 */
export const benchProjection = async (infra: Infra, sizes: ProjectionSizes, only?: 'projection') => {
  const { enterprises: ENTERPRISES, eventsPerEnterprise: PER, qps: QPS, querySeconds: SECONDS } = sizes
  const FRESH = sizes.freshnessEvents
  const children: RunningService[] = []
  const logger = pino({ level: 'warn' })
  try {
    const ns = `benchp${Date.now().toString(36)}`
    const topics = topicNames(ns)
    const kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: 'bench-projection', logger })
    await ensureTopics(kafka, topicConfig(topics, PARTITIONS))
    const producer = await createProducer(kafka, { logger })
    const total = ENTERPRISES * PER
    log(`filling ${topics.enterprise}: ${ENTERPRISES} enterprises × ${PER} events = ${total}`)
    // Built and sent a slice at a time: at 80 000 enterprises the whole topic would not fit in memory.
    const slice = Math.max(1, Math.floor(2000 / PER))
    for (let from = 0; from < ENTERPRISES; from += slice) {
      const records: OutboundRecord[] = []
      for (let i = from; i < Math.min(ENTERPRISES, from + slice); i++)
        for (const e of eventsOf(i, 'p', PER))
          records.push(
            toCloudEventRecord(e, { topic: topics.enterprise, key: e.subject, recordedAt: new Date() }),
          )
      await producer.send(records)
      if (from % (slice * 50) === 0 && from > 0) log(`  ${from * PER}/${total} sent`)
    }

    const env = {
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      MONGO_URL: infra.mongoUrl,
      TOPIC_NAMESPACE: ns,
      TOPIC_PARTITIONS: String(PARTITIONS),
      RULES_INTERVAL_MS: '0',
    }
    log('projection: starting credit-profile on the filled topic')
    const credit = await startService('credit-profile', { ...env, MONGO_DB: `${ns}_credit` })
    children.push(credit)
    const group = `${ns}.credit-profile.projection`
    // Timed from readiness (the process's start-up is not projection), over what was left then.
    const t0 = performance.now()
    const lagAtStart = (await consumerLag(kafka, group, topics.enterprise)).lag
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
    const eventsPerSec = lagAtStart / projectionSeconds
    // The peak while projecting, before queries: compared across sizes (no growth with enterprises).
    const projectionRssMb = credit.peakRssMb()
    const samples = credit.rssSamples()
    const rssSeriesMb = samples.filter((_, i) => i % Math.ceil(samples.length / 40) === 0)

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
    // Documents like the projection's own (one of them as the template), written the cheapest way
    // the store allows: the first write of an enterprise inserted with the others of its chunk,
    // later ones replaced by `_id` (one by one on the stand-in, see bulkUpdate).
    const store = await connectStore({ url: infra.mongoUrl, dbName: `${ns}_ceiling` })
    const sample = await store.client
      .db(`${ns}_credit`)
      .collection<{ _id: string }>('enterprises')
      .findOne({ _id: uscc(0) })
    if (!sample) throw new Error('no projected document to copy')
    const { _id: _sampleId, ...template } = sample
    const col = store.db.collection<{ _id: string; version: number }>('docs')
    const perChunk = Math.max(1, Math.min(ENTERPRISES, Math.floor(500 / PER)))
    const w0 = performance.now()
    for (let i = 0; i < writes; i += perChunk) {
      const ids = Array.from({ length: Math.min(perChunk, writes - i) }, (_, j) => i + j)
      const inserts = ids.filter((k) => k < ENTERPRISES)
      if (inserts.length > 0)
        await store.write(() =>
          col.insertMany(inserts.map((k) => ({ ...template, _id: uscc(k), version: 1 }))),
        )
      const ops = ids
        .filter((k) => k >= ENTERPRISES)
        .map((k) => ({
          replaceOne: {
            filter: { _id: uscc(k % ENTERPRISES) },
            replacement: { ...template, version: k },
          },
        }))
      await store.write(() => bulkUpdate(store, col, ops))
    }
    const writeSeconds = (performance.now() - w0) / 1000
    await store.close()
    const ceilingEventsPerSec = total / (consumeSeconds + writeSeconds)

    const projection = {
      eventsPerSec: Math.round(eventsPerSec),
      seconds: Number(projectionSeconds.toFixed(1)),
      ceilingEventsPerSec: Math.round(ceilingEventsPerSec),
      ratio: Number((eventsPerSec / ceilingEventsPerSec).toFixed(3)),
      enterprises: ENTERPRISES,
      events: total,
      rssMb: projectionRssMb,
      /** [seconds since start, MiB] while projecting: a plateau, or growth. */
      rssSeriesMb,
    }
    const ceiling = {
      consumeSeconds: Number(consumeSeconds.toFixed(1)),
      writes,
      /** Size of one projected document as JSON (what each write carries). */
      docBytes: JSON.stringify(sample).length,
      writeSeconds: Number(writeSeconds.toFixed(1)),
    }
    const sizesOut = {
      enterprises: ENTERPRISES,
      events: total,
      eventsPerEnterprise: PER,
      partitions: PARTITIONS,
      qps: QPS,
      querySeconds: SECONDS,
      freshnessEvents: FRESH,
    }
    if (only === 'projection') {
      await producer.disconnect()
      const creditRssMb = await credit.stop()
      return { sizes: sizesOut, store: infra.mongoFlavor, projection, ceiling, creditRssMb }
    }

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
    children.push(ingest)
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

    const creditRssMb = await credit.stop()
    return {
      sizes: sizesOut,
      store: infra.mongoFlavor,
      projection,
      ceiling,
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
      creditRssMb,
    }
  } finally {
    await Promise.all(children.map((c) => c.stop()))
  }
}

type ProjectionResult = Awaited<ReturnType<typeof benchProjection>>

/** The figures as printed rows. */
export const projectionRows = (r: ProjectionResult): [string, string][] => [
  ['enterprises / events', `${r.projection.enterprises} / ${r.projection.events}`],
  ['projection (events/s)', `${r.projection.eventsPerSec} (${r.projection.seconds} s)`],
  [
    'ceiling (events/s)',
    `${r.projection.ceilingEventsPerSec} (consume ${r.ceiling.consumeSeconds} s + ${r.ceiling.writes} writes ${r.ceiling.writeSeconds} s)`,
  ],
  ['ratio (target ≥ 0.5)', String(r.projection.ratio)],
  ...(r.rebuild && r.query && r.freshness
    ? ([
        ['rebuild (events/s)', String(r.rebuild.eventsPerSec)],
        [`profile GET p50 / p99 at ${r.query.rps}/s (ms)`, `${r.query.p50Ms} / ${r.query.p99Ms}`],
        ['freshness p50 / p99 (ms)', `${r.freshness.p50Ms} / ${r.freshness.p99Ms}`],
      ] as [string, string][])
    : []),
  ['credit-profile peak RSS projecting / overall (MiB)', `${r.projection.rssMb} / ${r.creditRssMb}`],
  ['store', r.store],
]

if (isMain(import.meta.url))
  runScript(async () => {
    const infra = await provision({ env: process.env, progress: stderrProgress })
    try {
      // BENCH_ONLY=projection: the projection, its ceiling and the memory, nothing else.
      const only = process.env['BENCH_ONLY'] === 'projection' ? 'projection' : undefined
      const result = await benchProjection(infra, projectionSizesFromEnv(process.env), only)
      writeResult('projection', { machine: machine(), ...result }, projectionRows(result))
    } finally {
      await infra.stop()
    }
  })
