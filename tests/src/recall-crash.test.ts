import { randomUscc, waitFor } from '@ecrs/testkit'
import { testInfra, uniqueName } from '@ecrs/testkit/vitest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AGENCY, daysAgo, recallOpened, registered } from './events.js'
import { appliedHistory, dbName, getJson, postBatch, token, type Json } from './public-api.js'
import { coreServices, startServiceProcess, type ServiceProcess } from './stack.js'

/**
 * Fault: the recall process is killed (SIGKILL) while it consumes a stream of recall events whose
 * obligations are already missed, and started again. Every accepted step is in its case's timeline
 * exactly once, and what recall decided reached the credit profiles exactly once per obligation:
 * one `recall.obligation-overdue` and one `recall.obligation-fulfilled` (contract §7: never twice,
 * also across restarts).
 */
const infra = testInfra()
const ns = uniqueName('rcrash').replace(/[^a-z0-9.-]/g, '')
const env = {
  KAFKA_BROKERS: infra.kafkaBrokers.join(','),
  MONGO_URL: infra.mongoUrl,
  TOPIC_NAMESPACE: ns,
  TOPIC_PARTITIONS: '3',
  LOG_LEVEL: 'warn',
  RULES_INTERVAL_MS: '1000',
}
const recallEnv = { ...env, MONGO_DB: dbName(ns, 'recall') }
const services = new Map<string, ServiceProcess>()
const url = (name: string) => services.get(name)!.url

beforeAll(async () => {
  const started = await Promise.all(
    coreServices.map((name) =>
      startServiceProcess(name, name === 'recall' ? recallEnv : { ...env, MONGO_DB: dbName(ns, name) }),
    ),
  )
  for (const s of started) services.set(s.name, s)
})

afterAll(async () => {
  await Promise.all([...services.values()].map((s) => s.stop()))
})

// Opened 40 days ago: the plan was due 10 working days later; it arrives late, 2 days ago.
const opened = (uscc: string): Json => recallOpened(uscc, 'rc-open', 'RC')
const planLate = (uscc: string): Json => ({
  id: `rc-plan-${uscc}`,
  source: AGENCY,
  type: 'recall.plan-submitted',
  subject: uscc,
  time: daysAgo(2),
  data: { recallId: `RC-${uscc}`, remedy: 'refund' },
})

interface Case {
  status: string
  timeline: { source: string; id: string }[]
  obligations: { kind: string; status: string; fulfilledLate?: boolean }[]
}

describe('recall killed while it consumes', () => {
  it('applies every step once and decides each missed obligation once', { timeout: 150_000 }, async () => {
    const agency = await token({ role: 'agency', agency: AGENCY })
    const regulator = await token({ role: 'regulator' })
    const usccs = Array.from({ length: 100 }, () => randomUscc())
    const publish = async (events: Json[]) => {
      for (let i = 0; i < events.length; i += 500) {
        const results = await postBatch(url('ingest'), agency, events.slice(i, i + 500))
        expect(results.filter((r) => r.status !== 'accepted')).toEqual([])
      }
    }
    const caseOf = async (uscc: string) => getJson<Case>(`${url('recall')}/v1/recalls/RC-${uscc}`, regulator)

    await publish([...usccs.map((u) => registered(u)), ...usccs.map(opened)])
    await waitFor(async () => (await caseOf(usccs[0]!)).status === 200, {
      what: 'the recall consumer under way',
      timeoutMs: 60_000,
    })
    expect(await services.get('recall')!.stop('SIGKILL')).toBeNull()
    await publish(usccs.map(planLate))
    services.set('recall', await startServiceProcess('recall', recallEnv))

    // Every case: both steps once, the plan fulfilled late, nothing else open or overdue.
    const pending = new Set(usccs)
    await waitFor(
      async () => {
        for (const u of [...pending]) {
          const c = await caseOf(u)
          if (c.status === 200 && c.body.status === 'plan-submitted') pending.delete(u)
        }
        return pending.size === 0
      },
      { what: 'every plan applied', timeoutMs: 100_000, intervalMs: 500 },
    )
    for (const u of usccs) {
      const c = (await caseOf(u)).body
      expect(c.timeline.map((t) => `${t.source}/${t.id}`).sort(), u).toEqual(
        [`${AGENCY}/rc-open-${u}`, `${AGENCY}/rc-plan-${u}`].sort(),
      )
      expect(c.obligations, u).toEqual([
        expect.objectContaining({ kind: 'submit-plan', status: 'fulfilled', fulfilledLate: true }),
      ])
    }

    // What recall decided reached credit once: one overdue and one fulfilment per enterprise.
    const decided = (h: { source: string; type: string }[]) =>
      h
        .filter((e) => e.source === 'ecrs.recall' && e.type.startsWith('recall.obligation-'))
        .map((e) => e.type)
        .sort()
    for (const u of usccs) {
      const h = await waitFor(
        async () => {
          const items = await appliedHistory(url('credit-profile'), regulator, u)
          return items && decided(items).length >= 2 ? items : undefined
        },
        { what: `the decisions about ${u} in its history`, timeoutMs: 60_000 },
      )
      expect(decided(h), u).toEqual(['recall.obligation-fulfilled', 'recall.obligation-overdue'])
    }
  })
})
