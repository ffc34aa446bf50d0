import { describe, expect, it } from 'vitest'

import { LOCAL_DEV_SECRET, createVerifier, signToken } from '../auth.js'
import { parseTokenArgs, parseTtl } from './token-args.js'

describe('parseTokenArgs', () => {
  it('reads an agency token request with defaults', () => {
    expect(parseTokenArgs(['--role', 'agency', '--agency', 'samr.ln'], {})).toEqual({
      claims: { sub: 'agency:samr.ln', role: 'agency', agency: 'samr.ln' },
      secret: LOCAL_DEV_SECRET,
      ttlSeconds: 86_400,
    })
  })

  it('takes the secret from ECRS_JWT_SECRET unless --secret is given', () => {
    const args = ['--role', 'regulator']
    expect(parseTokenArgs(args, { ECRS_JWT_SECRET: 'env-secret' })).toMatchObject({ secret: 'env-secret' })
    expect(parseTokenArgs([...args, '--secret', 'flag'], { ECRS_JWT_SECRET: 'env' })).toMatchObject({
      secret: 'flag',
    })
  })

  it('reads firm, sub, ttl, issuer and audience', () => {
    const args = [
      '--role',
      'firm',
      '--uscc',
      '91110000600037341L',
      '--sub',
      'me',
      '--ttl',
      '1h',
      '--issuer',
      'i',
      '--audience',
      'a',
    ]
    expect(parseTokenArgs(args, {})).toEqual({
      claims: { sub: 'me', role: 'firm', uscc: '91110000600037341L', iss: 'i', aud: 'a' },
      secret: LOCAL_DEV_SECRET,
      ttlSeconds: 3600,
    })
  })

  it.each([
    [[], /--role is required/],
    [['--role', 'root'], /--role must be one of/],
    [['--role', 'agency'], /--agency/],
    [['--role', 'firm', '--uscc', 'abc'], /--uscc/],
    [['--role', 'firm', '--uscc', '91110000600037341X'], /--uscc/],
    [['--role', 'admin', '--ttl', '2d'], /ECRS_JWT_MAX_LIFETIME/],
    [['--role', 'admin', '--ttl', '86401'], /ECRS_JWT_MAX_LIFETIME/],
    [['--role', 'admin', '--ttl', 'soon'], /--ttl/],
    [['--role', 'admin', '--bogus'], /bogus/],
  ])('rejects %j', (args, message) => {
    const result = parseTokenArgs(args, {})
    expect(result).toHaveProperty('error')
    expect((result as { error: string }).error).toMatch(message)
  })

  it('allows a longer --ttl when ECRS_JWT_MAX_LIFETIME does', () => {
    expect(parseTokenArgs(['--role', 'admin', '--ttl', '2d'], { ECRS_JWT_MAX_LIFETIME: '7d' })).toMatchObject(
      {
        ttlSeconds: 172_800,
      },
    )
    expect(
      parseTokenArgs(['--role', 'admin', '--ttl', '2h'], { ECRS_JWT_MAX_LIFETIME: '1h' }),
    ).toHaveProperty('error')
  })

  it('produces claims the verifier accepts', async () => {
    const request = parseTokenArgs(['--role', 'agency', '--agency', 'samr.ln'], {})
    if ('error' in request) throw new Error(request.error)
    const jwt = await signToken(request.claims, request.secret, request.ttlSeconds)
    await expect(createVerifier({ env: 'development' }).verify(jwt)).resolves.toEqual({
      kind: 'agency',
      sub: 'agency:samr.ln',
      agency: 'samr.ln',
    })
  })
})

describe('parseTtl', () => {
  it.each([
    ['86400', 86_400],
    ['45s', 45],
    ['30m', 1800],
    ['1h', 3600],
    ['7d', 604_800],
    ['0', undefined],
    ['-5', undefined],
    ['1w', undefined],
  ])('%s → %s', (text, seconds) => {
    expect(parseTtl(text)).toBe(seconds)
  })
})
