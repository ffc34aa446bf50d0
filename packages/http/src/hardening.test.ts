import { Writable } from 'node:stream'

import { pino } from 'pino'
import { afterEach, describe, expect, it } from 'vitest'

import { createApp } from './app.js'
import type { App, AppOptions } from './app.js'
import { LOCAL_DEV_SECRET, signToken } from './auth.js'
import { redactUrl } from './redaction.js'

const apps: App[] = []
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()))
})

/** An app whose log lines land in `lines` (raw JSON text in `text`). */
const build = async (overrides: Partial<AppOptions> = {}) => {
  const lines: string[] = []
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString())
      done()
    },
  })
  const app = await createApp({
    name: 'test',
    version: '1',
    logger: pino({ level: 'debug' }, sink),
    auth: { env: 'development' },
    ready: async () => ({}),
    ...overrides,
  })
  apps.push(app)
  app.get('/v1/items', async (request) => {
    request.log.info({ headers: request.headers }, 'handler logged the headers')
    return { principal: request.principal.kind }
  })
  return { app, lines }
}

const bearer = async () => `Bearer ${await signToken({ sub: 'r', role: 'regulator' }, LOCAL_DEV_SECRET, 600)}`

describe('request logs', () => {
  it('redact credential-like query parameters in the URL, and Authorization and Cookie headers', async () => {
    const { app, lines } = await build()
    const authorization = await bearer()
    const url =
      '/v1/items?access_token=SECRET1&limit=5&token=SECRET2&api_key=SECRET3&client_secret=SECRET4' +
      '&Password=SECRET5&X-Amz-Signature=SECRET6&access%5Ftoken=SECRET7&refreshToken&q=kettle'
    // Answered 400 (the strict query parser refuses a parameter without a value): logged all the same.
    await app.inject({ method: 'GET', url, headers: { authorization, cookie: 'sid=SECRET8' } })
    const res = await app.inject({
      method: 'GET',
      url: '/v1/items',
      headers: { authorization, cookie: 'sid=SECRET8' },
    })
    expect(res.statusCode).toBe(200)
    const text = lines.join('')
    for (let i = 1; i <= 8; i += 1) expect(text).not.toContain(`SECRET${i}`)
    expect(text).not.toContain(authorization.slice(7))
    const incoming = lines.map((l) => JSON.parse(l) as { req?: { url: string } }).find((l) => l.req)
    expect(incoming?.req?.url).toBe(
      '/v1/items?access_token=[Redacted]&limit=5&token=[Redacted]&api_key=[Redacted]&client_secret=[Redacted]' +
        '&Password=[Redacted]&X-Amz-Signature=[Redacted]&access%5Ftoken=[Redacted]&refreshToken=[Redacted]&q=kettle',
    )
    const logged = lines
      .map((l) => JSON.parse(l) as { msg: string; headers?: Record<string, string> })
      .find((l) => l.msg === 'handler logged the headers')
    expect(logged?.headers).toMatchObject({ authorization: '[Redacted]', cookie: '[Redacted]' })
  })

  it('redactUrl leaves URLs without credentials alone', () => {
    expect(redactUrl('/v1/enterprises?riskClass=A&limit=10')).toBe('/v1/enterprises?riskClass=A&limit=10')
    expect(redactUrl('/healthz')).toBe('/healthz')
    expect(redactUrl('/x?%E0%A4%A=1&keyword=a')).toBe('/x?%E0%A4%A=1&keyword=[Redacted]')
  })
})

describe('security headers', () => {
  it('every answer carries nosniff, frame and referrer policies and a strict API CSP', async () => {
    const { app } = await build()
    for (const url of ['/v1/items', '/nowhere', '/healthz']) {
      const res = await app.inject({ method: 'GET', url })
      expect(res.headers['x-content-type-options'], url).toBe('nosniff')
      expect(res.headers['x-frame-options'], url).toBe('SAMEORIGIN')
      expect(res.headers['referrer-policy'], url).toBe('no-referrer')
      expect(res.headers['content-security-policy'], url).toContain("default-src 'none'")
      expect(res.headers['content-security-policy'], url).toContain("frame-ancestors 'none'")
      expect(res.headers['x-powered-by'], url).toBeUndefined()
    }
    // Refusals by the auth hook too.
    const refused = await app.inject({
      method: 'GET',
      url: '/v1/items',
      headers: { authorization: 'Bearer x' },
    })
    expect(refused.statusCode).toBe(401)
    expect(refused.headers['x-content-type-options']).toBe('nosniff')
  })

  it('/docs gets a CSP its page works under: only same-origin scripts, no inline script', async () => {
    const { app } = await build()
    const page = await app.inject({ method: 'GET', url: '/docs' })
    expect(page.statusCode).toBe(200)
    const csp = page.headers['content-security-policy'] as string
    expect(csp).toContain("default-src 'self'")
    expect(csp).toMatch(/script-src 'self'(;| )/)
    expect(csp).not.toContain('unsafe-eval')
    expect(csp).not.toContain('upgrade-insecure-requests')
    const scripts = [...page.body.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)]
    expect(scripts.length).toBeGreaterThan(0)
    for (const [, attrs, body] of scripts) {
      expect(body?.trim(), 'no inline script').toBe('')
      const src = /src="([^"]+)"/.exec(attrs ?? '')?.[1]
      expect(src).toMatch(/^(\.|\/docs)\/static\//)
      const asset = await app.inject({ method: 'GET', url: `/docs/static/${src!.split('/static/')[1]}` })
      expect(asset.statusCode, src).toBe(200)
    }
    // The initializer loads the document from this origin (connect-src 'self').
    const init = await app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' })
    expect(init.statusCode).toBe(200)
    expect(csp).toContain("connect-src 'self'")
  })

  it('Cache-Control: no-store on every answer to a request with an Authorization header', async () => {
    const { app } = await build()
    const authorization = await bearer()
    for (const [url, auth] of [
      ['/v1/items', authorization],
      ['/v1/items', 'Bearer not-a-token'],
      ['/healthz', authorization],
      ['/nowhere', authorization],
    ] as const) {
      const res = await app.inject({ method: 'GET', url, headers: { authorization: auth } })
      expect(res.headers['cache-control'], `${url} ${res.statusCode}`).toBe('no-store')
    }
    const anonymous = await app.inject({ method: 'GET', url: '/v1/items' })
    expect(anonymous.headers['cache-control']).toBeUndefined()
  })
})

describe('server timeouts', () => {
  it('default to 5 s for headers and 10 s for the whole request, checked at least every second', async () => {
    const { app } = await build()
    expect(app.server.headersTimeout).toBe(5000)
    expect(app.server.requestTimeout).toBe(10_000)
  })

  it('take the configured values, and refuse a headers timeout over the body timeout', async () => {
    const { app } = await build({ timeouts: { headersMs: 300, bodyMs: 700 } })
    expect(app.server.headersTimeout).toBe(300)
    expect(app.server.requestTimeout).toBe(700)
    await expect(build({ timeouts: { headersMs: 2000, bodyMs: 1000 } })).rejects.toThrow(/headers timeout/)
  })
})
