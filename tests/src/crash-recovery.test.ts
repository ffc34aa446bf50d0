import { randomUscc, waitFor } from '@ecrs/testkit'
import { testInfra, uniqueName } from '@ecrs/testkit/vitest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AGENCY, eventStream, expectedBySubject, inspection } from './events.js'
import {
  dbName,
  appliedHistory,
  getJson,
  idsOf,
  postBatch,
  settledHistories,
  token,
  type Json,
} from './public-api.js'
import { startServiceProcess, type ServiceProcess } from './stack.js'

/**
 * Fault: the credit-profile process is killed (SIGKILL, no goodbye) while it consumes a stream of
 * thousands of events, more arrive while it is down, and it is started again. Reconciliation: every event ingest accepted is in
 * its enterprise's applied history exactly once — none missing, none twice, none invented.
 */
const infra = testInfra()
const ns = uniqueName('crash').replace(/[^a-z0-9.-]/g, '')
const env = {
  KAFKA_BROKERS: infra.kafkaBrokers.join(','),
  MONGO_URL: infra.mongoUrl,
  TOPIC_NAMESPACE: ns,
  TOPIC_PARTITIONS: '3',
  LOG_LEVEL: 'warn',
}
const creditEnv = { ...env, MONGO_DB: dbName(ns, 'credit') }
let ingest: ServiceProcess
let credit: ServiceProcess

beforeAll(async () => {
  ;[ingest, credit] = await Promise.all([
    startServiceProcess('ingest', { ...env, MONGO_DB: dbName(ns, 'ingest') }),
    startServiceProcess('credit-profile', creditEnv),
  ])
})

afterAll(async () => {
  await Promise.all([ingest?.stop(), credit?.stop()])
})

describe('credit-profile killed while it consumes', () => {
  it('applies every accepted event exactly once after the restart', { timeout: 150_000 }, async () => {
    const agency = await token({ role: 'agency', agency: AGENCY })
    const regulator = await token({ role: 'regulator' })
    const usccs = Array.from({ length: 250 }, () => randomUscc())
    const stream = eventStream(usccs, 10) // 2500 events
    const accepted: Json[] = []
    const publish = async (events: readonly Json[]) => {
      for (let i = 0; i < events.length; i += 500) {
        const chunk = events.slice(i, i + 500)
        const results = await postBatch(ingest.url, agency, chunk)
        expect(results.filter((r) => r.status !== 'accepted')).toEqual([])
        accepted.push(...chunk)
      }
    }
    // Progress as the public sees it: applied events of every tenth enterprise.
    const sample = usccs.filter((_, i) => i % 10 === 0)
    const sampleApplied = async () => {
      let n = 0
      for (const u of sample) n += (await appliedHistory(credit.url, regulator, u))?.length ?? 0
      return n
    }

    // First part, then the kill as soon as the projection is under way.
    await publish(stream.slice(0, 1500))
    await waitFor(async () => (await sampleApplied()) > 0, {
      what: 'the projection to start',
      timeoutMs: 60_000,
    })
    expect(await credit.stop('SIGKILL')).toBeNull()

    // The rest arrives while it is down, with late events for a few enterprises; then it starts again.
    await publish(stream.slice(1500))
    const late = usccs.slice(0, 20).map((u) => inspection(u, 99))
    await publish(late)
    credit = await startServiceProcess('credit-profile', creditEnv)
    const expected = expectedBySubject(accepted)
    expect(accepted).toHaveLength(2520)
    const histories = await settledHistories(credit.url, regulator, expected, AGENCY, 100_000)
    for (const [uscc, ids] of expected) {
      expect(idsOf(histories.get(uscc)!, AGENCY), uscc).toEqual([...ids].sort())
      // Nothing but what was published: the rules decided nothing for these enterprises.
      expect(
        histories.get(uscc)!.filter((e) => e.source !== AGENCY),
        uscc,
      ).toEqual([])
    }
    // The folds agree with the histories: each inspection and penalty counted once.
    const one = await getJson<{ inspections: unknown[]; penalties: unknown[] }>(
      `${credit.url}/v1/enterprises/${usccs[0]}`,
      regulator,
    )
    expect(one.body.inspections).toHaveLength(6) // 1, 3, 5, 7, 9 and 99
    expect(one.body.penalties).toHaveLength(4) // 2, 4, 6, 8
    expect(
      (await getJson<{ enterprises: number }>(`${credit.url}/v1/stats`, regulator)).body.enterprises,
    ).toBe(usccs.length)
    // And ingest reports them applied to their publisher (contract §5).
    for (const e of late)
      await waitFor(
        async () =>
          (
            await getJson<{ status: string }>(
              `${ingest.url}/v1/events/${AGENCY}/${e['id'] as string}`,
              agency,
            )
          ).body.status === 'applied',
        { what: `${e['id'] as string} reported applied` },
      )
  })
})
