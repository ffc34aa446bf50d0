import { LOCAL_DEV_SECRET, createApp, signToken, type Principal } from '@ecrs/http'
import { pino } from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { bodyBudget, callerOf, type BodyBudgetOptions } from './body-budget.js'

/**
 * An app whose POST /hold keeps each request open until the test lets it go. `post` sends as an
 * agency when one is named (the budget per caller), anonymously otherwise.
 */
const build = async (opts: BodyBudgetOptions, bodyLimit: number) => {
  const app = await createApp({
    name: 't',
    version: '0',
    logger: pino({ level: 'silent' }),
    auth: { env: 'development' },
    ready: async () => ({}),
  })
  const budget = bodyBudget(opts)
  const held: (() => void)[] = []
  let arrived = 0
  app.post('/hold', { onRequest: budget, bodyLimit }, async () => {
    arrived += 1
    await new Promise<void>((r) => held.push(r))
    return { ok: true }
  })
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  const send = async (bytes: number, agency?: string, sub = 'u') =>
    fetch(`${url}/hold`, {
      method: 'POST',
      headers: {
        'content-type': 'text/plain',
        ...(agency === undefined
          ? {}
          : {
              authorization: `Bearer ${await signToken({ sub, role: 'agency', agency }, LOCAL_DEV_SECRET, 60)}`,
            }),
      },
      body: 'x'.repeat(bytes),
    })
  const waitArrived = async (n: number) => {
    while (arrived < n) await new Promise((r) => setImmediate(r))
  }
  return { app, budget, held, send, waitArrived }
}

/** The budget of the first tests: anonymous callers, one global budget. */
const buildGlobal = async () => {
  const t = await build({ maxBytes: 100, unknownLengthBytes: 80, retryAfterSeconds: 1 }, 80)
  return { ...t, post: (bytes: number) => t.send(bytes) }
}

/** The budget per caller: a share of 25 of 100 bytes. */
const buildShared = async () => {
  const t = await build({ maxBytes: 100, unknownLengthBytes: 40, retryAfterSeconds: 2, maxShare: 0.25 }, 40)
  return { ...t, post: (agency: string, bytes: number, sub?: string) => t.send(bytes, agency, sub) }
}

let close: (() => Promise<unknown>) | undefined
afterEach(async () => {
  await close?.()
})

describe('bodyBudget', () => {
  it('503 INGEST_BUSY with Retry-After over the budget; room again once a response is sent', async () => {
    const t = await buildGlobal()
    close = () => t.app.close()
    const a = t.post(60)
    await t.waitArrived(1)
    expect(t.budget.inFlight()).toBe(60)

    const refused = await t.post(50)
    expect(refused.status).toBe(503)
    expect(refused.headers.get('retry-after')).toBe('1')
    expect(await refused.json()).toMatchObject({ code: 'INGEST_BUSY' })

    const b = t.post(30)
    await t.waitArrived(2)
    expect(t.budget.inFlight()).toBe(90)
    t.held.splice(0).forEach((release) => release())
    expect((await a).status).toBe(200)
    expect((await b).status).toBe(200)
    await expect.poll(() => t.budget.inFlight()).toBe(0)

    // Alone, any allowed body gets in; one over the body limit is a 413 and reserves nothing.
    const c = t.post(80)
    await t.waitArrived(3)
    expect((await t.post(90)).status).toBe(413)
    t.held.splice(0).forEach((release) => release())
    expect((await c).status).toBe(200)
  })
})

describe('bodyBudget per caller', () => {
  it('a caller over its share gets 503 INGEST_BUSY; others are still let in', async () => {
    const t = await buildShared()
    close = () => t.app.close()
    // The share is 25 bytes; a caller's first request gets in whatever its size (here 40).
    const a = t.post('samr.ln', 40, 'u1')
    await t.waitArrived(1)
    expect(t.budget.heldBy('agency:samr.ln')).toBe(40)

    // Another user of the same agency: the same share.
    const refused = await t.post('samr.ln', 10, 'u2')
    expect(refused.status).toBe(503)
    expect(refused.headers.get('retry-after')).toBe('2')
    expect(await refused.json()).toMatchObject({ code: 'INGEST_BUSY' })

    // Other agencies are served from what is left of the global budget.
    const b = t.post('samr.bj', 20)
    const c = t.post('samr.sh', 25)
    await t.waitArrived(3)
    expect(t.budget.inFlight()).toBe(85)
    t.held.splice(0).forEach((release) => release())
    expect((await a).status).toBe(200)
    expect((await b).status).toBe(200)
    expect((await c).status).toBe(200)
    await expect.poll(() => t.budget.inFlight()).toBe(0)
    expect(t.budget.heldBy('agency:samr.ln')).toBe(0)
  })

  it('counts agencies and firms as organisations, others by subject', () => {
    const cases: [Principal, string][] = [
      [{ kind: 'agency', sub: 'x', agency: 'samr.ln' }, 'agency:samr.ln'],
      [{ kind: 'firm', sub: 'y', uscc: '91110000600037341L' }, 'firm:91110000600037341L'],
      [{ kind: 'regulator', sub: 'r1' }, 'regulator:r1'],
      [{ kind: 'public' }, 'ip:10.0.0.1'],
    ]
    for (const [p, caller] of cases) expect(callerOf(p, '10.0.0.1')).toBe(caller)
  })
})
