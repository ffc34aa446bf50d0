import { LOCAL_DEV_SECRET, signToken, type TokenClaims } from '@ecrs/http'
import { waitFor, randomUscc } from '@ecrs/testkit'
import { testInfra, uniqueName } from '@ecrs/testkit/vitest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServiceProcess, type ServiceProcess } from './stack.js'

/**
 * End to end through the public doors only: agencies and a firm publish through ingest (a
 * process), the credit-profile process projects, decides and publishes outcomes, and the
 * regulator and the publishers read the results over HTTP.
 */
const infra = testInfra()
const ns = uniqueName('e2e').replace(/[^a-z0-9.-]/g, '')
let ingest: ServiceProcess
let credit: ServiceProcess

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
  ;[ingest, credit] = await Promise.all([
    startServiceProcess('ingest', { ...env, MONGO_DB: `${ns}_ingest`.replace(/[^A-Za-z0-9_]/g, '_') }),
    startServiceProcess('credit-profile', {
      ...env,
      MONGO_DB: `${ns}_credit`.replace(/[^A-Za-z0-9_]/g, '_'),
    }),
  ])
})

afterAll(async () => {
  await Promise.all([ingest?.stop(), credit?.stop()])
})

describe('from POST /v1/events to the credit profile', () => {
  it('projects, decides missed annual reports, repairs a listing, and reports outcomes to the publisher', async () => {
    const firmUscc = randomUscc()
    const agency = await token({ role: 'agency', agency: 'samr.ln' })
    const firm = await token({ role: 'firm', uscc: firmUscc })
    const regulator = await token({ role: 'regulator' })
    const post = async (auth: string, event: Record<string, unknown>) => {
      const res = await fetch(`${ingest.url}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json' },
        body: JSON.stringify(event),
      })
      expect(res.status).toBe(202)
      return event
    }
    const status = async (auth: string, source: string, id: string) =>
      (await (
        await fetch(`${ingest.url}/v1/events/${source}/${id}`, {
          headers: { authorization: `Bearer ${auth}` },
        })
      ).json()) as {
        status: string
        outcomes: { consumer: string; status: string; reason?: string }[]
      }
    type Profile = {
      abnormalListings: {
        listingId: string
        year?: number
        active: boolean
        listedBy: string
        removalReason?: string
      }[]
      risk: { class: string }
    }
    const profile = async () => {
      const res = await fetch(`${credit.url}/v1/enterprises/${firmUscc}`, {
        headers: { authorization: `Bearer ${regulator}` },
      })
      return res.status === 200 ? ((await res.json()) as Profile) : undefined
    }

    const reg = await post(agency, {
      id: `reg-${firmUscc}`,
      source: 'samr.ln',
      type: 'enterprise.registered',
      subject: firmUscc,
      time: '2022-04-01T09:00:00+08:00',
      data: { name: 'E2E 测试有限公司', registeredAt: '2022-04-01', region: '210102' },
    })
    // The reports for 2022 (due 30 June 2023) onwards were never filed: the system lists them.
    const listed = await waitFor(
      async () => {
        const p = await profile()
        return p && p.abnormalListings.some((l) => l.year === 2022 && l.listedBy === 'ecrs.rules')
          ? p
          : undefined
      },
      { what: 'the system listing for 2022', timeoutMs: 60_000 },
    )
    const listing = listed.abnormalListings.find((l) => l.year === 2022)!
    expect(listing.active).toBe(true)
    await waitFor(async () => (await status(agency, 'samr.ln', reg.id as string)).status === 'applied', {
      what: 'registration applied',
    })

    // The firm files 2022 late (the listing stays), then applies for repair; the agency approves.
    await post(firm, {
      id: 'ar-2022',
      source: `firm:${firmUscc}`,
      type: 'annual-report.filed',
      subject: firmUscc,
      time: new Date(Date.now() - 60_000).toISOString(),
      data: { year: 2022 },
    })
    await post(firm, {
      id: 'repair-1',
      source: `firm:${firmUscc}`,
      type: 'credit-repair.applied',
      subject: firmUscc,
      time: new Date(Date.now() - 50_000).toISOString(),
      data: { repairId: 'R-1', target: { kind: 'abnormal-listing', ref: listing.listingId } },
    })
    const decided = await post(agency, {
      id: `repair-decided-${firmUscc}`,
      source: 'samr.ln',
      type: 'credit-repair.decided',
      subject: firmUscc,
      time: new Date(Date.now() - 40_000).toISOString(),
      data: { repairId: 'R-1', decision: 'approved' },
    })
    const repaired = await waitFor(
      async () => {
        const p = await profile()
        const l = p?.abnormalListings.find((x) => x.listingId === listing.listingId)
        return l && !l.active ? l : undefined
      },
      { what: 'the listing removed by the repair', timeoutMs: 60_000 },
    )
    expect(repaired.removalReason).toBe('credit-repair')
    const s = await waitFor(
      async () => {
        const r = await status(agency, 'samr.ln', decided.id as string)
        return r.status === 'applied' ? r : undefined
      },
      { what: 'the repair decision applied' },
    )
    expect(s.outcomes).toEqual([expect.objectContaining({ consumer: 'credit-profile', status: 'applied' })])

    // A repair of a listing whose report is still missing is not eligible: the publisher sees why.
    const l2023 = (await profile())!.abnormalListings.find((l) => l.year === 2023)
    expect(l2023).toBeDefined()
    await post(firm, {
      id: 'repair-2',
      source: `firm:${firmUscc}`,
      type: 'credit-repair.applied',
      subject: firmUscc,
      time: new Date(Date.now() - 30_000).toISOString(),
      data: { repairId: 'R-2', target: { kind: 'abnormal-listing', ref: l2023!.listingId } },
    })
    const refused = await post(agency, {
      id: `repair-refused-${firmUscc}`,
      source: 'samr.ln',
      type: 'credit-repair.decided',
      subject: firmUscc,
      time: new Date(Date.now() - 20_000).toISOString(),
      data: { repairId: 'R-2', decision: 'approved' },
    })
    const r2 = await waitFor(
      async () => {
        const r = await status(agency, 'samr.ln', refused.id as string)
        return r.status === 'rejected' ? r : undefined
      },
      { what: 'the ineligible repair rejected' },
    )
    expect(r2.outcomes[0]).toMatchObject({
      consumer: 'credit-profile',
      status: 'rejected',
      reason: 'REPAIR_NOT_ELIGIBLE',
    })
  })
})
