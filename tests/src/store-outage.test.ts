import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { topicNames } from '@ecrs/contracts'
import { LocalStore, randomUscc, silentProgress, waitFor } from '@ecrs/testkit'
import { testInfra, uniqueName } from '@ecrs/testkit/vitest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AGENCY, daysAgo, expectedBySubject, inspection, registered } from './events.js'
import {
  dbName,
  getJson,
  idsOf,
  kafkaClient,
  postBatch,
  settledHistories,
  token,
  topicSize,
  type Json,
} from './public-api.js'
import { startServiceProcess, type ServiceProcess } from './stack.js'

/**
 * Fault: the store of the two consumers (credit-profile and recall) goes away while events keep
 * arriving, and comes back on the same port and data. The consumers pause and retry — nothing is
 * dead-lettered, the processes stay up — and catch up: every accepted event applied exactly once.
 */
const infra = testInfra()
const ns = uniqueName('store').replace(/[^a-z0-9.-]/g, '')
const dir = mkdtempSync(join(tmpdir(), 'ecrs-e2e-store-'))
const store = new LocalStore({ dataDir: dir, progress: silentProgress })
let ingest: ServiceProcess
let credit: ServiceProcess
let recall: ServiceProcess

beforeAll(async () => {
  await store.start()
  const env = {
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    TOPIC_NAMESPACE: ns,
    TOPIC_PARTITIONS: '3',
    LOG_LEVEL: 'warn',
  }
  // Ingest keeps the run's store: only the consumers lose theirs.
  ;[ingest, credit, recall] = await Promise.all([
    startServiceProcess('ingest', { ...env, MONGO_URL: infra.mongoUrl, MONGO_DB: dbName(ns, 'ingest') }),
    startServiceProcess('credit-profile', { ...env, MONGO_URL: store.url, MONGO_DB: dbName(ns, 'credit') }),
    startServiceProcess('recall', { ...env, MONGO_URL: store.url, MONGO_DB: dbName(ns, 'recall') }),
  ])
})

afterAll(async () => {
  await Promise.all([ingest?.stop(), credit?.stop(), recall?.stop()])
  await store.stop()
  rmSync(dir, { recursive: true, force: true })
})

const recallInitiated = (uscc: string): Json => ({
  id: `rc-open-${uscc}`,
  source: AGENCY,
  type: 'recall.initiated',
  subject: uscc,
  time: daysAgo(3),
  data: {
    recallId: `RC-${uscc}`,
    product: { name: `Kettle ${uscc.slice(-4)}`, category: 'consumer-product' },
    unitsAffected: 100,
    hazard: 'scalding',
  },
})

const planSubmitted = (uscc: string): Json => ({
  id: `rc-plan-${uscc}`,
  source: AGENCY,
  type: 'recall.plan-submitted',
  subject: uscc,
  time: daysAgo(1),
  data: { recallId: `RC-${uscc}`, remedy: 'repair' },
})

interface Case {
  recallId: string
  status: string
  timeline: { source: string; id: string }[]
}

describe('the consumers lose their store for a while', () => {
  it(
    'pause and retry without dead letters or restarts, then catch up exactly',
    { timeout: 180_000 },
    async () => {
      const agency = await token({ role: 'agency', agency: AGENCY })
      const regulator = await token({ role: 'regulator' })
      const usccs = Array.from({ length: 20 }, () => randomUscc())
      const producers = usccs.slice(0, 10)
      const pids = { credit: credit.child.pid, recall: recall.child.pid }
      const accepted: Json[] = []
      const publish = async (events: Json[]) => {
        const results = await postBatch(ingest.url, agency, events)
        expect(results.filter((r) => r.status !== 'accepted')).toEqual([])
        accepted.push(...events)
      }
      const caseOf = async (uscc: string) =>
        (await getJson<Case>(`${recall.url}/v1/recalls/RC-${uscc}`, regulator)).body

      await publish([...usccs.map((u) => registered(u)), ...producers.map(recallInitiated)])
      await settledHistories(
        credit.url,
        regulator,
        expectedBySubject(accepted.filter(isEnterprise)),
        AGENCY,
        60_000,
      )
      await waitFor(
        async () => (await Promise.all(producers.map(caseOf))).every((c) => c.status === 'initiated'),
        {
          what: 'the recall cases opened',
          timeoutMs: 60_000,
        },
      )

      await store.stop()
      // Events keep coming while the store is gone: both consumers take them and cannot write.
      await publish([...usccs.map((u) => inspection(u, 1)), ...producers.map(planSubmitted)])
      for (const s of [credit, recall])
        await waitFor(() => s.output().includes('transient failure, retrying'), {
          what: `${s.name} to retry`,
          timeoutMs: 60_000,
        })
      expect((await fetch(`${credit.url}/readyz`)).status).toBe(503)
      expect((await fetch(`${recall.url}/readyz`)).status).toBe(503)
      await publish(usccs.map((u) => inspection(u, 2)))
      for (const s of [credit, recall])
        await waitFor(() => retryRounds(s.output()) >= 2, {
          what: `${s.name} to retry the batch afresh after a round of retries`,
          timeoutMs: 90_000,
        })

      await store.start()
      for (const s of [credit, recall])
        await waitFor(async () => (await fetch(`${s.url}/readyz`)).status === 200, {
          what: `${s.name} ready again`,
          timeoutMs: 60_000,
        })

      // Reconciliation: the enterprise events in the credit histories, the recall events in the cases.
      const expected = expectedBySubject(accepted.filter(isEnterprise))
      const histories = await settledHistories(credit.url, regulator, expected, AGENCY, 90_000)
      for (const [uscc, ids] of expected)
        expect(idsOf(histories.get(uscc)!, AGENCY), uscc).toEqual([...ids].sort())
      const cases = await waitFor(
        async () => {
          const all = await Promise.all(producers.map(caseOf))
          return all.every((c) => c.status === 'plan-submitted') ? all : undefined
        },
        { what: 'the plans applied to the cases', timeoutMs: 60_000 },
      )
      for (const c of cases)
        expect(c.timeline.map((t) => `${t.source}/${t.id}`).sort(), c.recallId).toEqual(
          [`${AGENCY}/rc-open-${c.recallId.slice(3)}`, `${AGENCY}/rc-plan-${c.recallId.slice(3)}`].sort(),
        )
      // What recall tells credit arrived too: each producer's profile lists its recall.
      for (const u of producers)
        await waitFor(
          async () =>
            (
              await getJson<{ recalls?: { recallId: string; status: string }[] }>(
                `${credit.url}/v1/enterprises/${u}`,
                regulator,
              )
            ).body.recalls?.some((r) => r.recallId === `RC-${u}` && r.status === 'plan-submitted'),
          { what: `the recall of ${u} in its profile` },
        )

      // Nothing dead-lettered, and the same processes throughout.
      expect(await topicSize(kafkaClient(infra.kafkaBrokers), topicNames(ns).deadLetter)).toBe(0)
      expect([credit.child.exitCode, recall.child.exitCode]).toEqual([null, null])
      expect({ credit: credit.child.pid, recall: recall.child.pid }).toEqual(pids)
    },
  )
})

/**
 * How many rounds of retries a consumer began (pino lines 'transient failure, retrying' whose
 * attempt starts again at 1): more than one means a spent round went back to the consumer loop,
 * which started the batch again instead of dead-lettering it or dying.
 */
const retryRounds = (output: string): number =>
  output.split('\n').filter((l) => {
    if (!l.includes('transient failure, retrying')) return false
    try {
      return (JSON.parse(l) as { attempt?: number }).attempt === 1
    } catch {
      return false
    }
  }).length

const isEnterprise = (e: Json): boolean => !(e['type'] as string).startsWith('recall.')
