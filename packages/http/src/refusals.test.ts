import { connect } from 'node:net'

import { pino } from 'pino'
import { afterEach, describe, expect, it } from 'vitest'

import { createApp } from './app.js'
import type { App } from './app.js'
import { illFormedStringPath, mayHoldLoneSurrogate } from './json-body.js'

// What the shared app refuses before a route runs, and how: 405 for a known path with another
// method, the router's own refusals, Node's parser refusals, lone surrogates in JSON bodies, and
// the error answers every route documents in /openapi.json.

const apps: App[] = []
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()))
})

const build = async (): Promise<App> => {
  const app = await createApp({
    name: 'test',
    version: '1.0.0',
    logger: pino({ level: 'silent' }),
    auth: { env: 'development' },
    ready: async () => ({ store: true }),
  })
  apps.push(app)
  app.get(
    '/v1/things/:id',
    {
      schema: {
        params: {
          type: 'object',
          properties: { id: { type: 'string', maxLength: 128 } },
          required: ['id'],
        },
      },
    },
    async (request) => request.params,
  )
  app.post('/v1/things::search', { config: { validationErrorCode: 'THING_INVALID' } }, async (request) => ({
    got: request.body,
  }))
  return app
}

describe('405 for a path served with other methods', () => {
  it('answers METHOD_NOT_ALLOWED with Allow, before auth', async () => {
    const app = await build()
    const res = await app.inject({
      method: 'DELETE',
      url: '/v1/things/1',
      headers: { authorization: 'Bearer junk' },
    })
    expect(res.statusCode).toBe(405)
    expect(res.headers['allow']).toBe('GET, HEAD')
    expect(res.json()).toMatchObject({ statusCode: 405, code: 'METHOD_NOT_ALLOWED' })
  })

  it('keeps 404 ROUTE_NOT_FOUND for a path nothing serves', async () => {
    const app = await build()
    const res = await app.inject({ method: 'DELETE', url: '/v1/nothing' })
    expect(res.statusCode).toBe(404)
    expect(res.json()).toMatchObject({ code: 'ROUTE_NOT_FOUND' })
  })

  it('routes `::` as a literal colon, not a parameter', async () => {
    const app = await build()
    expect((await app.inject({ method: 'POST', url: '/v1/things:search', payload: {} })).statusCode).toBe(200)
    expect((await app.inject({ method: 'POST', url: '/v1/thingsXsearch', payload: {} })).statusCode).toBe(404)
  })
})

describe('router refusals in the common shape', () => {
  it('lets the route schema judge parameters up to 1000 characters (Fastify stops at 100)', async () => {
    const app = await build()
    expect((await app.inject(`/v1/things/${'a'.repeat(128)}`)).statusCode).toBe(200)
    const long = await app.inject(`/v1/things/${'a'.repeat(129)}`)
    expect(long.statusCode).toBe(400)
    expect(long.json()).toMatchObject({ code: 'QUERY_INVALID', errors: [{ path: '/id' }] })
  })

  it('answers 400 REQUEST_INVALID for a parameter over 1000 characters and for bad percent-encoding', async () => {
    const app = await build()
    const huge = await app.inject(`/v1/things/${'a'.repeat(1001)}`)
    expect(huge.statusCode).toBe(400)
    expect(huge.json()).toMatchObject({ statusCode: 400, code: 'REQUEST_INVALID' })
    expect(huge.body).not.toContain('a'.repeat(200))
    const bad = await app.inject('/v1/things/%E0%A4%A')
    expect(bad.statusCode).toBe(400)
    expect(bad.json()).toMatchObject({ statusCode: 400, code: 'REQUEST_INVALID' })
  })
})

describe('lone surrogates in JSON bodies', () => {
  it('finds the first ill-formed string or key, at any depth, and accepts well-formed pairs', () => {
    expect(illFormedStringPath({ a: ['ok', '😀', { b: 'x\uD800' }] })).toBe('/a/2/b')
    expect(illFormedStringPath({ 'k\uDC00/~': 1 })).toBe('/k\uFFFD~1~0')
    expect(illFormedStringPath({ a: '😀', b: ['\uD83D\uDE00'] })).toBeUndefined()
    let deep: unknown = '\uDFFF'
    for (let i = 0; i < 100_000; i++) deep = [deep]
    expect(illFormedStringPath(deep)).toBe('/0'.repeat(100_000))
    expect(mayHoldLoneSurrogate(String.raw`{"a":"\ud800"}`)).toBe(true)
    expect(mayHoldLoneSurrogate('{"a":"😀 \\u00e9"}')).toBe(false)
  })

  it("refuses them with the route's invalid-input code and the path; keeps escaped pairs intact", async () => {
    const app = await build()
    const bad = await app.inject({
      method: 'POST',
      url: '/v1/things:search',
      headers: { 'content-type': 'application/json' },
      payload: String.raw`{"q":{"name":"a\uD800"}}`,
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.json()).toMatchObject({
      code: 'THING_INVALID',
      errors: [{ path: '/q/name', message: 'must be well-formed Unicode (no lone surrogates)' }],
    })
    const good = await app.inject({
      method: 'POST',
      url: '/v1/things:search',
      headers: { 'content-type': 'application/json' },
      payload: String.raw`{"q":"\ud83d\ude00 😀"}`,
    })
    expect(good.json()).toEqual({ got: { q: '😀 😀' } })
  })

  it('still refuses prototype poisoning', async () => {
    const app = await build()
    const res = await app.inject({
      method: 'POST',
      url: '/v1/things:search',
      headers: { 'content-type': 'application/json' },
      payload: '{"__proto__":{"admin":true}}',
    })
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ code: 'THING_INVALID' })
  })
})

describe("Node's parser refusals", () => {
  const rawAnswer = async (app: App, request: string): Promise<string> => {
    const address = app.server.address()
    if (address === null || typeof address === 'string') throw new Error('not listening')
    return new Promise((resolve) => {
      const socket = connect(address.port, '127.0.0.1')
      let got = ''
      socket.on('data', (d: Buffer) => (got += d.toString()))
      socket.on('error', () => undefined)
      socket.on('close', () => resolve(got))
      socket.end(request)
    })
  }

  it('answers an oversized header with 431 HEADERS_TOO_LARGE and bad syntax with 400, as JSON', async () => {
    const app = await build()
    await app.listen({ port: 0, host: '127.0.0.1' })
    const big = await rawAnswer(app, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: ${'a'.repeat(20_000)}\r\n\r\n`)
    expect(big).toMatch(/^HTTP\/1\.1 431 /)
    expect(JSON.parse(big.slice(big.indexOf('\r\n\r\n') + 4))).toEqual({
      statusCode: 431,
      code: 'HEADERS_TOO_LARGE',
      error: 'Request Header Fields Too Large',
      message: 'the request headers are too large',
    })
    const bad = await rawAnswer(app, 'GET /healthz HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n')
    expect(bad).toMatch(/^HTTP\/1\.1 400 /)
    expect(bad).toContain('"code":"REQUEST_INVALID"')
    expect((await app.inject('/healthz')).statusCode).toBe(200)
  })
})

describe('the OpenAPI document', () => {
  it('documents the error body for 4XX and 5XX and a 200 on every route that names no success', async () => {
    const app = await build()
    await app.ready()
    const doc = app.swagger() as unknown as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>
    }
    const op = doc.paths['/v1/things/{id}']!['get']!
    expect(Object.keys(op.responses).sort()).toEqual(['200', '4XX', '5XX'])
    expect(op.responses['4XX']).toMatchObject({
      content: { 'application/json': { schema: { required: ['statusCode', 'code', 'error', 'message'] } } },
    })
    expect(Object.keys(doc.paths)).toContain('/v1/things:search')
    expect(Object.keys(doc.paths['/readyz']!['get']!.responses).sort()).toEqual(['200', '4XX', '503', '5XX'])
  })
})
