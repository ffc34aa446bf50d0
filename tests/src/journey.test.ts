import { randomUscc, waitFor } from '@ecrs/testkit'
import { testInfra, uniqueName } from '@ecrs/testkit/vitest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AGENCY, daysAgo, registered } from './events.js'
import { appliedHistory, dbName, getJson, postBatch, postEvent, token, type Json } from './public-api.js'
import { coreServices, startServiceProcess, type ServiceProcess } from './stack.js'

/**
 * One story across the three processes, through their public doors only: an agency publishes what
 * it decided about a firm and orders a recall; a regulator reads the full profile and finds the firm
 * in a search; the firm follows its recall obligations; the public sees only what may be published,
 * and only once it may.
 */
const infra = testInfra()
const ns = uniqueName('journey').replace(/[^a-z0-9.-]/g, '')
const services = new Map<string, ServiceProcess>()
const url = (name: string) => services.get(name)!.url

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
    coreServices.map((name) => startServiceProcess(name, { ...env, MONGO_DB: dbName(ns, name) })),
  )
  for (const s of started) services.set(s.name, s)
})

afterAll(async () => {
  await Promise.all([...services.values()].map((s) => s.stop()))
})

interface Profile {
  name: string
  penalties: { decisionNo: string; fineAmount?: number; publicity: { published: boolean; until?: string } }[]
  inspections: { inspectionId: string; results: string[] }[]
  recalls: { recallId: string; status: string; published: boolean; overdueObligations: number }[]
  risk?: { class: string; score: number; factors: { code: string; points: number }[] }
}
interface Obligation {
  recallId: string
  kind: string
  status: string
  fulfilledLate?: boolean
}

describe('an agency, a regulator, a firm and the public', () => {
  it('publish, supervise, follow the recall obligations and read the public view', async () => {
    const uscc = randomUscc()
    const product = `Kettle-${uscc.slice(-6)}`
    const recallId = `RC-${uscc}`
    const agency = await token({ role: 'agency', agency: AGENCY })
    const regulator = await token({ role: 'regulator' })
    const firm = await token({ role: 'firm', uscc })
    const otherFirm = await token({ role: 'firm', uscc: randomUscc() })
    const firmSource = `firm:${uscc}`
    const accepted = (r: { status: number }) => expect(r.status).toBe(202)

    // 1. The agency publishes its facts in one batch and orders a recall.
    const facts: Json[] = [
      registered(uscc, 'Journey 电器有限公司'),
      {
        id: `pen-${uscc}`,
        source: AGENCY,
        type: 'penalty.decided',
        subject: uscc,
        time: daysAgo(40),
        data: {
          decisionNo: 'LN-2026-001',
          measures: ['fine'],
          domain: 'product-quality',
          fineAmount: 200_000,
        },
      },
      {
        id: `insp-${uscc}`,
        source: AGENCY,
        type: 'inspection.recorded',
        subject: uscc,
        time: daysAgo(45),
        data: { inspectionId: 'I-1', kind: 'sampling', results: ['product-nonconforming'] },
      },
    ]
    expect((await postBatch(url('ingest'), agency, facts)).map((r) => r.status)).toEqual([
      'accepted',
      'accepted',
      'accepted',
    ])
    accepted(
      await postEvent(url('ingest'), agency, {
        id: `order-${uscc}`,
        source: AGENCY,
        type: 'recall.ordered',
        subject: uscc,
        time: daysAgo(6),
        data: {
          recallId,
          decisionNo: 'LN-RC-2026-001',
          product: { name: product, category: 'consumer-product', model: 'K-1' },
          unitsAffected: 400,
          hazard: 'overheating',
        },
      }),
    )

    // 2. The regulator reads the full profile once the recall service has told credit of the order.
    const profile = (auth?: string) =>
      getJson<Profile>(`${url('credit-profile')}/v1/enterprises/${uscc}`, auth)
    const full = await waitFor(
      async () => {
        const p = (await profile(regulator)).body
        return p.recalls?.some((r) => r.recallId === recallId) ? p : undefined
      },
      { what: 'the ordered recall in the profile', timeoutMs: 60_000 },
    )
    expect(full.name).toBe('Journey 电器有限公司')
    expect(full.penalties).toEqual([
      expect.objectContaining({
        decisionNo: 'LN-2026-001',
        fineAmount: 200_000,
        publicity: expect.objectContaining({
          published: true,
          until: expect.any(String) as unknown,
        }) as unknown,
      }),
    ])
    expect(full.inspections).toEqual([expect.objectContaining({ inspectionId: 'I-1' })])
    expect(full.recalls).toEqual([
      expect.objectContaining({ recallId, status: 'ordered', published: false, overdueObligations: 0 }),
    ])
    // penalty 10 + inspection-failed 10 + recall-ordered 10 = 30: class C.
    expect(full.risk).toMatchObject({ class: 'C', score: 30 })
    expect(full.risk!.factors.map((f) => f.code).sort()).toEqual([
      'inspection-failed',
      'penalty',
      'recall-ordered',
    ])
    const history = (await appliedHistory(url('credit-profile'), regulator, uscc))!
    expect(history.filter((e) => e.source === AGENCY).map((e) => e.id)).toEqual([
      `reg-${uscc}`,
      `insp-${uscc}`,
      `pen-${uscc}`,
    ])
    expect(history.filter((e) => e.source === 'ecrs.recall').map((e) => e.type)).toContain(
      'recall.status-changed',
    )
    const found = await waitFor(
      async () => {
        const r = await getJson<{ items: { uscc: string; risk: { class: string } }[] }>(
          `${url('credit-profile')}/v1/enterprises?region=2101&riskClass=C&limit=100`,
          regulator,
        )
        return r.body.items?.find((i) => i.uscc === uscc)
      },
      { what: 'the firm in the regulator search', timeoutMs: 30_000 },
    )
    expect(found.risk.class).toBe('C')

    // 3. The public, before any notice: the published penalty, no risk, no recall.
    const before = (await profile()).body
    expect(before.risk).toBeUndefined()
    expect(before.penalties.map((p) => p.decisionNo)).toEqual(['LN-2026-001'])
    expect(before.recalls).toEqual([])
    expect((await getJson(`${url('recall')}/v1/recalls/${recallId}`)).status).toBe(404)
    expect((await getJson(`${url('credit-profile')}/v1/enterprises/${uscc}/history`)).status).toBe(401)

    // 4. The firm follows its obligations: the plan is due, it submits it; the agency accepts it;
    // the firm publishes the notice and reports progress.
    const obligations = async (auth: string) =>
      getJson<{ items: Obligation[] }>(`${url('recall')}/v1/firms/${uscc}/obligations`, auth)
    const open = await waitFor(
      async () => {
        const r = await obligations(firm)
        return r.body.items?.some((o) => o.kind === 'submit-plan') ? r.body.items : undefined
      },
      { what: 'the plan obligation', timeoutMs: 30_000 },
    )
    expect(open).toEqual([expect.objectContaining({ recallId, kind: 'submit-plan', status: 'open' })])
    expect((await obligations(otherFirm)).status).toBe(403)
    expect((await getJson(`${url('recall')}/v1/firms/${uscc}/obligations`)).status).toBe(401)

    const steps: [string, Json][] = [
      [
        firm,
        {
          id: 'plan-1',
          source: firmSource,
          type: 'recall.plan-submitted',
          time: daysAgo(5),
          data: { recallId, remedy: 'replace' },
        },
      ],
      [
        agency,
        {
          id: `plan-ok-${uscc}`,
          source: AGENCY,
          type: 'recall.plan-accepted',
          time: daysAgo(4),
          data: { recallId },
        },
      ],
      [
        firm,
        {
          id: 'notice-1',
          source: firmSource,
          type: 'recall.notice-published',
          time: daysAgo(3),
          data: { recallId, channels: ['web'] },
        },
      ],
      [
        firm,
        {
          id: 'progress-1',
          source: firmSource,
          type: 'recall.progress-reported',
          time: daysAgo(1),
          data: { recallId, unitsRemedied: 100 },
        },
      ],
    ]
    for (const [auth, step] of steps)
      accepted(await postEvent(url('ingest'), auth, { ...step, subject: uscc }))

    const kept = await waitFor(
      async () => {
        const items = (await obligations(firm)).body.items
        const done = (kind: string) => items.some((o) => o.kind === kind && o.status === 'fulfilled')
        return done('submit-plan') && done('publish-notice') ? items : undefined
      },
      { what: 'the plan and notice obligations fulfilled', timeoutMs: 60_000 },
    )
    expect(kept.filter((o) => o.status === 'overdue' || o.fulfilledLate === true)).toEqual([])
    const status = await waitFor(
      async () => {
        const r = await getJson<{ status: string; outcomes: { consumer: string; status: string }[] }>(
          `${url('ingest')}/v1/events/${firmSource}/notice-1`,
          firm,
        )
        return r.body.status === 'applied' ? r.body : undefined
      },
      { what: 'the notice reported applied to the firm' },
    )
    expect(status.outcomes).toContainEqual(expect.objectContaining({ consumer: 'recall', status: 'applied' }))

    // The regulator's case: every step in its timeline, a quarter of the units remedied.
    const fullCase = (
      await getJson<{ status: string; completionRate: number; timeline: { id: string }[] }>(
        `${url('recall')}/v1/recalls/${recallId}`,
        regulator,
      )
    ).body
    expect(fullCase.status).toBe('in-progress')
    expect(fullCase.completionRate).toBeCloseTo(0.25)
    expect(fullCase.timeline.map((t) => t.id)).toEqual([`order-${uscc}`, ...steps.map(([, s]) => s['id'])])

    // 5. The public now finds the recall, in its public shape, and sees it on the profile.
    const search = await waitFor(
      async () => {
        const r = await getJson<{ items: Json[] }>(
          `${url('recall')}/v1/public/recalls?q=${product.toLowerCase()}`,
        )
        return r.body.items?.length ? r.body.items : undefined
      },
      { what: 'the published recall in the public search' },
    )
    expect(search).toEqual([expect.objectContaining({ recallId, status: 'in-progress' })])
    expect(
      (await getJson<{ items: Json[] }>(`${url('recall')}/v1/public/recalls?q=${uscc}`)).body.items,
    ).toHaveLength(1)
    const publicCase = (await getJson<Json>(`${url('recall')}/v1/recalls/${recallId}`)).body
    expect(publicCase).toMatchObject({
      recallId,
      producer: { uscc },
      status: 'in-progress',
      unitsAffected: 400,
      hazard: 'overheating',
    })
    expect(publicCase['noticePublishedAt']).toEqual(expect.any(String))
    expect(publicCase).not.toHaveProperty('obligations')
    expect(publicCase).not.toHaveProperty('timeline')
    const after = await waitFor(
      async () => {
        const p = (await profile()).body
        return p.recalls.length > 0 ? p : undefined
      },
      { what: 'the published recall on the public profile', timeoutMs: 30_000 },
    )
    expect(after.recalls).toEqual([expect.objectContaining({ recallId, published: true })])
    expect(after.risk).toBeUndefined()

    // The firm reads itself: the public view, plus its own history; not another firm's.
    const own = await getJson<Profile>(`${url('credit-profile')}/v1/enterprises/${uscc}`, firm)
    expect(own.body.risk).toBeUndefined()
    const ownHistory = (await appliedHistory(url('credit-profile'), firm, uscc))!
    expect(ownHistory.filter((e) => e.source === AGENCY)).toEqual(history.filter((e) => e.source === AGENCY))
    expect((await getJson(`${url('credit-profile')}/v1/enterprises/${uscc}/history`, otherFirm)).status).toBe(
      403,
    )
  })
})
