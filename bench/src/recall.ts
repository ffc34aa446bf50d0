/**
 * `npm run bench:recall`: the recall service's speed on the local stack, as a process.
 *
 * - projection: cases/s from the recall topic into the store — BENCH_CASES `recall.initiated`
 *   (default 5000) plus a `recall.plan-submitted` for half of them, produced straight to the topic;
 *   timed from the first send until the service's consumer group has committed the last offset;
 * - updates: BENCH_UPDATES (default 200) plans on stored cases, each a conditional replace;
 * - sweep: `POST /v1/admin/rules:run` over BENCH_SWEEP_CASES more cases (default 100000) opened 30
 *   days ago, each with an overdue `submit-plan` obligation; obligations/s.
 *
 * The service's clock is the wall clock, and deadlines fall at 24:00 Shanghai time, so a deadline
 * cannot be made to pass between projection and sweep: the consumer already publishes the overdue
 * decisions when it projects the back-dated cases, and the sweep measured here re-reads and
 * re-derives every case and finds nothing new to publish (the steady state of each run).
 */
import { request } from 'node:http'
import { toCloudEventRecord, topicNames, usccCheckCharacter, type Envelope } from '@ecrs/contracts'
import { LOCAL_DEV_SECRET, signToken } from '@ecrs/http'
import { type Kafka, type OutboundRecord, consumerLag, createKafka, createProducer } from '@ecrs/kafka'
import { type Infra, provision, stderrProgress, waitFor } from '@ecrs/testkit'
import { pino } from 'pino'
import { isMain, log, machine, percentile, runScript, writeResult } from './report.js'
import { startService } from './service.js'

export interface RecallSizes {
  cases: number
  sweepCases: number
  updates: number
}

export const recallSizesFromEnv = (env: NodeJS.ProcessEnv): RecallSizes => ({
  cases: Number(env['BENCH_CASES'] ?? 5000),
  sweepCases: Number(env['BENCH_SWEEP_CASES'] ?? 100_000),
  updates: Number(env['BENCH_UPDATES'] ?? 200),
})

const PARTITIONS = 3
const DAY = 86_400_000

const uscc = (i: number): string => {
  const first17 = `9121${String(i % 1_000_000).padStart(6, '0')}${String(i).padStart(7, '0').slice(-7)}`
  return first17 + usccCheckCharacter(first17)
}

const step = (recallId: string, i: number, type: string, time: Date, data: Record<string, unknown>) => {
  const subject = uscc(i % 5000)
  const e: Envelope = {
    specversion: '1.0',
    id: `${type}-${recallId}`,
    source: `firm:${subject}`,
    type,
    subject,
    time: time.toISOString(),
    dataversion: 1,
    data: { recallId, ...data },
  }
  return (topic: string): OutboundRecord =>
    toCloudEventRecord(e, { topic, key: recallId, recordedAt: new Date() })
}

const opening = (recallId: string, i: number, time: Date) =>
  step(recallId, i, 'recall.initiated', time, {
    product: { name: `Kettle ${i}`, category: 'consumer-product', model: `K-${i}` },
    unitsAffected: 100,
    hazard: 'The lid may come off while boiling.',
    regions: ['210100'],
  })

/** Sends in chunks, then waits until the service has committed everything: seconds from first send. */
const project = async (
  kafka: Kafka,
  records: readonly OutboundRecord[],
  groupId: string,
  topic: string,
): Promise<number> => {
  const logger = pino({ level: 'warn' })
  const producer = await createProducer(kafka, { logger })
  const t0 = performance.now()
  try {
    for (let i = 0; i < records.length; i += 1000) await producer.send(records.slice(i, i + 1000))
  } finally {
    await producer.disconnect()
  }
  let lastPrint = 0
  await waitFor(
    async () => {
      const lag = (await consumerLag(kafka, groupId, topic)).lag
      if (performance.now() - lastPrint > 10_000) {
        log(`  ${records.length - lag}/${records.length} events projected`)
        lastPrint = performance.now()
      }
      return lag === 0
    },
    { what: 'the projection', timeoutMs: 3_600_000, intervalMs: 250 },
  )
  return (performance.now() - t0) / 1000
}

/** A POST answered without a client-side timeout: the sweep may take minutes (fetch gives up at 300 s). */
const post = (url: string, token: string): Promise<{ status: number; body: string }> =>
  new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { authorization: `Bearer ${token}` } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })

/** Runs the recall benchmark against `infra`, the recall service as its own process. */
export const benchRecall = async (infra: Infra, sizes: RecallSizes) => {
  const { cases: CASES, sweepCases: SWEEP_CASES, updates: UPDATES } = sizes
  const ns = `bench${Date.now().toString(36)}`
  const topics = topicNames(ns)
  const groupId = `${ns}.recall.cases`
  const service = await startService('recall', {
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    MONGO_URL: infra.mongoUrl,
    MONGO_DB: `${ns}_recall`,
    LEDGER_DB: `${ns}_ingest`,
    TOPIC_NAMESPACE: ns,
    TOPIC_PARTITIONS: String(PARTITIONS),
    RULES_INTERVAL_MS: '0',
  })
  const url = service.url
  const kafka = createKafka({
    brokers: infra.kafkaBrokers,
    clientId: 'bench-recall',
    logger: pino({ level: 'warn' }),
  })
  try {
    const agency = await signToken(
      { sub: 'bench', role: 'agency', agency: 'samr.bench' },
      LOCAL_DEV_SECRET,
      7200,
    )
    const admin = await signToken({ sub: 'bench', role: 'admin' }, LOCAL_DEV_SECRET, 7200)

    // Opened a minute ago: nothing is due yet, the projection alone is measured. A case's plan
    // follows its opening on the same key, as a backlog replays them.
    const opened = new Date(Date.now() - 60_000)
    const planned = new Date(opened.getTime() + 1000)
    const records = Array.from({ length: CASES }, (_, i) => [
      opening(`P-${i}`, i, opened)(topics.recall),
      ...(i % 2 === 0
        ? [step(`P-${i}`, i, 'recall.plan-submitted', planned, { remedy: 'repair' })(topics.recall)]
        : []),
    ]).flat()
    log(`projection: ${CASES} cases, ${records.length} events, ${PARTITIONS} partitions`)
    const projectSeconds = await project(kafka, records, groupId, topics.recall)
    const casesPerSec = CASES / projectSeconds

    // A step on a stored case is a conditional replace, which the local store does not push down
    // to its _id index: measured apart, on cases spread over the collection.
    const later = Array.from({ length: UPDATES }, (_, k) => {
      const i = 1 + 2 * Math.floor((k * (CASES / 2)) / UPDATES)
      return step(`P-${i}`, i, 'recall.plan-submitted', planned, { remedy: 'repair' })(topics.recall)
    })
    log(`updates: ${UPDATES} plans on stored cases`)
    const updateSeconds = await project(kafka, later, groupId, topics.recall)

    // The list endpoint counts what was projected, page by page.
    let listed = 0
    let cursor: string | undefined
    do {
      const res = await fetch(`${url}/v1/recalls?limit=100${cursor ? `&cursor=${cursor}` : ''}`, {
        headers: { authorization: `Bearer ${agency}` },
      })
      const page = (await res.json()) as { items: unknown[]; next?: string }
      listed += page.items.length
      cursor = page.next
    } while (cursor !== undefined)
    if (listed !== CASES) throw new Error(`${listed} of ${CASES} cases listed`)

    // Where a case's time goes: one read by id and one derivation, as GET answers it.
    const reads: number[] = []
    for (let i = 0; i < 200; i++) {
      const s = performance.now()
      const res = await fetch(`${url}/v1/recalls/P-${(i * 7919) % CASES}`, {
        headers: { authorization: `Bearer ${agency}` },
      })
      await res.arrayBuffer()
      reads.push(performance.now() - s)
    }

    const overdueAt = new Date(Date.now() - 30 * DAY)
    log(`sweep: projecting ${SWEEP_CASES} cases opened 30 days ago (each an overdue submit-plan)`)
    const due = Array.from({ length: SWEEP_CASES }, (_, i) => opening(`S-${i}`, i, overdueAt)(topics.recall))
    const sweepProjectSeconds = await project(kafka, due, groupId, topics.recall)
    log(`sweep: POST /v1/admin/rules:run over ${CASES + SWEEP_CASES} cases`)
    const s0 = performance.now()
    const swept = await post(`${url}/v1/admin/rules:run`, admin)
    const sweepSeconds = (performance.now() - s0) / 1000
    if (swept.status !== 200) throw new Error(`rules:run answered ${swept.status}: ${swept.body}`)
    const published = (JSON.parse(swept.body) as { published: string[] }).published.length
    // Every case is swept; the open obligations are those of the overdue cases and of the fresh
    // cases without a plan (a submitted plan fulfils the only obligation a case has so far).
    const obligations = SWEEP_CASES + Math.floor(CASES / 2) - UPDATES

    const rssMb = await service.stop()
    return {
      sizes: {
        cases: CASES,
        plans: Math.ceil(CASES / 2),
        updates: UPDATES,
        sweepCases: SWEEP_CASES,
        partitions: PARTITIONS,
      },
      store: infra.mongoFlavor,
      casesPerSec: Math.round(casesPerSec),
      updatesPerSec: Number((UPDATES / updateSeconds).toFixed(1)),
      overdueCasesPerSec: Math.round(SWEEP_CASES / sweepProjectSeconds),
      readP50Ms: Number(percentile(reads, 50).toFixed(2)),
      sweep: {
        cases: CASES + SWEEP_CASES,
        obligations,
        published,
        seconds: Number(sweepSeconds.toFixed(1)),
        obligationsPerSec: Math.round(obligations / sweepSeconds),
      },
      rssMb,
    }
  } finally {
    await service.stop()
  }
}

/** The figures as printed rows. */
export const recallRows = (r: Awaited<ReturnType<typeof benchRecall>>): [string, string][] => [
  [`projection (cases/s, ${r.sizes.cases} cases + ${r.sizes.plans} plans)`, String(r.casesPerSec)],
  [`steps on stored cases (updates/s, ${r.sizes.updates})`, String(r.updatesPerSec)],
  [`projection of overdue cases (cases/s, ${r.sizes.sweepCases})`, String(r.overdueCasesPerSec)],
  ['GET one case p50 (ms)', String(r.readP50Ms)],
  [`sweep (${r.sweep.obligations} open obligations, s)`, String(r.sweep.seconds)],
  ['sweep (obligations/s)', String(r.sweep.obligationsPerSec)],
  ['decisions published by the sweep', String(r.sweep.published)],
  ['recall peak RSS (MiB)', String(r.rssMb)],
  ['store', r.store],
]

if (isMain(import.meta.url))
  runScript(async () => {
    const infra = await provision({ env: process.env, progress: stderrProgress })
    try {
      const result = await benchRecall(infra, recallSizesFromEnv(process.env))
      writeResult('recall', { machine: machine(), ...result }, recallRows(result))
    } finally {
      await infra.stop()
    }
  })
