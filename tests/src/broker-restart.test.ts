import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { topicNames } from '@ecrs/contracts'
import { LocalKafka, randomUscc, silentProgress, waitFor } from '@ecrs/testkit'
import { testInfra, uniqueName } from '@ecrs/testkit/vitest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AGENCY, expectedBySubject, inspection, registered, warning } from './events.js'
import {
  dbName,
  getJson,
  idsOf,
  kafkaClient,
  postEvent,
  readTopic,
  settledHistories,
  token,
  type Json,
} from './public-api.js'
import { startServiceProcess, type ServiceProcess } from './stack.js'

/**
 * Fault: the broker dies (SIGKILL) while agencies publish, and comes back on the same port and
 * data. Ingest answers 503 with Retry-After while it is gone and never a 202 it cannot keep:
 * every event that got a 202 is in the log, and credit-profile applies each one exactly once.
 */
const infra = testInfra()
const ns = uniqueName('brk').replace(/[^a-z0-9.-]/g, '')
const dir = mkdtempSync(join(tmpdir(), 'ecrs-e2e-broker-'))
const broker = new LocalKafka({ dataDir: dir, progress: silentProgress })
let ingest: ServiceProcess
let credit: ServiceProcess

beforeAll(async () => {
  await broker.start()
  const env = {
    KAFKA_BROKERS: broker.brokers.join(','),
    MONGO_URL: infra.mongoUrl,
    TOPIC_NAMESPACE: ns,
    TOPIC_PARTITIONS: '3',
    LOG_LEVEL: 'warn',
  }
  ;[ingest, credit] = await Promise.all([
    startServiceProcess('ingest', { ...env, MONGO_DB: dbName(ns, 'ingest'), PRODUCE_TIMEOUT_MS: '1500' }),
    startServiceProcess('credit-profile', { ...env, MONGO_DB: dbName(ns, 'credit') }),
  ])
})

afterAll(async () => {
  await Promise.all([ingest?.stop(), credit?.stop()])
  await broker.stop()
  rmSync(dir, { recursive: true, force: true })
})

interface Answer {
  event: Json
  status: number
  retryAfter: string | null
}

describe('the broker restarts while ingest takes a stream of requests', () => {
  it(
    'answers 503 while it is down, and every 202 is in the log and applied once',
    { timeout: 180_000 },
    async () => {
      const agency = await token({ role: 'agency', agency: AGENCY })
      const regulator = await token({ role: 'regulator' })
      const answers: Answer[] = []
      let stop = false
      const accepted = () => answers.filter((a) => a.status === 202).length
      const refused = () => answers.filter((a) => a.status === 503).length

      // Three publishers, each with its own ten enterprises, one request at a time, until told to stop.
      const publisher = async () => {
        const mine = Array.from({ length: 10 }, () => randomUscc())
        for (let j = 0; !stop && j < 3000; j++) {
          const uscc = mine[j % mine.length]!
          const n = Math.floor(j / mine.length)
          const event = n === 0 ? registered(uscc) : n % 2 === 0 ? warning(uscc, n) : inspection(uscc, n)
          const r = await postEvent(ingest.url, agency, event)
          answers.push({ event, status: r.status, retryAfter: r.retryAfter })
        }
      }
      const publishing = Promise.all([publisher(), publisher(), publisher()])
      try {
        await waitFor(() => accepted() >= 60, { what: '60 events accepted', timeoutMs: 60_000 })
        await broker.kill()
        await waitFor(() => refused() >= 6, {
          what: 'ingest to refuse while the broker is gone',
          timeoutMs: 60_000,
        })
        await broker.start()
        const before = accepted()
        await waitFor(() => accepted() >= before + 60, { what: 'ingest to accept again', timeoutMs: 90_000 })
      } finally {
        stop = true
        await publishing
      }

      // Only 202 or 503 (with Retry-After); the 503s are published again, as a publisher would.
      expect(answers.filter((a) => a.status !== 202 && a.status !== 503).map((a) => a.status)).toEqual([])
      const refusals = answers.filter((a) => a.status === 503)
      expect(refusals.length).toBeGreaterThan(0)
      expect(refusals.filter((a) => !(Number(a.retryAfter) > 0))).toEqual([])
      // A refused event is not recorded as accepted (contract §5), so the same id may come again.
      for (const a of refusals) {
        const st = await getJson<{ recordedAt?: string }>(
          `${ingest.url}/v1/events/${AGENCY}/${a.event['id'] as string}`,
          agency,
        )
        expect(
          st.status === 404 || (st.status === 200 && st.body.recordedAt === undefined),
          a.event['id'] as string,
        ).toBe(true)
      }
      const retried: Answer[] = []
      for (const a of refusals) {
        const r = await waitFor(
          async () => {
            const res = await postEvent(ingest.url, agency, a.event)
            return res.status === 503 ? undefined : res
          },
          { what: `${a.event['id'] as string} accepted on retry`, timeoutMs: 30_000 },
        )
        expect(r.status).toBe(202)
        retried.push({ event: a.event, status: r.status, retryAfter: null })
      }

      // Every 202 is in the log (a 202 missing from it would be a false promise) ...
      const acceptedIds = new Set(
        [...answers, ...retried].filter((a) => a.status === 202).map((a) => a.event['id'] as string),
      )
      expect(acceptedIds.size).toBe(answers.length) // each event accepted once, first time or on retry
      const log = await readTopic(kafkaClient(broker.brokers), topicNames(ns).enterprise)
      const logged = new Set(log.map((m) => m.headers['ce_id']))
      expect([...acceptedIds].filter((id) => !logged.has(id))).toEqual([])
      // ... and the log holds nothing that was not accepted.
      expect([...logged].filter((id) => id === undefined || !acceptedIds.has(id))).toEqual([])

      // Reconciliation: each accepted event applied exactly once, per enterprise.
      const expected = expectedBySubject(answers.map((a) => a.event))
      const histories = await settledHistories(credit.url, regulator, expected, AGENCY, 90_000)
      for (const [uscc, ids] of expected)
        expect(idsOf(histories.get(uscc)!, AGENCY), uscc).toEqual([...ids].sort())
      // Both processes rode it out: no restart.
      expect(ingest.child.exitCode).toBeNull()
      expect(credit.child.exitCode).toBeNull()
    },
  )
})
