import { LOCAL_DEV_SECRET, signToken, type TokenClaims } from '@ecrs/http'
import { waitFor, randomUscc } from '@ecrs/testkit'
import { testInfra, uniqueName } from '@ecrs/testkit/vitest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { coreServices, startServiceProcess, type ServiceProcess } from './stack.js'

/**
 * A missed recall obligation becomes a credit fact: the three services as processes, events in
 * through ingest, the overdue obligation decided by the recall service, counted by the credit
 * profile until the late fulfilment arrives.
 */
const infra = testInfra()
const ns = uniqueName('e2er').replace(/[^a-z0-9.-]/g, '')
const services = new Map<string, ServiceProcess>()
const url = (name: string) => services.get(name)!.url
const token = (claims: Omit<TokenClaims, 'sub'>) =>
  signToken({ sub: 'e2e', ...claims }, LOCAL_DEV_SECRET, 900)

beforeAll(async () => {
  const env = {
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    MONGO_URL: infra.mongoUrl,
    TOPIC_NAMESPACE: ns,
    TOPIC_PARTITIONS: '2',
    LOG_LEVEL: 'warn',
    RULES_INTERVAL_MS: '1000',
  }
  const started = await Promise.all(
    coreServices.map((name) =>
      startServiceProcess(name, { ...env, MONGO_DB: `${ns}_${name}`.replace(/[^A-Za-z0-9_]/g, '_') }),
    ),
  )
  for (const s of started) services.set(s.name, s)
})

afterAll(async () => {
  await Promise.all([...services.values()].map((s) => s.stop()))
})

describe('a recall obligation missed and then fulfilled late', () => {
  it('shows as the recall-obligation-overdue risk factor until it is fulfilled', async () => {
    const firmUscc = randomUscc()
    const agency = await token({ role: 'agency', agency: 'samr.ln' })
    const firm = await token({ role: 'firm', uscc: firmUscc })
    const regulator = await token({ role: 'regulator' })
    const post = async (auth: string, event: Record<string, unknown>) => {
      const res = await fetch(`${url('ingest')}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json' },
        body: JSON.stringify(event),
      })
      expect(res.status).toBe(202)
    }
    const factors = async () => {
      const res = await fetch(`${url('credit-profile')}/v1/enterprises/${firmUscc}`, {
        headers: { authorization: `Bearer ${regulator}` },
      })
      if (res.status !== 200) return undefined
      const p = (await res.json()) as {
        risk: { factors: { code: string; points: number }[] }
        recalls: { recallId: string; overdueObligations: number }[]
      }
      return p
    }
    const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString()

    await post(agency, {
      id: `reg-${firmUscc}`,
      source: 'samr.ln',
      type: 'enterprise.registered',
      subject: firmUscc,
      time: '2026-01-05T09:00:00+08:00',
      data: { name: 'Recall 测试有限公司', registeredAt: '2026-01-05', region: '210102' },
    })
    const recallId = `RC-${firmUscc}`
    // Opened 40 days ago: the plan was due 10 working days later and never came.
    await post(firm, {
      id: 'rc-open',
      source: `firm:${firmUscc}`,
      type: 'recall.initiated',
      subject: firmUscc,
      time: daysAgo(40),
      data: {
        recallId,
        product: { name: 'Kettle K1', category: 'consumer-product', model: 'K1' },
        unitsAffected: 500,
        hazard: 'scalding',
      },
    })
    const overdue = await waitFor(
      async () => {
        const p = await factors()
        return p?.risk.factors.find((f) => f.code === 'recall-obligation-overdue')
      },
      { what: 'the overdue factor in the credit profile', timeoutMs: 60_000 },
    )
    expect(overdue.points).toBe(15)

    const obligations = async () =>
      (await (
        await fetch(`${url('recall')}/v1/firms/${firmUscc}/obligations`, {
          headers: { authorization: `Bearer ${firm}` },
        })
      ).json()) as {
        items: { kind: string; status: string; fulfilledLate?: boolean }[]
      }
    expect((await obligations()).items).toContainEqual(
      expect.objectContaining({ kind: 'submit-plan', status: 'overdue' }),
    )

    // The plan arrives late: the obligation is fulfilled (late), and credit stops counting it.
    await post(firm, {
      id: 'rc-plan',
      source: `firm:${firmUscc}`,
      type: 'recall.plan-submitted',
      subject: firmUscc,
      time: daysAgo(1),
      data: { recallId, remedy: 'replace' },
    })
    await waitFor(
      async () => {
        const p = await factors()
        return p !== undefined && !p.risk.factors.some((f) => f.code === 'recall-obligation-overdue')
      },
      { what: 'the overdue factor to go', timeoutMs: 60_000 },
    )
    expect((await obligations()).items).toContainEqual(
      expect.objectContaining({ kind: 'submit-plan', status: 'fulfilled', fulfilledLate: true }),
    )
  })
})
