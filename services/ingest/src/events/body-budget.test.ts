import { createApp } from '@ecrs/http'
import { pino } from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { bodyBudget } from './body-budget.js'

/** An app whose POST /hold keeps each request open until the test lets it go. */
const build = async () => {
  const app = await createApp({
    name: 't',
    version: '0',
    logger: pino({ level: 'silent' }),
    auth: { env: 'development' },
    ready: async () => ({}),
  })
  const budget = bodyBudget({ maxBytes: 100, unknownLengthBytes: 80, retryAfterSeconds: 1 })
  const held: (() => void)[] = []
  let arrived = 0
  app.post('/hold', { onRequest: budget, bodyLimit: 80 }, async () => {
    arrived += 1
    await new Promise<void>((r) => held.push(r))
    return { ok: true }
  })
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  const post = (bytes: number) =>
    fetch(`${url}/hold`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'x'.repeat(bytes),
    })
  const waitArrived = async (n: number) => {
    while (arrived < n) await new Promise((r) => setImmediate(r))
  }
  return { app, budget, held, post, waitArrived }
}

let close: (() => Promise<unknown>) | undefined
afterEach(async () => {
  await close?.()
})

describe('bodyBudget', () => {
  it('503 INGEST_BUSY with Retry-After over the budget; room again once a response is sent', async () => {
    const t = await build()
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
