import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'

import { SignJWT, exportJWK, generateKeyPair } from 'jose'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { createApp } from './app.js'
import { LOCAL_DEV_SECRET, createVerifier, signToken } from './auth.js'
import type { VerifierOptions } from './auth.js'
import { authConfigSchema, readConfig, verifierOptions } from './config.js'

const USCC = '91110000600037341L'
const dev = (extra: Partial<VerifierOptions> = {}) => createVerifier({ env: 'development', ...extra })
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
const now = () => Math.floor(Date.now() / 1000)

/** Expects the promise to fail with the 401 coded error. */
const rejects401 = async (promise: Promise<unknown>) => {
  await expect(promise).rejects.toMatchObject({ statusCode: 401, code: 'UNAUTHORIZED' })
}

describe('createVerifier in development', () => {
  it('turns valid tokens into principals for every role', async () => {
    const v = dev()
    await expect(
      v.verify(await signToken({ sub: 'a1', role: 'agency', agency: 'samr.ln' }, LOCAL_DEV_SECRET, 60)),
    ).resolves.toEqual({ kind: 'agency', sub: 'a1', agency: 'samr.ln' })
    await expect(
      v.verify(await signToken({ sub: 'f1', role: 'firm', uscc: USCC }, LOCAL_DEV_SECRET, 60)),
    ).resolves.toEqual({ kind: 'firm', sub: 'f1', uscc: USCC })
    await expect(
      v.verify(await signToken({ sub: 'r1', role: 'regulator' }, LOCAL_DEV_SECRET, 60)),
    ).resolves.toEqual({ kind: 'regulator', sub: 'r1' })
    await expect(
      v.verify(await signToken({ sub: 'ad', role: 'admin' }, LOCAL_DEV_SECRET, 60)),
    ).resolves.toEqual({ kind: 'admin', sub: 'ad' })
  })

  it('rejects expired, wrongly signed, malformed and unsigned tokens', async () => {
    const v = dev()
    await rejects401(v.verify(await signToken({ sub: 'r', role: 'regulator' }, LOCAL_DEV_SECRET, -60)))
    await rejects401(v.verify(await signToken({ sub: 'r', role: 'regulator' }, 'another-secret', 60)))
    await rejects401(v.verify('not-a-jwt'))
    await rejects401(v.verify('a.b.c'))
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'r', role: 'admin', exp: now() + 60 })}.`
    await rejects401(v.verify(none))
  })

  it('requires exp, sub and a known role', async () => {
    const v = dev()
    const key = new TextEncoder().encode(LOCAL_DEV_SECRET)
    const noExp = await new SignJWT({ role: 'admin' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('x')
      .sign(key)
    await rejects401(v.verify(noExp))
    const noSub = await new SignJWT({ role: 'admin' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('1h')
      .sign(key)
    await rejects401(v.verify(noSub))
    const badRole = await new SignJWT({ role: 'root' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('x')
      .setExpirationTime('1h')
      .sign(key)
    await rejects401(v.verify(badRole))
  })

  it('requires a well-formed agency claim for agencies and uscc for firms', async () => {
    const v = dev()
    await rejects401(v.verify(await signToken({ sub: 'a', role: 'agency' }, LOCAL_DEV_SECRET, 60)))
    await rejects401(
      v.verify(await signToken({ sub: 'a', role: 'agency', agency: 'SAMR LN' }, LOCAL_DEV_SECRET, 60)),
    )
    await rejects401(v.verify(await signToken({ sub: 'f', role: 'firm' }, LOCAL_DEV_SECRET, 60)))
    await rejects401(
      v.verify(await signToken({ sub: 'f', role: 'firm', uscc: 'short' }, LOCAL_DEV_SECRET, 60)),
    )
  })

  it('applies an injected USCC checksum', async () => {
    const strict = dev({ isValidUscc: (u) => u === USCC })
    await expect(
      strict.verify(await signToken({ sub: 'f', role: 'firm', uscc: USCC }, LOCAL_DEV_SECRET, 60)),
    ).resolves.toMatchObject({ kind: 'firm' })
    const other = '91110000600037341X'
    await rejects401(
      strict.verify(await signToken({ sub: 'f', role: 'firm', uscc: other }, LOCAL_DEV_SECRET, 60)),
    )
  })

  it('checks iss and aud when configured', async () => {
    const v = dev({ issuer: 'ecrs-idp', audience: 'ecrs' })
    const claims = { sub: 'r', role: 'regulator' } as const
    await expect(
      v.verify(await signToken({ ...claims, iss: 'ecrs-idp', aud: 'ecrs' }, LOCAL_DEV_SECRET, 60)),
    ).resolves.toMatchObject({ kind: 'regulator' })
    await rejects401(v.verify(await signToken(claims, LOCAL_DEV_SECRET, 60)))
    await rejects401(v.verify(await signToken({ ...claims, iss: 'evil', aud: 'ecrs' }, LOCAL_DEV_SECRET, 60)))
    await rejects401(
      v.verify(await signToken({ ...claims, iss: 'ecrs-idp', aud: 'other' }, LOCAL_DEV_SECRET, 60)),
    )
  })

  it('uses a configured secret instead of the default', async () => {
    const v = dev({ secret: 'team-secret' })
    await rejects401(v.verify(await signToken({ sub: 'r', role: 'regulator' }, LOCAL_DEV_SECRET, 60)))
    await expect(
      v.verify(await signToken({ sub: 'r', role: 'regulator' }, 'team-secret', 60)),
    ).resolves.toBeDefined()
  })
})

describe('createVerifier: loose tokens (contract §2)', () => {
  const key = new TextEncoder().encode(LOCAL_DEV_SECRET)
  /** A regulator token with exactly these times (seconds); `iat` left out when undefined. */
  const timed = (exp: number, iat?: number, claims: Record<string, unknown> = { role: 'regulator' }) => {
    const jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('r')
      .setExpirationTime(exp)
    return (iat === undefined ? jwt : jwt.setIssuedAt(iat)).sign(key)
  }
  const YEAR_9999 = Math.floor(Date.UTC(9999, 0, 1) / 1000)
  const HOUR = 3600

  it('401 for a firm token whose uscc fails the GB 32100 check character, by default', async () => {
    const v = dev()
    // Right shape, wrong check character (the valid code ends in L).
    await rejects401(
      v.verify(await signToken({ sub: 'f', role: 'firm', uscc: '91110000600037341X' }, LOCAL_DEV_SECRET, 60)),
    )
    await rejects401(
      v.verify(await signToken({ sub: 'f', role: 'firm', uscc: 'IIIIIIIIIIIIIIIIII' }, LOCAL_DEV_SECRET, 60)),
    )
    await expect(
      v.verify(await signToken({ sub: 'f', role: 'firm', uscc: USCC }, LOCAL_DEV_SECRET, 60)),
    ).resolves.toMatchObject({ kind: 'firm', uscc: USCC })
  })

  it('401 for an iat more than 60 s ahead; clock skew within 60 s is tolerated', async () => {
    const v = dev()
    await rejects401(v.verify(await timed(now() + HOUR, now() + 120)))
    await rejects401(v.verify(await timed(now() + HOUR, now() + 3 * HOUR)))
    await expect(v.verify(await timed(now() + HOUR, now() + 30))).resolves.toMatchObject({
      kind: 'regulator',
    })
  })

  it('401 for a validity over 24 h, from iat or, without iat, from now', async () => {
    const v = dev()
    await rejects401(v.verify(await timed(YEAR_9999, now())))
    await rejects401(v.verify(await timed(YEAR_9999)))
    await rejects401(v.verify(await timed(now() + 25 * HOUR)))
    // Issued 23 h ago, valid 2 h more: 25 h in all, even though only 2 h remain.
    await rejects401(v.verify(await timed(now() + 2 * HOUR, now() - 23 * HOUR)))
    const t = now()
    await rejects401(v.verify(await timed(t + 24 * HOUR + 1, t)))
    await expect(v.verify(await timed(t + 24 * HOUR, t))).resolves.toMatchObject({ kind: 'regulator' })
    await expect(v.verify(await timed(now() + 23 * HOUR))).resolves.toMatchObject({ kind: 'regulator' })
  })

  it('the message says why, without echoing the token', async () => {
    await expect(dev().verify(await timed(YEAR_9999, now()))).rejects.toMatchObject({
      message: expect.stringContaining('longer than 86400 s'),
    })
    await expect(dev().verify(await timed(now() + HOUR, now() + 600))).rejects.toMatchObject({
      message: expect.stringContaining('iat'),
    })
  })

  it('honours a configured maximum lifetime (ECRS_JWT_MAX_LIFETIME)', async () => {
    const v = dev(verifierOptions(readConfig(authConfigSchema, { ECRS_JWT_MAX_LIFETIME: '90m' })))
    await rejects401(v.verify(await signToken({ sub: 'r', role: 'regulator' }, LOCAL_DEV_SECRET, 2 * HOUR)))
    await expect(
      v.verify(await signToken({ sub: 'r', role: 'regulator' }, LOCAL_DEV_SECRET, 90 * 60)),
    ).resolves.toMatchObject({ kind: 'regulator' })
    const week = dev({ maxLifetimeSeconds: 7 * 24 * HOUR })
    await expect(
      week.verify(await signToken({ sub: 'r', role: 'regulator' }, LOCAL_DEV_SECRET, 3 * 24 * HOUR)),
    ).resolves.toMatchObject({ kind: 'regulator' })
  })

  it('reads ECRS_JWT_MAX_LIFETIME as seconds or with an s/m/h/d unit, and refuses anything else', () => {
    const read = (value: string) =>
      verifierOptions(readConfig(authConfigSchema, { ECRS_JWT_MAX_LIFETIME: value }))
    expect(read('86400').maxLifetimeSeconds).toBe(86_400)
    expect(read('24h').maxLifetimeSeconds).toBe(86_400)
    expect(read('90m').maxLifetimeSeconds).toBe(5400)
    expect(read('2d').maxLifetimeSeconds).toBe(172_800)
    expect(verifierOptions(readConfig(authConfigSchema, {})).maxLifetimeSeconds).toBeUndefined()
    for (const bad of ['0', '0h', 'forever', '1w', '-5', '24 h']) {
      expect(() => read(bad), bad).toThrow(/ECRS_JWT_MAX_LIFETIME/)
    }
  })

  it('tokens signed by signToken for the full 24 h (the token CLI default) pass', async () => {
    const v = dev()
    for (let i = 0; i < 20; i += 1) {
      await expect(
        v.verify(
          await signToken({ sub: 'a', role: 'agency', agency: 'samr.ln' }, LOCAL_DEV_SECRET, 24 * HOUR),
        ),
      ).resolves.toMatchObject({ kind: 'agency' })
    }
  })

  it('an app answers 401 to a token valid until year 9999', async () => {
    const app = await createApp({
      name: 't',
      version: '0',
      logger: pino({ level: 'silent' }),
      auth: { env: 'development' },
      ready: async () => ({}),
    })
    app.get('/me', async (request) => request.principal)
    const res = await app.inject({
      method: 'GET',
      url: '/me',
      headers: { authorization: `Bearer ${await timed(YEAR_9999, now())}` },
    })
    expect(res.statusCode).toBe(401)
    expect(res.json()).toMatchObject({ code: 'UNAUTHORIZED' })
    await app.close()
  })
})

describe('createVerifier in production', () => {
  it('refuses the local default secret', () => {
    expect(() => createVerifier({ env: 'production', secret: LOCAL_DEV_SECRET })).toThrow(/default/)
  })

  it('refuses to start without a secret or a JWKS URL', () => {
    expect(() => createVerifier({ env: 'production' })).toThrow(/ECRS_JWT_SECRET or ECRS_JWKS_URL/)
  })

  it('does not fall back to the local default secret', async () => {
    const v = createVerifier({ env: 'production', secret: 'a-real-production-secret' })
    await rejects401(v.verify(await signToken({ sub: 'r', role: 'regulator' }, LOCAL_DEV_SECRET, 60)))
  })

  it('makes createApp throw, so the service refuses to start', async () => {
    await expect(
      createApp({
        name: 't',
        version: '0',
        logger: pino({ level: 'silent' }),
        auth: { env: 'production', secret: LOCAL_DEV_SECRET },
        ready: async () => ({}),
      }),
    ).rejects.toThrow(/production/)
  })
})

describe('createVerifier with a JWKS URL', () => {
  let server: Server
  let jwksUrl: string
  let rsa: Awaited<ReturnType<typeof generateKeyPair>>
  let ec: Awaited<ReturnType<typeof generateKeyPair>>

  beforeAll(async () => {
    rsa = await generateKeyPair('RS256')
    ec = await generateKeyPair('ES256')
    const keys = [
      { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
      { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
    ]
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`
  })
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })

  const sign = (
    alg: 'RS256' | 'ES256',
    kid: string,
    key: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'],
    claims: Record<string, unknown>,
  ) => new SignJWT(claims).setProtectedHeader({ alg, kid }).setSubject('r1').setExpirationTime('5m').sign(key)

  it('verifies RS256 and ES256 tokens against the served keys', async () => {
    const v = createVerifier({ env: 'production', jwksUrl })
    await expect(
      v.verify(await sign('RS256', 'rsa-1', rsa.privateKey, { role: 'regulator' })),
    ).resolves.toEqual({
      kind: 'regulator',
      sub: 'r1',
    })
    await expect(v.verify(await sign('ES256', 'ec-1', ec.privateKey, { role: 'admin' }))).resolves.toEqual({
      kind: 'admin',
      sub: 'r1',
    })
  })

  it('rejects a token signed by another key, and HS256 tokens when no secret is configured', async () => {
    const v = createVerifier({ env: 'production', jwksUrl })
    const stranger = await generateKeyPair('RS256')
    await rejects401(v.verify(await sign('RS256', 'rsa-1', stranger.privateKey, { role: 'regulator' })))
    await rejects401(v.verify(await signToken({ sub: 'r', role: 'regulator' }, LOCAL_DEV_SECRET, 60)))
  })

  it('works through the app: a JWKS-signed token becomes request.principal', async () => {
    const app = await createApp({
      name: 't',
      version: '0',
      logger: pino({ level: 'silent' }),
      auth: { env: 'production', jwksUrl },
      ready: async () => ({}),
    })
    app.get('/me', async (request) => request.principal)
    const jwt = await sign('RS256', 'rsa-1', rsa.privateKey, { role: 'agency', agency: 'samr.ln' })
    const res = await app.inject({ method: 'GET', url: '/me', headers: { authorization: `Bearer ${jwt}` } })
    expect(res.json()).toEqual({ kind: 'agency', sub: 'r1', agency: 'samr.ln' })
    await app.close()
  })
})

describe('auth through the app', () => {
  const build = async () => {
    const app = await createApp({
      name: 't',
      version: '0',
      logger: pino({ level: 'silent' }),
      auth: { env: 'development' },
      ready: async () => ({}),
    })
    app.get('/public-answer', async (request) => request.principal)
    return app
  }

  it('a missing token gives the public principal', async () => {
    const app = await build()
    const res = await app.inject({ method: 'GET', url: '/public-answer' })
    expect(res.json()).toEqual({ kind: 'public' })
    await app.close()
  })

  it('a present but invalid token is 401 with the coded body, even where a public answer exists', async () => {
    const app = await build()
    const expired = await signToken({ sub: 'r', role: 'regulator' }, LOCAL_DEV_SECRET, -10)
    const forged = await signToken({ sub: 'r', role: 'regulator' }, 'guess', 60)
    const none = `${b64({ alg: 'none' })}.${b64({ sub: 'r', role: 'admin', exp: now() + 60 })}.`
    for (const authorization of [
      `Bearer ${expired}`,
      `Bearer ${forged}`,
      `Bearer ${none}`,
      'Bearer garbage',
      'Bearer ',
      'Basic dXNlcjpwdw==',
    ]) {
      const res = await app.inject({ method: 'GET', url: '/public-answer', headers: { authorization } })
      expect(res.statusCode, authorization).toBe(401)
      expect(res.json()).toMatchObject({ statusCode: 401, code: 'UNAUTHORIZED', error: 'Unauthorized' })
    }
    await app.close()
  })

  it('an agency token without its agency claim is 401', async () => {
    const app = await build()
    const jwt = await signToken({ sub: 'a', role: 'agency' }, LOCAL_DEV_SECRET, 60)
    const res = await app.inject({
      method: 'GET',
      url: '/public-answer',
      headers: { authorization: `Bearer ${jwt}` },
    })
    expect(res.statusCode).toBe(401)
    expect(res.json()).toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringContaining('agency') })
    await app.close()
  })
})
