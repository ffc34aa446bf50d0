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
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { topicNames, usccCheckCharacter } from '@ecrs/contracts'
import { LOCAL_DEV_SECRET, signToken } from '@ecrs/http'
import { createKafka, createProducer, ensureTopics, type OutboundRecord } from '@ecrs/kafka'
import { freePort, provision, repoRoot, stderrProgress, waitFor } from '@ecrs/testkit'
import { pino } from 'pino'
import { log, machine, percentile, writeResult } from './report.js'

const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 40_000)
const RATE = Number(process.env['BENCH_RATE'] ?? 200)
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10)
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

const main = async (): Promise<void> => {
  const infra = await provision({ env: process.env, progress: stderrProgress })
  const ns = `bench${Date.now().toString(36)}`
  const port = await freePort()
  const child = spawn(process.execPath, [join(repoRoot, 'services', 'ingest', 'dist', 'main.js')], {
    env: {
      ...process.env,
      PORT: String(port),
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      MONGO_URL: infra.mongoUrl,
      MONGO_DB: `${ns}_ingest`,
      TOPIC_NAMESPACE: ns,
      TOPIC_PARTITIONS: '6',
      LOG_LEVEL: process.env['BENCH_LOG_LEVEL'] ?? 'warn',
      RATE_LIMIT_PER_SECOND: '100000',
      RATE_LIMIT_BURST: '100000',
    },
    stdio: ['ignore', process.env['BENCH_DEBUG'] ? 'inherit' : 'ignore', 'inherit', 'ipc'],
  })
  const url = `http://127.0.0.1:${port}`
  try {
    await waitFor(async () => (await fetch(`${url}/readyz`)).status === 200, {
      what: 'ingest ready',
      timeoutMs: 60_000,
    })
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
    const all = Array.from({ length: EVENTS }, (_, i) => event(i, 'batch'))
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
    const batchEventsPerSec = EVENTS / batchSeconds

    log(`single: ${RATE} requests/s for ${SECONDS} s`)
    const latencies: number[] = []
    let failures = 0
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
      machine: machine(),
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
    }
    writeResult('ingest', result, [
      ['batch ingest (events/s)', String(result.batchEventsPerSec)],
      [`single p50 / p99 at ${RATE}/s (ms)`, `${result.singleP50Ms} / ${result.singleP99Ms}`],
      ['single failures', String(failures)],
      ['Kafka ceiling (events/s)', String(result.kafkaCeilingEventsPerSec)],
      ['ratio (target ≥ 0.5)', String(result.ratio)],
      ['store', infra.mongoFlavor],
    ])
  } finally {
    child.kill('SIGTERM')
    await new Promise((r) => child.once('exit', r))
    await infra.stop()
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`)
  process.exit(1)
})
