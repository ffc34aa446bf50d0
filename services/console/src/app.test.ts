import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createVerifier, readConfig, type App } from '@ecrs/http'
import { fastify, type FastifyInstance } from 'fastify'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from './app.js'
import { configSchema } from './config.js'
import { upstreams, upstreamUrl } from './proxy/upstreams.js'

const FIRM = '91110000600037341L'
const logger = pino({ level: 'silent' })
const webDir = mkdtempSync(join(tmpdir(), 'console-web-'))
writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>ECRS</title>')

const consoleApp = async (env: Record<string, string> = {}): Promise<App> => {
  const config = readConfig(configSchema, env)
  return buildApp({ config, logger, upstreams: upstreams(config), webDir, version: '0.0.0' })
}

const signIn = (app: App, body: unknown, url = '/console/v1/sign-in') =>
  app.inject({ method: 'POST', url, payload: body as Record<string, unknown> })

describe('sign in as (development)', () => {
  let app: App
  beforeAll(async () => (app = await consoleApp()))
  afterAll(() => app.close())

  it('mints a token the services accept, in the body and never cached', async () => {
    const res = await signIn(app, { role: 'firm', uscc: FIRM })
    expect(res.statusCode).toBe(200)
    expect(res.headers['cache-control']).toBe('no-store')
    const { token } = res.json<{ token: string }>()
    const principal = await createVerifier({ env: 'development' }).verify(token)
    expect(principal).toMatchObject({ kind: 'firm', uscc: FIRM })
  })

  it.each([
    ['an unknown role', { role: 'root' }],
    ['an agency without its id', { role: 'agency' }],
    ['a reserved agency id', { role: 'agency', agency: 'ecrs.rules' }],
    ['a firm without a USCC', { role: 'firm' }],
    ['an unknown field', { role: 'regulator', admin: true }],
  ])('refuses %s with BODY_INVALID', async (_what, body) => {
    const res = await signIn(app, body)
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ code: 'BODY_INVALID' })
  })

  it('refuses a firm whose USCC fails the check character', async () => {
    const res = await signIn(app, { role: 'firm', uscc: '91110000600037341X' })
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ code: 'USCC_INVALID' })
  })

  it('refuses anything in the query string (a token never rides in a URL)', async () => {
    const res = await signIn(app, { role: 'regulator' }, '/console/v1/sign-in?token=abc')
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ code: 'QUERY_INVALID' })
    const repeated = await app.inject({ url: '/console/v1/sign-in?mode=a&mode=b' })
    expect(repeated.statusCode).toBe(400)
  })

  it('says which sign-in it offers', async () => {
    expect((await app.inject({ url: '/console/v1/sign-in' })).json()).toEqual({ mode: 'sign-in' })
  })
})

describe('sign in as, where it is not offered', () => {
  it.each([
    ['production', { ECRS_ENV: 'production', ECRS_JWT_SECRET: 'a-production-secret-of-some-length' }],
    ['token mode', { ECRS_CONSOLE_AUTH: 'token' }],
  ])('is refused in %s, whatever the body', async (_what, env) => {
    const app = await consoleApp(env)
    try {
      for (const body of [{ role: 'regulator' }, { role: 'nobody' }]) {
        const res = await signIn(app, body)
        expect(res.statusCode).toBe(403)
        expect(res.json()).toMatchObject({ code: 'SIGN_IN_DISABLED' })
      }
      expect((await app.inject({ url: '/console/v1/sign-in' })).json()).toEqual({ mode: 'token' })
    } finally {
      await app.close()
    }
  })
})

describe('proxy path mapping', () => {
  const all = upstreams(readConfig(configSchema, { CONSOLE_RECALL_URL: 'http://10.0.0.3:9000/' }))
  it.each([
    ['/api/ingest/v1/events', 'http://127.0.0.1:8081/v1/events'],
    [
      '/api/credit-profile/v1/enterprises/X?asOf=2025-01-01',
      'http://127.0.0.1:8082/v1/enterprises/X?asOf=2025-01-01',
    ],
    ['/api/recall/v1/public/recalls?q=a', 'http://10.0.0.3:9000/v1/public/recalls?q=a'],
    ['/api/notify/v1/subscriptions', 'http://127.0.0.1:8084/v1/subscriptions'],
    ['/api/inspection/v1/public/inspection-tasks', 'http://127.0.0.1:8085/v1/public/inspection-tasks'],
    ['/api/ingest/openapi.json', 'http://127.0.0.1:8081/openapi.json'],
  ])('%s → %s', (from, to) => expect(upstreamUrl(all, from)).toBe(to))

  it.each([
    '/api/billing/v1/x',
    '/api/ingest/metrics',
    '/api/ingest/docs',
    '/api/ingest/v1/../metrics',
    '/api/ingest/v1/%2e%2e/metrics',
    '/api/ingest',
    '/v1/events',
  ])('%s is not proxied', (from) => expect(upstreamUrl(all, from)).toBeUndefined())
})

describe('the proxy, the page and the headers', () => {
  let upstream: FastifyInstance
  let app: App
  beforeAll(async () => {
    upstream = fastify()
    upstream.removeAllContentTypeParsers()
    upstream.addContentTypeParser('*', { parseAs: 'string' }, (_r, body, done) => done(null, body))
    upstream.all('/*', (request) => ({
      method: request.method,
      url: request.url,
      authorization: request.headers.authorization ?? null,
      contentType: request.headers['content-type'] ?? null,
      body: request.body ?? null,
    }))
    const base = await upstream.listen({ host: '127.0.0.1', port: 0 })
    app = await consoleApp({ CONSOLE_INGEST_URL: base, CONSOLE_CREDIT_PROFILE_URL: base })
  })
  afterAll(async () => {
    await app.close()
    await upstream.close()
  })

  it('passes method, path, query, token and an NDJSON body through unchanged', async () => {
    const ndjson = '{"a":1}\n{"b":2}\n'
    const res = await app.inject({
      method: 'POST',
      url: '/api/ingest/v1/events:batch?x=1',
      headers: { authorization: 'Bearer t0k', 'content-type': 'application/x-ndjson' },
      payload: ndjson,
    })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({
      method: 'POST',
      url: '/v1/events:batch?x=1',
      authorization: 'Bearer t0k',
      contentType: 'application/x-ndjson',
      body: ndjson,
    })
  })

  it('answers a coded 404 for what it does not proxy, and 503 when a service is down', async () => {
    const res = await app.inject({ url: '/api/ingest/metrics' })
    expect(res.statusCode).toBe(404)
    expect(res.json()).toMatchObject({ code: 'ROUTE_NOT_FOUND' })
    const down = await app.inject({ url: '/api/recall/v1/public/recalls' })
    expect(down.statusCode).toBe(503)
  })

  it('serves the app for client routes with a content security policy that forbids inline scripts', async () => {
    const res = await app.inject({ url: '/regulator/enterprises/91110000600037341L' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/text\/html/)
    const csp = String(res.headers['content-security-policy'])
    expect(csp).toContain("script-src 'self'")
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/)
    expect(csp).toContain("frame-ancestors 'none'")
    expect(res.headers['x-content-type-options']).toBe('nosniff')
  })

  it('keeps coded 404s for unknown API paths', async () => {
    const res = await app.inject({ url: '/console/v1/nothing' })
    expect(res.statusCode).toBe(404)
    expect(res.headers['content-type']).toMatch(/json/)
  })

  it('is not ready while a service does not answer', async () => {
    const res = await app.inject({ url: '/readyz' })
    expect(res.statusCode).toBe(503)
    expect(res.json()).toMatchObject({ checks: { ingest: true, 'credit-profile': true, recall: false } })
  })

  it('has no route that takes a token in its path or query string', async () => {
    const doc = (await app.inject({ url: '/openapi.json' })).json<{
      paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>
    }>()
    const names = Object.entries(doc.paths).flatMap(([path, ops]) => [
      path,
      ...Object.values(ops).flatMap((op) => (op.parameters ?? []).map((p) => `${p.in}:${p.name}`)),
    ])
    expect(names.length).toBeGreaterThan(0)
    for (const name of names) expect(name).not.toMatch(/token|jwt|bearer|authorization/i)
    expect((await app.inject({ url: '/console/v1/sign-in?token=x' })).statusCode).toBe(400)
  })
})
