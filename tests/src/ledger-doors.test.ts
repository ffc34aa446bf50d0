import { randomUscc, waitFor } from '@ecrs/testkit'
import { testInfra, uniqueName } from '@ecrs/testkit/vitest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getJson, postEvent, token } from './public-api.js'
import { startStack } from './stack.js'

/**
 * One ledger for both doors (contract §7, issue 11 findings 4, 5 and 8): ingest and the recall
 * commands judge a (`source`, `id`) against the same entries, whichever door saw it first; no door
 * publishes as a reserved `ecrs.*` source; another firm learns nothing of an unpublished case.
 */
const infra = testInfra()
const ns = uniqueName('doors').replace(/[^a-z0-9.-]/g, '')
let stack: Awaited<ReturnType<typeof startStack>>
const url = (name: 'ingest' | 'recall') => stack.url(name)

beforeAll(async () => {
  stack = await startStack(infra, ns, ['ingest', 'recall'])
})

afterAll(async () => {
  await stack?.stop()
})

const command = async (path: string, auth: string, body: unknown) => {
  const res = await fetch(`${url('recall')}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

const opening = (recallId: string) => ({
  recallId,
  product: { name: 'Kettle K9', category: 'consumer-product', model: 'K9-2025' },
  unitsAffected: 100,
  hazard: 'The lid may come off while boiling.',
  regions: ['210100'],
})

const penalty = (uscc: string, id: string) => ({
  id,
  source: 'samr.ln',
  type: 'penalty.decided',
  subject: uscc,
  time: '2025-03-01T10:00:00+08:00',
  data: { decisionNo: `D-${id}`, measures: ['fine'], fineAmount: 5000, domain: 'product-quality' },
})

describe('one idempotency ledger for ingest and the recall commands', () => {
  it("refuses a recall command under the id of an agency's event published at ingest (409)", async () => {
    const uscc = randomUscc()
    const agency = await token({ role: 'agency', agency: 'samr.ln' })
    const id = `shared-${ns}-1`
    const first = await postEvent(url('ingest'), agency, penalty(uscc, id))
    expect(first.status, JSON.stringify(first.body)).toBe(202)
    const cmd = await command('/v1/recalls', agency, { ...opening(`R-${id}`), subject: uscc, id })
    expect(cmd.status).toBe(409)
    expect(cmd.body).toMatchObject({ code: 'EVENT_ID_CONFLICT' })
    // The ledger still holds the penalty under that key, as ingest judges it.
    const again = await postEvent(url('ingest'), agency, penalty(uscc, id))
    expect(again.status).toBe(200)
    expect(again.body).toMatchObject({ duplicate: true })
  })

  it('refuses at ingest an id a recall command used, and takes the same event there as a duplicate', async () => {
    const uscc = randomUscc()
    const firm = await token({ role: 'firm', uscc })
    const id = `cmd-${ns}-2`
    const time = '2025-04-07T10:00:00+08:00'
    const opened = await command('/v1/recalls', firm, { ...opening(`R-${id}`), id, time })
    expect(opened.status, JSON.stringify(opened.body)).toBe(202)
    const asPublished = {
      id,
      source: `firm:${uscc}`,
      type: 'recall.initiated',
      subject: uscc,
      time,
      data: opening(`R-${id}`),
    }
    const same = await postEvent(url('ingest'), firm, asPublished)
    expect(same.status, JSON.stringify(same.body)).toBe(200)
    expect(same.body).toMatchObject({ duplicate: true })
    const other = await postEvent(url('ingest'), firm, {
      ...asPublished,
      type: 'annual-report.filed',
      data: { year: 2024 },
    })
    expect(other.status).toBe(409)
    expect(other.body).toMatchObject({ code: 'EVENT_ID_CONFLICT' })
    // A repeat through the command door is a duplicate as well.
    const repeat = await command('/v1/recalls', firm, { ...opening(`R-${id}`), id, time })
    expect(repeat.status).toBe(200)
    expect(repeat.body).toMatchObject({ duplicate: true })
  })
})

describe('reserved sources and hidden cases at the recall commands', () => {
  it("refuses an agency token whose agency claim is 'ecrs.…' (403), for opening and for steps", async () => {
    const uscc = randomUscc()
    for (const agency of ['ecrs.recall', 'ecrs.rules']) {
      const t = await token({ role: 'agency', agency })
      const r = await command('/v1/recalls', t, { ...opening(`R-${ns}-${agency}`), subject: uscc })
      expect(r.status, agency).toBe(403)
    }
    const firm = await token({ role: 'firm', uscc })
    const recallId = `R-${ns}-hidden`
    expect((await command('/v1/recalls', firm, opening(recallId))).status).toBe(202)
    const regulator = await token({ role: 'regulator' })
    await waitFor(
      async () => (await getJson(`${url('recall')}/v1/recalls/${recallId}`, regulator)).status === 200,
      {
        what: `recall ${recallId}`,
      },
    )
    const system = await token({ role: 'agency', agency: 'ecrs.recall' })
    expect((await command(`/v1/recalls/${recallId}/plan:accept`, system, {})).status).toBe(403)
    const unchanged = await getJson<{ status: string }>(`${url('recall')}/v1/recalls/${recallId}`, regulator)
    expect(unchanged.body.status).toBe('initiated')

    // Another firm: the unpublished case answers 404 to its commands, as to its GET.
    const other = await token({ role: 'firm', uscc: randomUscc() })
    expect((await getJson(`${url('recall')}/v1/recalls/${recallId}`, other)).status).toBe(404)
    const step = await command(`/v1/recalls/${recallId}/plan`, other, { remedy: 'repair' })
    expect(step.status).toBe(404)
    expect(step.body).toMatchObject({ code: 'RECALL_NOT_FOUND' })
  })
})
