import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LOCAL_DEV_SECRET, signToken } from '@ecrs/http'
import { randomUscc, waitFor } from '@ecrs/testkit'
import { testInfra, uniqueName } from '@ecrs/testkit/vitest'
import { serviceNames, startServiceProcess, type ServiceName, type ServiceProcess } from './stack.js'

// Hostile input through the services' own doors, as processes: every refusal is a coded 4xx JSON
// error ({statusCode, code, error, message}), nothing is answered 5xx, no process dies, and what is
// accepted reads back exactly as sent.

const infra = testInfra()
const ns = uniqueName('hostile').replace(/[^a-z0-9.-]/g, '')
const running = new Map<ServiceName, ServiceProcess>()
const AGENCY = 'samr.hostile'
const KiB = 1024
const MiB = 1024 * KiB
let agency = ''
let regulator = ''

const url = (name: ServiceName, path: string): string => `${running.get(name)!.url}${path}`
const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

interface Answer {
  status: number
  body: Record<string, unknown>
}

const call = async (name: ServiceName, path: string, init: RequestInit = {}): Promise<Answer> => {
  const res = await fetch(url(name, path), init)
  const text = await res.text()
  expect(res.headers.get('content-type'), `${path}: ${text.slice(0, 300)}`).toMatch(/^application\/json/)
  return { status: res.status, body: JSON.parse(text) as Record<string, unknown> }
}

const postJson = (name: ServiceName, path: string, body: string, token = agency): Promise<Answer> =>
  call(name, path, {
    method: 'POST',
    headers: { ...bearer(token), 'content-type': 'application/json' },
    body,
  })

/** A coded error of the common shape, with this status (and code, when given). */
const expectCoded = (a: Answer, status: number, code?: string): void => {
  expect(a.status, JSON.stringify(a.body).slice(0, 500)).toBe(status)
  expect(a.body).toMatchObject({ statusCode: status, code: expect.stringMatching(/^[A-Z][A-Z0-9_]*$/) })
  expect(typeof a.body['error']).toBe('string')
  expect(typeof a.body['message']).toBe('string')
  if (code !== undefined) expect(a.body['code']).toBe(code)
}

const registered = (subject: string, name: string, id = `h-${Math.random().toString(36).slice(2)}`) => ({
  id,
  source: AGENCY,
  type: 'enterprise.registered',
  subject,
  time: '2024-03-01T10:00:00+08:00',
  data: { name, registeredAt: '2024-03-01', region: '210100' },
})

/** Every service still answers /healthz: nothing above crashed a process. */
const expectAllAlive = async (): Promise<void> => {
  for (const [name, svc] of running) {
    expect(svc.child.exitCode, `${name} exited`).toBeNull()
    expect((await fetch(`${svc.url}/healthz`)).status).toBe(200)
  }
}

/**
 * Sends raw bytes on a fresh connection; resolves with the status and body of the answer once the
 * server closes the connection (every case here ends with `Connection: close`).
 */
const raw = (
  name: ServiceName,
  request: string,
  { end = true }: { end?: boolean } = {},
): Promise<{ status: number; body: string }> =>
  new Promise((resolve, reject) => {
    const { hostname, port } = new URL(running.get(name)!.url)
    const socket = connect(Number(port), hostname)
    let got = ''
    socket.on('data', (d: Buffer) => (got += d.toString('utf8')))
    // The server may close while we still write (that is the point): only the answer matters.
    socket.on('error', () => undefined)
    socket.on('close', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(got)?.[1] ?? NaN)
      if (Number.isNaN(status)) reject(new Error(`no HTTP answer: ${JSON.stringify(got.slice(0, 200))}`))
      else resolve({ status, body: got.slice(got.indexOf('\r\n\r\n') + 4) })
    })
    socket.write(request, () => {
      if (end) socket.end()
    })
  })

beforeAll(async () => {
  const env = {
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    MONGO_URL: infra.mongoUrl,
    TOPIC_NAMESPACE: ns,
    TOPIC_PARTITIONS: '1',
    LOG_LEVEL: 'warn',
  }
  await Promise.all(
    serviceNames.map(async (name) =>
      running.set(
        name,
        await startServiceProcess(name, { ...env, MONGO_DB: `${ns}_${name}`.replace(/[^A-Za-z0-9_]/g, '_') }),
      ),
    ),
  )
  agency = await signToken({ sub: 'hostile', role: 'agency', agency: AGENCY }, LOCAL_DEV_SECRET, 3600)
  regulator = await signToken({ sub: 'hostile-reg', role: 'regulator' }, LOCAL_DEV_SECRET, 3600)
})

afterAll(async () => {
  await Promise.all([...running.values()].map((s) => s.stop()))
  for (const svc of running.values()) {
    // No request failed inside (5xx are logged at error level with this message).
    expect(svc.output()).not.toMatch(/"level":(50|60)[^\n]*"msg":"request failed"/)
  }
})

describe('oversized bodies', () => {
  const padded = (bytes: number) => {
    const event = registered(randomUscc(), 'Padded Co.')
    const bare = JSON.stringify({ ...event, data: { ...event.data, note: '' } })
    return JSON.stringify({ ...event, data: { ...event.data, note: 'x'.repeat(bytes - bare.length) } })
  }

  it('answers 413 for one event over 256 KiB, sent with a length or chunked', async () => {
    const body = padded(256 * KiB + 1)
    expect(Buffer.byteLength(body)).toBe(256 * KiB + 1)
    expectCoded(await postJson('ingest', '/v1/events', body), 413, 'PAYLOAD_TOO_LARGE')
    const chunked = await call('ingest', '/v1/events', {
      method: 'POST',
      headers: { ...bearer(agency), 'content-type': 'application/json' },
      body: new Blob([body]).stream(),
      duplex: 'half',
    })
    expectCoded(chunked, 413, 'PAYLOAD_TOO_LARGE')
  })

  it('checks the token before the size (401 → 413)', async () => {
    const a = await call('ingest', '/v1/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: padded(300 * KiB),
    })
    expectCoded(a, 401)
  })

  it('answers 413 at once for a batch declared over 10 MiB (JSON or NDJSON), and for over 1000 events', async () => {
    // The server answers from Content-Length and closes, without reading 10 MiB first: sent raw,
    // the body cut short, as a client whose upload is refused would see it.
    for (const type of ['application/json', 'application/x-ndjson']) {
      const head =
        `POST /v1/events:batch HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${agency}\r\n` +
        `Content-Type: ${type}\r\nContent-Length: ${10 * MiB + 1}\r\n\r\n`
      const a = await raw('ingest', `${head}{"events":[`, { end: false })
      expect(a.status).toBe(413)
      expect(JSON.parse(a.body)).toMatchObject({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE' })
    }
    const many = `{"events":[${Array.from({ length: 1001 }, () => '{}').join(',')}]}`
    expectCoded(await postJson('ingest', '/v1/events:batch', many), 413, 'BATCH_TOO_LARGE')
  })

  it('rejects only the oversized item of a batch (EVENT_TOO_LARGE)', async () => {
    const small = registered(randomUscc(), 'Small Co.')
    const a = await postJson(
      'ingest',
      '/v1/events:batch',
      `{"events":[${padded(257 * KiB)},${JSON.stringify(small)}]}`,
    )
    expect(a.status).toBe(200)
    expect(a.body['results']).toEqual([
      expect.objectContaining({ index: 0, status: 'rejected', code: 'EVENT_TOO_LARGE' }),
      expect.objectContaining({ index: 1, id: small.id, status: 'accepted' }),
    ])
  })

  it('answers 413 on the other services too (their 1 MiB default)', async () => {
    const body = JSON.stringify({ pad: 'x'.repeat(MiB + 1) })
    expectCoded(await postJson('recall', '/v1/recalls', body), 413, 'PAYLOAD_TOO_LARGE')
    const admin = await signToken({ sub: 'hostile-admin', role: 'admin' }, LOCAL_DEV_SECRET, 600)
    expectCoded(
      await postJson('credit-profile', '/v1/admin/rules:run', body, admin),
      413,
      'PAYLOAD_TOO_LARGE',
    )
    await expectAllAlive()
  })
})

describe('deeply nested JSON', () => {
  const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`
  const withDeepData = (depth: number) =>
    JSON.stringify(registered(randomUscc(), 'Deep Co.')).replace(
      '"region":"210100"',
      `"region":"210100","deep":${nested(depth)}`,
    )

  it.each([[10_000], [100_000]])('refuses %i levels in data with 400 EVENT_INVALID', async (depth) => {
    const a = await postJson('ingest', '/v1/events', withDeepData(depth))
    expectCoded(a, 400, 'EVENT_INVALID')
    expect((a.body['errors'] as { path: string }[])[0]?.path).toMatch(/^\/data\/deep(\/0)+$/)
  })

  it('rejects the deep item of a batch alone, as JSON or NDJSON', async () => {
    const good = registered(randomUscc(), 'Shallow Co.')
    for (const [type, body] of [
      ['application/json', `{"events":[${withDeepData(10_000)},${JSON.stringify(good)}]}`],
      [
        'application/x-ndjson',
        `${withDeepData(10_000)}\n${JSON.stringify({ ...good, id: `${good.id}-nd` })}\n`,
      ],
    ] as const) {
      const a = await call('ingest', '/v1/events:batch', {
        method: 'POST',
        headers: { ...bearer(agency), 'content-type': type },
        body,
      })
      expect(a.status, JSON.stringify(a.body).slice(0, 300)).toBe(200)
      expect(a.body['results']).toEqual([
        expect.objectContaining({ index: 0, status: 'rejected', code: 'EVENT_INVALID' }),
        expect.objectContaining({ index: 1, status: 'accepted' }),
      ])
    }
  })

  it('refuses a deep body anywhere (not only in data), on every service', async () => {
    expectCoded(await postJson('ingest', '/v1/events', nested(50_000)), 400, 'EVENT_INVALID')
    const objects = `${'{"a":'.repeat(40_000)}1${'}'.repeat(40_000)}`
    expectCoded(await postJson('ingest', '/v1/events', objects), 400, 'EVENT_INVALID')
    const recall = await postJson(
      'recall',
      '/v1/recalls',
      `{"recallId":"R-deep","product":${nested(50_000)}}`,
    )
    expect(recall.status).toBeGreaterThanOrEqual(400)
    expect(recall.status).toBeLessThan(500)
    expectCoded(recall, recall.status)
    await expectAllAlive()
  })
})

describe('header floods', () => {
  it.each(serviceNames.map((n) => [n]))(
    '%s answers 431 to one huge header and to thousands of headers',
    async (name) => {
      const huge = await raw(
        name,
        `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * KiB)}\r\n\r\n`,
      )
      expect(huge.status).toBe(431)
      expect(JSON.parse(huge.body)).toMatchObject({ statusCode: 431, code: 'HEADERS_TOO_LARGE' })
      const lines = Array.from({ length: 5000 }, (_, i) => `X-H${i}: v\r\n`).join('')
      const many = await raw(name, `GET /healthz HTTP/1.1\r\nHost: x\r\n${lines}\r\n`)
      expect(many.status).toBe(431)
      expect(JSON.parse(many.body)).toMatchObject({ statusCode: 431, code: 'HEADERS_TOO_LARGE' })
      const garbage = await raw(name, 'GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header Without Colon\r\n\r\n')
      expect(garbage.status).toBe(400)
      expect(JSON.parse(garbage.body)).toMatchObject({ statusCode: 400, code: 'REQUEST_INVALID' })
      expect((await fetch(url(name, '/healthz'))).status).toBe(200)
    },
  )

  it('ignores a flood of repeated Authorization headers rather than trusting any', async () => {
    const headers = new Headers()
    for (let i = 0; i < 50; i++) headers.append('authorization', `Bearer junk${i}`)
    expectCoded(await call('ingest', '/v1/events/x/y', { headers }), 401)
  })
})

describe('unicode in names and ids', () => {
  // Accepted: any well-formed Unicode within the 200-character bound (characters, not UTF-16 units).
  const names: [string, string][] = [
    ['astral characters', '𠀀𠀁 𝔘𝔫𝔦 🏭 Co.'],
    ['right-to-left marks', '\u202Bشركة\u200F ABC\u202C'],
    ['combining characters', 'Z\u0351\u0330a\u0301l\u0308g\u0327o Ltd.'],
    ['a zero-width joiner sequence and a BOM', '\uFEFF👩\u200D🔧 Works'],
    ['200 astral characters', '𝔘'.repeat(200)],
  ]

  it.each(names)('accepts a name with %s and reads it back intact', async (_what, name) => {
    const uscc = randomUscc()
    const event = registered(uscc, name)
    const a = await postJson('ingest', '/v1/events', JSON.stringify(event))
    expect(a.status, JSON.stringify(a.body)).toBe(202)
    const profile = await waitFor(
      async () => {
        const res = await fetch(url('credit-profile', `/v1/enterprises/${uscc}`))
        return res.status === 200 ? ((await res.json()) as { name: string }) : undefined
      },
      { what: `profile of ${uscc}`, timeoutMs: 60_000, intervalMs: 100 },
    )
    expect(profile.name).toBe(name)
    // Search reads the stored summary: the same name, once it is written.
    const found = await waitFor(
      async () => {
        const search = await call('credit-profile', '/v1/enterprises?region=210100&limit=100', {
          headers: bearer(regulator),
        })
        return (search.body['items'] as { uscc: string; name: string }[]).find((i) => i.uscc === uscc)
      },
      { what: `${uscc} in the search`, timeoutMs: 60_000, intervalMs: 100 },
    )
    expect(found.name).toBe(name)
  })

  it.each([
    ['a NUL character', 'Bad\u0000Co', 'must not contain NUL characters'],
    ['a lone high surrogate', 'Bad\uD800Co', 'must be well-formed Unicode (no lone surrogates)'],
    ['a lone low surrogate', '\uDC00', 'must be well-formed Unicode (no lone surrogates)'],
    ['201 characters', 'x'.repeat(201), 'must NOT have more than 200 characters'],
  ])('refuses a name with %s: 400 EVENT_INVALID at /data/name', async (_what, name, message) => {
    // JSON.stringify writes a lone surrogate as a \uD800 escape: valid JSON text, ill-formed Unicode.
    const a = await postJson('ingest', '/v1/events', JSON.stringify(registered(randomUscc(), name)))
    expectCoded(a, 400, 'EVENT_INVALID')
    expect(a.body['errors']).toContainEqual({ path: '/data/name', message })
  })

  it('refuses a lone surrogate in an NDJSON line alone', async () => {
    const good = registered(randomUscc(), 'Good Co.')
    const body = `${JSON.stringify(registered(randomUscc(), 'a\uDBFF'))}\n${JSON.stringify(good)}\n`
    const a = await call('ingest', '/v1/events:batch', {
      method: 'POST',
      headers: { ...bearer(agency), 'content-type': 'application/x-ndjson' },
      body,
    })
    expect(a.body['results']).toEqual([
      expect.objectContaining({ index: 0, status: 'rejected', code: 'EVENT_INVALID' }),
      expect.objectContaining({ index: 1, status: 'accepted' }),
    ])
  })

  it.each([
    ['astral', 'ev-𝔘'],
    ['right-to-left mark', 'ev-\u200F1'],
    ['combining', 'e\u0301'],
    ['NUL', 'ev\u00001'],
    ['lone surrogate', 'ev\uD800'],
    ['129 characters', 'a'.repeat(129)],
    ['empty', ''],
  ])('refuses an event id with %s: 400 EVENT_INVALID at /id', async (_what, id) => {
    const a = await postJson('ingest', '/v1/events', JSON.stringify(registered(randomUscc(), 'Id Co.', id)))
    expectCoded(a, 400, 'EVENT_INVALID')
    expect((a.body['errors'] as { path: string }[]).map((e) => e.path)).toContain('/id')
  })

  it('accepts a 128-character id and reads its status back by it', async () => {
    const id = 'a.b:c-d9'.repeat(16)
    expect(id).toHaveLength(128)
    const a = await postJson(
      'ingest',
      '/v1/events',
      JSON.stringify(registered(randomUscc(), 'Long Id Co.', id)),
    )
    expect(a.status).toBe(202)
    const status = await call('ingest', `/v1/events/${AGENCY}/${encodeURIComponent(id)}`, {
      headers: bearer(agency),
    })
    expect(status.status).toBe(200)
    expect(status.body).toMatchObject({ id, source: AGENCY })
  })

  it.each([
    ['credit-profile', '/v1/enterprises/%F0%9D%94%98%E2%80%8F', 400, 'USCC_INVALID'],
    ['credit-profile', '/v1/enterprises/%00', 400, 'USCC_INVALID'],
    ['credit-profile', '/v1/enterprises/%ED%A0%80', 400, 'REQUEST_INVALID'],
    ['recall', '/v1/recalls/%F0%9D%94%98%CC%81', 404, 'RECALL_NOT_FOUND'],
    ['recall', `/v1/recalls/${'%F0%9D%94%98'.repeat(300)}`, 400, undefined],
    ['ingest', '/v1/events/samr.x/%E2%80%AEdi', 404, 'EVENT_NOT_FOUND'],
    ['ingest', '/v1/events/samr.x/%zz', 400, 'REQUEST_INVALID'],
  ] as const)('%s answers %s with a coded %i', async (name, path, status, code) => {
    expectCoded(await call(name, path, { headers: bearer(regulator) }), status, code)
  })
})

describe('operator injection in query strings and bodies', () => {
  it.each([
    ['/v1/enterprises?riskClass[$ne]=A'],
    ['/v1/enterprises?riskClass%5B%24ne%5D=A'],
    ['/v1/enterprises?riskClass=$where'],
    ['/v1/enterprises?region={"$gt":""}'],
    ['/v1/enterprises?region[$regex]=.*'],
    ['/v1/enterprises?listed=abnormal&listed=serious'],
    ['/v1/enterprises?__proto__=x'],
    ['/v1/enterprises?__proto__[admin]=1'],
    ['/v1/enterprises?constructor[prototype][admin]=1'],
    ['/v1/enterprises?cursor={"$gt":""}'],
    ['/v1/enterprises?limit[$gt]=0'],
    ['/v1/enterprises/91210100MA0000000X?asOf[$gt]=2020'],
  ])('credit-profile refuses %s with 400 QUERY_INVALID', async (path) => {
    expectCoded(await call('credit-profile', path, { headers: bearer(regulator) }), 400, 'QUERY_INVALID')
  })

  it.each([
    ['/v1/recalls?status[$ne]=closed', 'QUERY_INVALID'],
    ['/v1/recalls?status=$where', 'QUERY_INVALID'],
    ['/v1/recalls?producer={"$gt":""}', 'USCC_INVALID'],
    ['/v1/recalls?__proto__=1', 'QUERY_INVALID'],
    ['/v1/public/recalls?q[$ne]=x', 'QUERY_INVALID'],
    ['/v1/firms/91210100MA0000000X/obligations?status[$in]=open', 'QUERY_INVALID'],
  ])('recall refuses %s with 400 %s', async (path, code) => {
    expectCoded(await call('recall', path, { headers: bearer(regulator) }), 400, code)
  })

  it.each([['$where'], ['{"$gt":""}'], ['{"$ne":null}'], ['__proto__']])(
    'treats q=%s as plain text: nothing published matches it',
    async (q) => {
      const a = await call('recall', `/v1/public/recalls?q=${encodeURIComponent(q)}`)
      expect(a.status).toBe(200)
      expect(a.body).toEqual({ items: [] })
    },
  )

  it('treats operator-like ids in paths as plain strings: no event of the ledger matches them', async () => {
    const event = registered(randomUscc(), 'Operator Co.')
    expect((await postJson('ingest', '/v1/events', JSON.stringify(event))).status).toBe(202)
    const exact = await call('ingest', `/v1/events/${AGENCY}/${event.id}`, { headers: bearer(regulator) })
    expect(exact.status).toBe(200)
    for (const id of ['{"$gt":""}', '{"$ne":null}', '{"$regex":".*"}', '.*', '__proto__']) {
      const a = await call('ingest', `/v1/events/${AGENCY}/${encodeURIComponent(id)}`, {
        headers: bearer(regulator),
      })
      expectCoded(a, 404, 'EVENT_NOT_FOUND')
    }
    const source = await call('ingest', `/v1/events/${encodeURIComponent('{"$ne":""}')}/${event.id}`, {
      headers: bearer(regulator),
    })
    expectCoded(source, 404, 'EVENT_NOT_FOUND')
    expectCoded(
      await call('credit-profile', `/v1/enterprises/${encodeURIComponent('{"$ne":""}')}`),
      400,
      'USCC_INVALID',
    )
    expectCoded(
      await call('recall', `/v1/recalls/${encodeURIComponent('{"$ne":""}')}`),
      404,
      'RECALL_NOT_FOUND',
    )
  })

  it.each([
    ['an operator as the id', { id: { $gt: '' } }, '/id'],
    ['an operator as the subject', { subject: { $ne: null } }, '/subject'],
    ['an operator as the source', { source: { $in: [AGENCY] } }, '/source'],
    [
      'a $ key in data',
      { data: { name: 'Op Co.', registeredAt: '2024-03-01', region: '210100', $where: '1' } },
      '/data/$where',
    ],
    [
      'a nested $ key in data',
      { data: { name: 'Op Co.', registeredAt: '2024-03-01', region: '210100', x: { y: { $set: 1 } } } },
      '/data/x/y/$set',
    ],
  ])('refuses %s with 400 EVENT_INVALID', async (_what, change, path) => {
    const a = await postJson(
      'ingest',
      '/v1/events',
      JSON.stringify({ ...registered(randomUscc(), 'Op Co.'), ...change }),
    )
    expectCoded(a, 400, 'EVENT_INVALID')
    expect((a.body['errors'] as { path: string }[]).map((e) => e.path)).toContain(path)
  })

  it('refuses __proto__ and constructor.prototype keys in JSON bodies', async () => {
    const event = JSON.stringify(registered(randomUscc(), 'Proto Co.'))
    for (const body of [
      event.replace('{', '{"__proto__":{"role":"admin"},'),
      event.replace('"data":{', '"data":{"__proto__":{"x":1},'),
      event.replace('{', '{"constructor":{"prototype":{"role":"admin"}},'),
    ]) {
      expectCoded(await postJson('ingest', '/v1/events', body), 400, 'EVENT_INVALID')
    }
    await expectAllAlive()
  })
})
