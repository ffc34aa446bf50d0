import { Writable } from 'node:stream'

import { pino } from 'pino'
import { afterEach, describe, expect, it } from 'vitest'

import { createApp } from './app.js'
import type { App, AppOptions } from './app.js'
import { LOCAL_DEV_SECRET, requireAuthenticated, requireRoles, signToken } from './auth.js'
import { codedError, httpErrors, withExtras } from './errors.js'

const apps: App[] = []
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()))
})

/** An app whose logs land in `lines`, with a few routes exercising the shared behaviour. */
const build = async (overrides: Partial<AppOptions> = {}) => {
  const lines: Record<string, unknown>[] = []
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>)
      done()
    },
  })
  const app = await createApp({
    name: 'test',
    version: '1.2.3',
    logger: pino({ level: 'debug' }, sink),
    auth: { env: 'development' },
    ready: async () => ({ kafka: true, store: true }),
    bodyLimit: 1024,
    ...overrides,
  })
  apps.push(app)
  app.get(
    '/v1/items',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            riskClass: { enum: ['A', 'B', 'C', 'D'] },
            limit: { type: 'integer', minimum: 1, maximum: 100 },
          },
          additionalProperties: false,
        },
      },
    },
    async (request) => ({ query: request.query, principal: request.principal }),
  )
  app.post('/v1/echo', async (request) => request.body)
  app.post(
    '/v1/events',
    {
      config: { validationErrorCode: 'EVENT_INVALID' },
      schema: {
        body: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            data: { type: 'object', properties: { year: { type: 'integer' } } },
          },
          required: ['id'],
        },
      },
    },
    async () => ({ ok: true }),
  )
  app.get('/v1/admin', { preHandler: requireRoles('admin') }, async () => ({ ok: true }))
  app.post(
    '/v1/publish',
    {
      onRequest: requireAuthenticated,
      preHandler: requireRoles('admin'),
      schema: { body: { type: 'object', required: ['id'] } },
    },
    async () => ({ ok: true }),
  )
  app.get('/v1/boom', async () => {
    throw new Error('connection string mongodb://user:pw@host leaked')
  })
  app.get('/v1/unavailable', async () => {
    throw withExtras(new httpErrors.SERVICE_UNAVAILABLE('kafka down'), { headers: { 'retry-after': '5' } })
  })
  const UsccInvalid = codedError('USCC_INVALID', 400, 'invalid USCC: %s')
  app.get('/v1/uscc', async () => {
    throw new UsccInvalid('X')
  })
  await app.ready()
  return { app, lines }
}

const token = (role: 'admin' | 'regulator') => signToken({ sub: `${role}-1`, role }, LOCAL_DEV_SECRET, 600)

describe('ops endpoints', () => {
  it('GET /healthz answers ok', async () => {
    const { app } = await build()
    const res = await app.inject({ method: 'GET', url: '/healthz' })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ status: 'ok' })
  })

  it('GET /readyz is 200 when every check passes', async () => {
    const { app } = await build()
    const res = await app.inject({ method: 'GET', url: '/readyz' })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ status: 'ready', checks: { kafka: true, store: true } })
  })

  it('GET /readyz is 503 when one check fails or the check throws', async () => {
    const { app } = await build({ ready: async () => ({ kafka: false, store: true }) })
    const res = await app.inject({ method: 'GET', url: '/readyz' })
    expect(res.statusCode).toBe(503)
    expect(res.json()).toEqual({ status: 'not-ready', checks: { kafka: false, store: true } })

    const { app: failing } = await build({ ready: () => Promise.reject(new Error('down')) })
    const thrown = await failing.inject({ method: 'GET', url: '/readyz' })
    expect(thrown.statusCode).toBe(503)
    expect(thrown.json()).toEqual({ status: 'not-ready', checks: {} })
  })

  it('GET /readyz is 503 when the checks hang past the timeout', async () => {
    const { app } = await build({ ready: () => new Promise(() => undefined), readyTimeoutMs: 20 })
    const res = await app.inject({ method: 'GET', url: '/readyz' })
    expect(res.statusCode).toBe(503)
    expect(res.json()).toEqual({ status: 'not-ready', checks: {} })
  })

  it('GET /metrics has the request histogram labelled by route pattern', async () => {
    const { app } = await build()
    await app.inject({ method: 'GET', url: '/v1/items?limit=5' })
    await app.inject({ method: 'GET', url: '/nowhere/USCC123' })
    const res = await app.inject({ method: 'GET', url: '/metrics' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/^text\/plain/)
    expect(res.body).toContain('# TYPE http_request_duration_seconds histogram')
    expect(res.body).toMatch(
      /http_request_duration_seconds_count\{[^}]*route="\/v1\/items"[^}]*status_code="200"/,
    )
    expect(res.body).toContain('process_cpu_user_seconds_total')
    expect(res.body).not.toContain('USCC123')
    expect(res.body).not.toContain('limit=5')
  })

  it('lets services register their own metrics on app.metrics', async () => {
    const { app } = await build()
    const { Counter } = await import('prom-client')
    new Counter({ name: 'events_accepted_total', help: 'accepted', registers: [app.metrics] }).inc()
    const res = await app.inject({ method: 'GET', url: '/metrics' })
    expect(res.body).toMatch(/events_accepted_total\{service="test"\} 1/)
  })

  it('GET /openapi.json serves an OpenAPI 3 document with the bearer scheme and the routes', async () => {
    const { app } = await build({ openapi: { title: 'Test API', description: 'for tests' } })
    const res = await app.inject({ method: 'GET', url: '/openapi.json' })
    expect(res.statusCode).toBe(200)
    const doc = res.json<{
      openapi: string
      info: Record<string, string>
      paths: object
      components: object
    }>()
    expect(doc.openapi).toMatch(/^3\./)
    expect(doc.info).toMatchObject({ title: 'Test API', version: '1.2.3' })
    expect(doc.components).toMatchObject({
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } },
    })
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/healthz', '/readyz', '/v1/items']))
  })

  it('GET /docs serves the Swagger UI, even with a bad token', async () => {
    const { app } = await build()
    const res = await app.inject({
      method: 'GET',
      url: '/docs',
      headers: { authorization: 'Bearer nonsense' },
    })
    expect(res.statusCode).toBeLessThan(400)
    const page = res.statusCode === 200 ? res : await app.inject({ method: 'GET', url: '/docs/' })
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('swagger')
  })

  it('ops endpoints ignore the Authorization header', async () => {
    const { app } = await build()
    for (const url of ['/healthz', '/readyz', '/metrics', '/openapi.json']) {
      const res = await app.inject({ method: 'GET', url, headers: { authorization: 'Bearer bad' } })
      expect(res.statusCode, url).toBe(200)
    }
  })
})

describe('error shape', () => {
  it('404 for an unknown route is ROUTE_NOT_FOUND', async () => {
    const { app } = await build()
    const res = await app.inject({ method: 'GET', url: '/v1/nope?x=1' })
    expect(res.statusCode).toBe(404)
    expect(res.json()).toEqual({
      statusCode: 404,
      code: 'ROUTE_NOT_FOUND',
      error: 'Not Found',
      message: 'route GET /v1/nope not found',
    })
  })

  it('malformed JSON is 400 BODY_INVALID, or the route’s own code', async () => {
    const { app } = await build()
    const headers = { 'content-type': 'application/json' }
    const res = await app.inject({ method: 'POST', url: '/v1/echo', headers, payload: '{"a":' })
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ statusCode: 400, code: 'BODY_INVALID', error: 'Bad Request' })
    expect(Object.keys(res.json<object>()).sort()).toEqual(['code', 'error', 'message', 'statusCode'])

    const own = await app.inject({ method: 'POST', url: '/v1/events', headers, payload: '{"a":' })
    expect(own.json()).toMatchObject({ statusCode: 400, code: 'EVENT_INVALID' })
  })

  it('a body over the limit is 413 PAYLOAD_TOO_LARGE', async () => {
    const { app } = await build()
    const res = await app.inject({
      method: 'POST',
      url: '/v1/echo',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ blob: 'x'.repeat(2048) }),
    })
    expect(res.statusCode).toBe(413)
    expect(res.json()).toMatchObject({
      statusCode: 413,
      code: 'PAYLOAD_TOO_LARGE',
      error: 'Payload Too Large',
    })
  })

  it('an unsupported content type is 415', async () => {
    const { app } = await build()
    const res = await app.inject({
      method: 'POST',
      url: '/v1/echo',
      headers: { 'content-type': 'application/xml' },
      payload: '<a/>',
    })
    expect(res.statusCode).toBe(415)
    expect(res.json()).toMatchObject({ code: 'MEDIA_TYPE_UNSUPPORTED' })
  })

  it('a body schema violation lists errors with JSON pointers', async () => {
    const { app } = await build()
    const res = await app.inject({ method: 'POST', url: '/v1/events', payload: { data: { year: 'soon' } } })
    expect(res.statusCode).toBe(400)
    const body = res.json<{ code: string; errors: { path: string; message: string }[] }>()
    expect(body.code).toBe('EVENT_INVALID')
    expect(body.errors.length).toBeGreaterThan(0)
    expect(body.errors.every((e) => e.path.startsWith('/') && typeof e.message === 'string')).toBe(true)
    expect(body.errors.map((e) => e.path)).toContain('/id')
  })

  it('a service coded error keeps its code and message', async () => {
    const { app } = await build()
    const res = await app.inject({ method: 'GET', url: '/v1/uscc' })
    expect(res.json()).toEqual({
      statusCode: 400,
      code: 'USCC_INVALID',
      error: 'Bad Request',
      message: 'invalid USCC: X',
    })
  })

  it('5xx messages are generic and the real error is logged', async () => {
    const { app, lines } = await build()
    const res = await app.inject({ method: 'GET', url: '/v1/boom' })
    expect(res.statusCode).toBe(500)
    expect(res.json()).toEqual({
      statusCode: 500,
      code: 'INTERNAL',
      error: 'Internal Server Error',
      message: 'internal error',
    })
    expect(res.body).not.toContain('mongodb')
    expect(JSON.stringify(lines)).toContain('connection string')
  })

  it('503 carries extra headers such as Retry-After', async () => {
    const { app } = await build()
    const res = await app.inject({ method: 'GET', url: '/v1/unavailable' })
    expect(res.statusCode).toBe(503)
    expect(res.headers['retry-after']).toBe('5')
    expect(res.json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE', error: 'Service Unavailable' })
    expect(res.body).not.toContain('kafka down')
  })
})

describe('query strictness', () => {
  it('accepts a valid query and coerces types', async () => {
    const { app } = await build()
    const res = await app.inject({ method: 'GET', url: '/v1/items?riskClass=A&limit=10' })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ query: { riskClass: 'A', limit: 10 } })
  })

  it('a repeated parameter is 400 QUERY_INVALID', async () => {
    const { app } = await build()
    const res = await app.inject({ method: 'GET', url: '/v1/items?riskClass=A&riskClass=B' })
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({
      statusCode: 400,
      code: 'QUERY_INVALID',
      errors: [{ path: '/riskClass', message: 'must not be repeated' }],
    })
  })

  it('a bracketed key is 400 QUERY_INVALID, also percent-encoded and on routes without a schema', async () => {
    const { app } = await build()
    for (const url of ['/v1/items?riskClass[$ne]=A', '/v1/items?riskClass%5B%24ne%5D=A', '/healthz?a[]=1']) {
      const res = await app.inject({ method: 'GET', url })
      expect(res.statusCode, url).toBe(400)
      expect(res.json(), url).toMatchObject({ code: 'QUERY_INVALID' })
    }
  })

  it('an unknown parameter on a route with additionalProperties:false is 400', async () => {
    const { app } = await build()
    const res = await app.inject({ method: 'GET', url: '/v1/items?riskclass=A' })
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ code: 'QUERY_INVALID', errors: [{ path: '/riskclass' }] })
  })

  it('an out-of-range value is 400 with the parameter’s pointer', async () => {
    const { app } = await build()
    const res = await app.inject({ method: 'GET', url: '/v1/items?limit=1000' })
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ code: 'QUERY_INVALID', errors: [{ path: '/limit' }] })
  })
})

describe('correlation id and logs', () => {
  it('echoes a well-formed x-correlation-id and generates one otherwise', async () => {
    const { app } = await build()
    const given = await app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-correlation-id': 'abc-123' },
    })
    expect(given.headers['x-correlation-id']).toBe('abc-123')
    const bad = await app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-correlation-id': 'x'.repeat(500) },
    })
    expect(bad.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/)
    const none = await app.inject({ method: 'GET', url: '/v1/nope' })
    expect(none.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('echoes the correlation id on error answers too', async () => {
    const { app } = await build()
    const res = await app.inject({
      method: 'GET',
      url: '/v1/admin',
      headers: { 'x-correlation-id': 'corr-401' },
    })
    expect(res.statusCode).toBe(401)
    expect(res.headers['x-correlation-id']).toBe('corr-401')
  })

  it('never logs the Authorization header', async () => {
    const { app, lines } = await build()
    const jwt = await token('admin')
    // A careless handler logging the raw headers: redaction must still hide the token.
    app.log.info({ headers: { authorization: `Bearer ${jwt}` } }, 'handler logged its headers')
    app.log.info({ config: { ECRS_JWT_SECRET: 'very-secret-value' } }, 'configuration')
    const res = await app.inject({
      method: 'GET',
      url: '/v1/admin',
      headers: { authorization: `Bearer ${jwt}`, 'x-correlation-id': 'corr-log' },
    })
    expect(res.statusCode).toBe(200)
    await app.inject({ method: 'GET', url: '/v1/admin', headers: { authorization: `Bearer ${jwt}x` } })
    const text = JSON.stringify(lines)
    expect(lines.some((l) => l['reqId'] === 'corr-log')).toBe(true)
    expect(text).not.toContain(jwt)
    expect(text).not.toContain('very-secret-value')
    expect(text).toContain('[Redacted]')
  })
})

describe('roles on routes', () => {
  it('401 for public callers, 403 for other roles, 200 for the role', async () => {
    const { app } = await build()
    const anon = await app.inject({ method: 'GET', url: '/v1/admin' })
    expect(anon.statusCode).toBe(401)
    expect(anon.json()).toMatchObject({ statusCode: 401, code: 'UNAUTHORIZED', error: 'Unauthorized' })
    const regulator = await app.inject({
      method: 'GET',
      url: '/v1/admin',
      headers: { authorization: `Bearer ${await token('regulator')}` },
    })
    expect(regulator.statusCode).toBe(403)
    expect(regulator.json()).toMatchObject({ statusCode: 403, code: 'FORBIDDEN', error: 'Forbidden' })
    const admin = await app.inject({
      method: 'GET',
      url: '/v1/admin',
      headers: { authorization: `Bearer ${await token('admin')}` },
    })
    expect(admin.statusCode).toBe(200)
  })

  it('keeps the contract order 401 → 413 → malformed JSON → schema → 403', async () => {
    const { app } = await build()
    const post = async (payload: string, role?: 'admin' | 'regulator') =>
      (
        await app.inject({
          method: 'POST',
          url: '/v1/publish',
          payload,
          headers: {
            'content-type': 'application/json',
            ...(role === undefined ? {} : { authorization: `Bearer ${await token(role)}` }),
          },
        })
      ).statusCode
    const huge = JSON.stringify({ blob: 'x'.repeat(4096) })
    expect(await post(huge)).toBe(401)
    expect(await post(huge, 'regulator')).toBe(413)
    expect(await post('{', 'regulator')).toBe(400)
    expect(await post('{}', 'regulator')).toBe(400)
    expect(await post('{"id":"1"}', 'regulator')).toBe(403)
    expect(await post('{"id":"1"}', 'admin')).toBe(200)
  })

  it('no token gives the public principal on open routes', async () => {
    const { app } = await build()
    const res = await app.inject({ method: 'GET', url: '/v1/items' })
    expect(res.json()).toMatchObject({ principal: { kind: 'public' } })
  })
})
