import { randomUscc, waitFor } from '@ecrs/testkit'
import { testInfra, uniqueName } from '@ecrs/testkit/vitest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AGENCY, eventStream, expectedBySubject, recallOpened } from './events.js'
import { dbName, getJson, idsOf, postBatch, settledHistories, token, type Json } from './public-api.js'
import { startServiceProcess, type ServiceName, type ServiceProcess } from './stack.js'

/**
 * Fault with two instances of credit-profile and of recall, each pair sharing its consumer group
 * and database, the rules timers on (every second). Mid-stream one of each is killed (SIGKILL) and
 * started again: the group rebalances while the rules run. Every accepted event is applied exactly
 * once, every recall step is in its case once, and each missed obligation is decided once. The
 * restarted instance answers /healthz at once, before its consumer is back in the group. All along,
 * every instance is asked to run the rules over everything (POST /v1/admin/rules:run).
 */
const infra = testInfra()
const ns = uniqueName('inst').replace(/[^a-z0-9.-]/g, '')
const env = {
  KAFKA_BROKERS: infra.kafkaBrokers.join(','),
  MONGO_URL: infra.mongoUrl,
  TOPIC_NAMESPACE: ns,
  TOPIC_PARTITIONS: '4',
  LOG_LEVEL: 'warn',
  RULES_INTERVAL_MS: '1000',
}
const envOf = (name: ServiceName) => ({ ...env, MONGO_DB: dbName(ns, name) })
const running = new Map<string, ServiceProcess>()

beforeAll(async () => {
  const names = ['ingest', 'credit-profile', 'credit-profile', 'recall', 'recall'] as const
  // One after the other: the second of a pair joins a group the first is in.
  for (const [i, name] of names.entries())
    running.set(`${name}#${i}`, await startServiceProcess(name, envOf(name)))
})

afterAll(async () => {
  await Promise.all([...running.values()].map((s) => s.stop()))
})

const opened = (uscc: string): Json => recallOpened(uscc, 'open', 'RI')

describe('two instances each of credit-profile and recall, one of each killed mid-stream', () => {
  it('applies every event once and decides every missed obligation once', { timeout: 240_000 }, async () => {
    const agency = await token({ role: 'agency', agency: AGENCY })
    const regulator = await token({ role: 'regulator' })
    const ingest = running.get('ingest#0')!.url
    const credit = running.get('credit-profile#1')!
    const recall = running.get('recall#3')!
    const usccs = Array.from({ length: 80 }, () => randomUscc())
    const stream = eventStream(usccs, 6)
    const publish = async (events: Json[]) => {
      for (let i = 0; i < events.length; i += 200) {
        const results = await postBatch(ingest, agency, events.slice(i, i + 200))
        expect(results.filter((r) => r.status !== 'accepted')).toEqual([])
      }
    }
    // Both instances of each are asked to run the rules over everything, again and again, all along.
    const admin = await token({ role: 'admin' })
    let hammering = true
    const hammer = (async () => {
      let answered = 0
      while (hammering)
        for (const key of ['credit-profile#1', 'credit-profile#2', 'recall#3', 'recall#4']) {
          const res = await fetch(`${running.get(key)!.url}/v1/admin/rules:run`, {
            method: 'POST',
            headers: { authorization: `Bearer ${admin}` },
          }).catch(() => undefined) // the killed one, until it is back
          if (res?.status === 200) answered++
        }
      return answered
    })()
    const half = stream.length / 2
    await publish([...stream.slice(0, half), ...usccs.map(opened)])
    // Under way on both: then one of each pair dies without a word.
    await waitFor(
      async () => (await getJson(`${credit.url}/v1/enterprises/${usccs[0]}`, regulator)).status === 200,
      { what: 'the projection under way', timeoutMs: 60_000 },
    )
    const victims = ['credit-profile#2', 'recall#4'] as const
    for (const v of victims) expect(await running.get(v)!.stop('SIGKILL')).toBeNull()
    await publish(stream.slice(half))
    // Started again while the group still counts the dead member (its session has not expired).
    for (const v of victims) {
      const name = v.split('#')[0] as ServiceName
      running.set(v, await startServiceProcess(name, envOf(name), { until: 'healthz' }))
    }

    const expected = expectedBySubject(stream)
    const histories = await settledHistories(credit.url, regulator, expected, AGENCY, 150_000).finally(
      () => (hammering = false),
    )
    expect(await hammer).toBeGreaterThan(8)
    for (const [uscc, ids] of expected)
      expect(idsOf(histories.get(uscc)!, AGENCY), uscc).toEqual([...ids].sort())
    // The plan never came: what recall told credit about each case (its status when opened, the
    // overdue plan), in each history once.
    const fromRecall = (u: string) => [`overdue:RI-${u}:submit-plan:1`, `status:${AGENCY}:open-${u}`]
    const told = await settledHistories(
      credit.url,
      regulator,
      new Map(usccs.map((u) => [u, new Set(fromRecall(u))])),
      'ecrs.recall',
      90_000,
    )
    for (const u of usccs) expect(idsOf(told.get(u)!, 'ecrs.recall'), u).toEqual(fromRecall(u).sort())
    // Each case holds its opening once, whichever instance answers.
    for (const r of [recall, running.get('recall#4')!])
      for (const u of usccs.slice(0, 10)) {
        const c = await getJson<{ timeline: { id: string }[] }>(`${r.url}/v1/recalls/RI-${u}`, regulator)
        expect(c.body.timeline.map((t) => t.id)).toEqual([`open-${u}`])
      }
  })
})
