import {
  ATTEMPT_HEADER,
  addWorkingDays,
  catalogue,
  type Envelope,
  formatDate,
  shanghaiDateOf,
  topicNames,
  toOutcomeRecord,
} from '@ecrs/contracts'
import { createProducer, KafkaUnavailableError, type Kafka, type Producer } from '@ecrs/kafka'
import { acceptEvents, candidateHash, ledger } from '@ecrs/ledger'
import { connectStore } from '@ecrs/store'
import { waitFor } from '@ecrs/testkit'
import { testInfra, uniqueName } from '@ecrs/testkit/vitest'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Config } from '../config.js'
import { rebuild } from '../rebuild/rebuild.js'
import type { IngestService } from '../service.js'
import { kafkaClient, randomUscc, startIngest, token } from '../testing/harness.js'
import type { AgencyStats, Bucket } from './domain.js'
import { statsPointer } from './pointer.js'

const infra = testInfra()
const ns = uniqueName('ist')
const topics = topicNames(ns)
let ingest: IngestService
let config: Readonly<Config>
let kafka: Kafka
let producer: Producer
// Each test uses agencies of its own, so the answers do not depend on the order tests run in.
const agencyToken = (agency: string) => token({ role: 'agency', agency })
let regulator: string

beforeAll(async () => {
  ;({ service: ingest, config } = await startIngest(infra, ns, { PROJECTION_CHECK_MS: '200' }))
  kafka = kafkaClient(infra.kafkaBrokers)
  producer = await createProducer(kafka, { logger: pino({ level: 'silent' }) })
  regulator = await token({ role: 'regulator' })
})

afterAll(async () => {
  await producer?.disconnect()
  await ingest?.close()
})

let seq = 0
const nextId = (p: string) => `${p}-${Date.now().toString(36)}-${++seq}`

const penalty = (source: string, time: string) => ({
  id: nextId('pen'),
  source,
  type: 'penalty.decided',
  subject: randomUscc(),
  time,
  data: { decisionNo: `D-${++seq}`, measures: ['warning'], domain: 'food' },
})

const post = async (event: object, auth: string) => {
  const res = await ingest.app.inject({
    method: 'POST',
    url: '/v1/events',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${auth}` },
    payload: JSON.stringify(event),
  })
  return res
}

const get = (query: string, auth?: string) =>
  ingest.app.inject({
    method: 'GET',
    url: `/v1/agencies/stats${query}`,
    headers: auth ? { authorization: `Bearer ${auth}` } : {},
  })

const statsOf = async (agency: string): Promise<AgencyStats | undefined> => {
  const res = await get(`?agency=${agency}`, regulator)
  expect(res.statusCode).toBe(200)
  return res.json<{ agencies: AgencyStats[] }>().agencies.find((a) => a.agency === agency)
}

const until = (agency: string, ok: (s: AgencyStats) => boolean) =>
  waitFor(
    async () => {
      const s = await statsOf(agency)
      return s !== undefined && ok(s)
    },
    { what: `statistics of ${agency}`, timeoutMs: 30_000 },
  )

/** The latest decision time whose lag, recorded now, is exactly `n` working days (from the calendar's own deadline). */
const decidedDaysAgo = (n: number): string => {
  const now = new Date()
  for (let back = 0; back < 60; back++) {
    const day = new Date(now.getTime() - back * 86_400_000)
    const t = new Date(`${formatDate(shanghaiDateOf(day))}T10:00:00+08:00`)
    const lagOk = now <= addWorkingDays(t, n).dueAt && (n === 0 || now > addWorkingDays(t, n - 1).dueAt)
    if (lagOk) return t.toISOString()
  }
  throw new Error(`no decision date with lag ${n}`)
}

describe('GET /v1/agencies/stats (contract §10)', () => {
  it('a penalty recorded on its 7th working day is on time, on its 8th late; lag p50/p90 in working days', async () => {
    const a = 'samr.stats-ontime'
    const auth = await agencyToken(a)
    const onTime = penalty(a, decidedDaysAgo(7))
    const late = penalty(a, decidedDaysAgo(8))
    const fresh = penalty(a, new Date(Date.now() - 60_000).toISOString())
    for (const e of [onTime, late, fresh]) expect((await post(e, auth)).statusCode).toBe(202)
    await until(a, (s) => s.events === 3)
    const s = (await statsOf(a))!
    expect(s.byType).toEqual([
      {
        type: 'penalty.decided',
        events: 3,
        onTime: 2,
        late: 1,
        onTimeRate: 0.6667,
        lagWorkingDaysP50: 7,
        lagWorkingDaysP90: 8,
        applied: 0,
        rejected: 0,
        pending: 3,
      },
    ])
    expect(s).toMatchObject({ agency: a, events: 3, onTimeRate: 0.6667, appliedRate: 0 })
  })

  it('duplicates count once: a retried POST, and a produce refused after its record landed then retried', async () => {
    const a = 'samr.stats-dup'
    const auth = await agencyToken(a)
    const e = penalty(a, new Date(Date.now() - 3_600_000).toISOString())
    expect((await post(e, auth)).statusCode).toBe(202)
    expect((await post(e, auth)).statusCode).toBe(200)
    await until(a, (s) => s.events === 1)
    // The ledger's own door, with a producer whose first send writes the records and then fails (as
    // when Kafka's answer is lost): the retry takes the released lease over and produces again, so
    // the topic holds the first attempt and a retake of the same event.
    const twice = penalty(a, new Date(Date.now() - 3_600_000).toISOString())
    const store = await connectStore({ url: infra.mongoUrl, dbName: config.MONGO_DB })
    try {
      let refuse = true
      const sent: (string | undefined)[] = []
      const flaky: Producer = {
        async send(records) {
          sent.push(...records.map((r) => r.headers?.[ATTEMPT_HEADER]))
          await producer.send(records)
          if (refuse) {
            refuse = false
            throw new KafkaUnavailableError('the answer was lost')
          }
        },
        disconnect: () => Promise.resolve(),
      }
      const event: Envelope = { specversion: '1.0', dataversion: 1, ...twice }
      const candidate = { index: 0, event, spec: catalogue.get(event.type)!, hash: candidateHash(event) }
      const deps = {
        ledger: ledger(store),
        producer: flaky,
        topics,
        log: pino({ level: 'silent' }),
        now: () => new Date(),
        leaseMs: 10_000,
      }
      await expect(acceptEvents(deps, [candidate], 'first')).rejects.toThrow(KafkaUnavailableError)
      expect((await acceptEvents(deps, [candidate], 'retry'))[0]).toMatchObject({ status: 'accepted' })
      // The second is marked a retake: what lets the statistics count the event once.
      expect(sent).toEqual([undefined, 'retake'])
    } finally {
      await store.close()
    }
    // Behind both records on their partition: once it is counted, so are they.
    const marker = { ...penalty(a, new Date(Date.now() - 3_600_000).toISOString()), subject: twice.subject }
    expect((await post(marker, auth)).statusCode).toBe(202)
    await until(a, (s) => s.events >= 3)
    expect((await statsOf(a))!.events).toBe(3)
  })

  it('outcomes move the counts: rejected then applied, and the rebuild gives the same answer', async () => {
    const a = 'samr.stats-outcome'
    const auth = await agencyToken(a)
    const events = [0, 1, 2].map(() => penalty(a, new Date(Date.now() - 7_200_000).toISOString()))
    const recorded: string[] = []
    for (const e of events) {
      const res = await post(e, auth)
      expect(res.statusCode).toBe(202)
      recorded.push(res.json<{ recordedAt: string }>().recordedAt)
    }
    const outcome = (i: number, status: 'applied' | 'rejected') =>
      toOutcomeRecord(topics.outcomes, {
        source: a,
        id: events[i]!.id,
        type: 'penalty.decided',
        consumer: 'credit-profile',
        status,
        ...(status === 'rejected' ? { reason: 'DUPLICATE_ENTITY' } : {}),
        at: new Date(),
        recordedAt: recorded[i]!,
      })
    await producer.send([outcome(0, 'rejected'), outcome(1, 'rejected')])
    await until(a, (s) => s.byType[0]?.rejected === 2)
    expect((await statsOf(a))!.byType[0]).toMatchObject({ events: 3, applied: 0, rejected: 2, pending: 1 })
    await producer.send([outcome(0, 'applied')])
    await until(a, (s) => s.byType[0]?.applied === 1)
    const incremental = (await get('', regulator)).json<{ agencies: AgencyStats[] }>()
    expect(incremental.agencies.find((x) => x.agency === a)).toMatchObject({
      events: 3,
      appliedRate: 0.3333,
      byType: [{ applied: 1, rejected: 1, pending: 1 }],
    })

    const lines: string[] = []
    const result = await rebuild(config, pino({ level: 'warn' }), (l) => lines.push(l))
    expect(result.collection).toMatch(/^stats_/)
    expect(lines.at(-1)).toMatch(/caught up/)
    // Rebuilt == incremental, bucket by bucket.
    const store = await connectStore({ url: config.MONGO_URL, dbName: config.MONGO_DB })
    try {
      const read = async (c: string) =>
        (await store.db.collection<Pick<Bucket, '_id' | 'types'>>(`${c}_buckets`).find({}).toArray())
          .map(({ _id, types }) => ({ _id, types }))
          .sort((x, y) => (x._id < y._id ? -1 : 1))
      const live = await read('stats')
      expect(live.length).toBeGreaterThan(0)
      expect(await read(result.collection)).toEqual(live)
      expect((await statsPointer(store, ns).read()).collection).toBe(result.collection)
    } finally {
      await store.close()
    }
    expect((await get('', regulator)).json()).toEqual(incremental)
  })

  it('from/to select by recorded date; an agency sees itself only; others are refused', async () => {
    const a = 'samr.stats-rights'
    const auth = await agencyToken(a)
    expect((await post(penalty(a, new Date(Date.now() - 60_000).toISOString()), auth)).statusCode).toBe(202)
    await until(a, (s) => s.events === 1)
    const today = formatDate(shanghaiDateOf(new Date()))
    const yesterday = formatDate(shanghaiDateOf(new Date(Date.now() - 86_400_000)))
    const mine = await get(`?from=${today}&to=${today}`, auth)
    expect(mine.statusCode).toBe(200)
    expect(mine.json()).toMatchObject({ from: today, to: today, agencies: [{ agency: a, events: 1 }] })
    expect(mine.json<{ agencies: unknown[] }>().agencies).toHaveLength(1)
    const before = await get(`?to=${yesterday}`, auth)
    expect(before.json()).toMatchObject({
      to: yesterday,
      agencies: [{ agency: a, events: 0, byType: [], onTimeRate: null, appliedRate: null }],
    })

    expect((await get(`?agency=samr.other`, auth)).statusCode).toBe(403)
    expect((await get('')).statusCode).toBe(401)
    for (const role of [{ role: 'admin' }, { role: 'firm', uscc: randomUscc() }] as const)
      expect((await get('', await token(role))).statusCode).toBe(403)
    expect((await get('?from=2025-02-30', regulator)).statusCode).toBe(400)
    expect((await get(`?from=${today}&to=${yesterday}`, regulator)).statusCode).toBe(400)
    expect((await get('?extra=1', regulator)).statusCode).toBe(400)
    const all = (await get('', regulator)).json<{ agencies: AgencyStats[] }>()
    expect(all.agencies.map((x) => x.agency)).toContain(a)
  })

  it('AGENCY_STATS=off: no statistics folded, and the answer says so (503), after the rights (401)', async () => {
    const { service: off } = await startIngest(infra, uniqueName('istoff'), { AGENCY_STATS: 'off' })
    try {
      const ask = (auth?: string) =>
        off.app.inject({
          method: 'GET',
          url: '/v1/agencies/stats',
          headers: auth ? { authorization: `Bearer ${auth}` } : {},
        })
      expect((await ask()).statusCode).toBe(401)
      const res = await ask(regulator)
      expect(res.statusCode).toBe(503)
      expect(res.json<{ code: string }>().code).toBe('SERVICE_UNAVAILABLE')
    } finally {
      await off.close()
    }
  })
})
