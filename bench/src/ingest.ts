/**
 * `npm run bench:ingest`: ingest's speed against its ceiling, in one run on the local stack.
 *
 * - batch: events/s through POST /v1/events:batch (1000 per request, a few clients in parallel),
 *   each answered only once durable in Kafka;
 * - single: p50/p99 latency of POST /v1/events at a fixed request rate (open loop);
 * - ceiling: the same records written straight to Kafka by a kafkajs producer with the same
 *   durability (idempotent, acks=all, through packages/kafka), from the same machine.
 * ratio = batch ÷ ceiling. Sizes: BENCH_EVENTS (default 40000), BENCH_RATE (200/s), BENCH_SECONDS (10).
 */
import { topicNames, usccCheckCharacter } from '@ecrs/contracts'
import { LOCAL_DEV_SECRET, signToken } from '@ecrs/http'
import { createKafka, createProducer, ensureTopics, type OutboundRecord } from '@ecrs/kafka'
import { type Infra, provision, stderrProgress } from '@ecrs/testkit'
import { pino } from 'pino'
import { isMain, log, machine, percentile, runScript, writeResult } from './report.js'
import { startService } from './service.js'

export interface IngestSizes {
  /** Events sent through POST /v1/events:batch (and straight to Kafka for the ceiling). */
  events: number
  /** Single-event requests per second, for `seconds`. */
  rate: number
  seconds: number
}

export const ingestSizesFromEnv = (env: NodeJS.ProcessEnv): IngestSizes => ({
  events: Number(env['BENCH_EVENTS'] ?? 40_000),
  rate: Number(env['BENCH_RATE'] ?? 200),
  seconds: Number(env['BENCH_SECONDS'] ?? 10),
})

const BATCH = 1000
const CLIENTS = 4

const uscc = (i: number): string => {
  const first17 = `9121${String(i % 1_000_000).padStart(6, '0')}${String(i).padStart(7, '0').slice(-7)}`
  return first17 + usccCheckCharacter(first17)
}

const event = (i: number, run: string) => ({
  id: `${run}-${i}`,
  source: 'samr.bench',
  type: 'inspection.recorded',
  subject: uscc(i % 5000),
  time: '2025-04-10T15:00:00+08:00',
  data: { inspectionId: `${run}-insp-${i}`, kind: 'random', results: ['no-problem'] },
})

/** Runs the ingest benchmark against `infra`, with ingest as its own process (`env` added to its own). */
export const benchIngest = async (infra: Infra, sizes: IngestSizes, env: Record<string, string> = {}) => {
  const { events: EVENTS, rate: RATE, seconds: SECONDS } = sizes
  const ns = `bench${Date.now().toString(36)}`
  const service = await startService('ingest', {
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    MONGO_URL: infra.mongoUrl,
    MONGO_DB: `${ns}_ingest`,
    TOPIC_NAMESPACE: ns,
    TOPIC_PARTITIONS: '6',
    ...env,
  })
  const url = service.url
  const all = Array.from({ length: EVENTS }, (_, i) => event(i, 'batch'))
  const latencies: number[] = []
  let failures = 0
  let batchEventsPerSec: number
  let rssMb: number
  try {
    const token = await signToken(
      { sub: 'bench', role: 'agency', agency: 'samr.bench' },
      LOCAL_DEV_SECRET,
      3600,
    )
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }

    // Warm up the JIT, the connections and the topic's partition leaders.
    await fetch(`${url}/v1/events:batch`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ events: Array.from({ length: 200 }, (_, i) => event(i, 'warm')) }),
    })

    log(`batch: ${EVENTS} events in batches of ${BATCH}, ${CLIENTS} clients`)
    const batches: unknown[][] = []
    for (let i = 0; i < all.length; i += BATCH) batches.push(all.slice(i, i + BATCH))
    let next = 0
    let accepted = 0
    const t0 = performance.now()
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (next < batches.length) {
          const b = batches[next++]!
          const res = await fetch(`${url}/v1/events:batch`, {
            method: 'POST',
            headers,
            body: JSON.stringify({ events: b }),
          })
          if (res.status !== 200) throw new Error(`batch answered ${res.status}: ${await res.text()}`)
          const body = (await res.json()) as { results: { status: string }[] }
          accepted += body.results.filter((r) => r.status === 'accepted').length
        }
      }),
    )
    const batchSeconds = (performance.now() - t0) / 1000
    if (accepted !== EVENTS) throw new Error(`only ${accepted} of ${EVENTS} accepted`)
    batchEventsPerSec = EVENTS / batchSeconds

    log(`single: ${RATE} requests/s for ${SECONDS} s`)
    const total = RATE * SECONDS
    const start = performance.now()
    await Promise.all(
      Array.from({ length: total }, async (_, i) => {
        const due = start + (i * 1000) / RATE
        const wait = due - performance.now()
        if (wait > 0) await new Promise((r) => setTimeout(r, wait))
        const s = performance.now()
        const res = await fetch(`${url}/v1/events`, {
          method: 'POST',
          headers,
          body: JSON.stringify(event(i, 'single')),
        })
        await res.arrayBuffer()
        if (res.status === 202) latencies.push(performance.now() - s)
        else failures++
      }),
    )
  } finally {
    rssMb = await service.stop()
  }

  log('ceiling: the same records straight to Kafka')
  const logger = pino({ level: 'warn' })
  const kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: 'bench-ceiling', logger })
  const topic = `${topicNames(ns).enterprise}.ceiling`
  await ensureTopics(kafka, [{ topic, numPartitions: 6 }])
  const producer = await createProducer(kafka, { logger })
  const records: OutboundRecord[] = all.map((e) => ({
    topic,
    key: e.subject,
    value: JSON.stringify(e.data),
    headers: {
      ce_specversion: '1.0',
      ce_id: e.id,
      ce_source: e.source,
      ce_type: e.type,
      ce_subject: e.subject,
      ce_time: e.time,
      ce_dataversion: '1',
      ce_recordedat: new Date().toISOString(),
      'content-type': 'application/json',
      'correlation-id': 'bench',
    },
  }))
  await producer.send(records.slice(0, 200))
  const c0 = performance.now()
  let cursor = 0
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (cursor < records.length) {
        const slice = records.slice(cursor, cursor + BATCH)
        cursor += BATCH
        await producer.send(slice)
      }
    }),
  )
  const kafkaCeilingEventsPerSec = EVENTS / ((performance.now() - c0) / 1000)
  await producer.disconnect()

  const result = {
    sizes: {
      events: EVENTS,
      batchSize: BATCH,
      clients: CLIENTS,
      singleRate: RATE,
      singleSeconds: SECONDS,
      partitions: 6,
    },
    store: infra.mongoFlavor,
    batchEventsPerSec: Math.round(batchEventsPerSec),
    singleP50Ms: Number(percentile(latencies, 50).toFixed(2)),
    singleP99Ms: Number(percentile(latencies, 99).toFixed(2)),
    singleFailures: failures,
    kafkaCeilingEventsPerSec: Math.round(kafkaCeilingEventsPerSec),
    ratio: Number((batchEventsPerSec / kafkaCeilingEventsPerSec).toFixed(3)),
    rssMb,
  }
  return result
}

/** The figures as printed rows. */
export const ingestRows = (result: Awaited<ReturnType<typeof benchIngest>>): [string, string][] => [
  ['batch ingest (events/s)', String(result.batchEventsPerSec)],
  [`single p50 / p99 at ${result.sizes.singleRate}/s (ms)`, `${result.singleP50Ms} / ${result.singleP99Ms}`],
  ['single failures', String(result.singleFailures)],
  ['Kafka ceiling (events/s)', String(result.kafkaCeilingEventsPerSec)],
  ['ratio (target ≥ 0.5)', String(result.ratio)],
  ['ingest peak RSS (MiB)', String(result.rssMb)],
  ['store', result.store],
]

if (isMain(import.meta.url))
  runScript(async () => {
    const infra = await provision({ env: process.env, progress: stderrProgress })
    try {
      const result = await benchIngest(infra, ingestSizesFromEnv(process.env))
      writeResult('ingest', { machine: machine(), ...result }, ingestRows(result))
    } finally {
      await infra.stop()
    }
  })
