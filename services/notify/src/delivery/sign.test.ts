import { Webhook } from 'standardwebhooks'
import { describe, expect, it } from 'vitest'
import { newSecret, rotateSecrets, signingSecrets, type SigningSecret } from '../subscriptions/index.js'
import { signedHeaders } from './sign.js'

const HOUR = 3600_000
const body = JSON.stringify({
  type: 'profile.changed',
  timestamp: '2025-07-01T00:00:00.000Z',
  data: { seq: '1' },
})

describe('Standard Webhooks signatures', () => {
  it('a signed delivery verifies with the secret, and the headers are as the spec has them', () => {
    const secret = newSecret()
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/)
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64').length).toBeGreaterThanOrEqual(24)
    const at = new Date()
    const headers = signedHeaders([secret], 'msg_abc', at, body)
    expect(headers['webhook-id']).toBe('msg_abc')
    expect(headers['webhook-timestamp']).toBe(String(Math.floor(at.getTime() / 1000)))
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/)
    expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body))
  })

  it('another body, id or secret does not verify', () => {
    const secret = newSecret()
    const headers = { ...signedHeaders([secret], 'msg_abc', new Date(), body) }
    expect(() => new Webhook(secret).verify(`${body} `, headers)).toThrow()
    expect(() => new Webhook(secret).verify(body, { ...headers, 'webhook-id': 'msg_other' })).toThrow()
    expect(() => new Webhook(newSecret()).verify(body, headers)).toThrow()
  })

  it('while a rotated secret overlaps, both sign (two signatures) and both verify', () => {
    const old = newSecret()
    const fresh = newSecret()
    const now = new Date()
    const secrets = rotateSecrets([{ secret: old }], fresh, new Date(now.getTime() - 23 * HOUR), 24 * HOUR)
    const signing = signingSecrets(secrets, now)
    expect(signing).toEqual([fresh, old])
    const headers = { ...signedHeaders(signing, 'msg_r', now, body) }
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2)
    expect(new Webhook(fresh).verify(body, headers)).toBeDefined()
    expect(new Webhook(old).verify(body, headers)).toBeDefined()
  })

  it('after the overlap only the new secret signs', () => {
    const old = newSecret()
    const fresh = newSecret()
    const now = new Date()
    const secrets = rotateSecrets([{ secret: old }], fresh, new Date(now.getTime() - 25 * HOUR), 24 * HOUR)
    const headers = { ...signedHeaders(signingSecrets(secrets, now), 'msg_r', now, body) }
    expect(headers['webhook-signature'].split(' ')).toHaveLength(1)
    expect(new Webhook(fresh).verify(body, headers)).toBeDefined()
    expect(() => new Webhook(old).verify(body, headers)).toThrow()
  })

  it('a second rotation keeps the earlier end of a secret already rotated out, and drops the expired', () => {
    const t0 = new Date('2025-07-01T00:00:00Z')
    const a = newSecret()
    const b = newSecret()
    const c = newSecret()
    const once: SigningSecret[] = rotateSecrets([{ secret: a }], b, t0, 24 * HOUR)
    const twice = rotateSecrets(once, c, new Date(t0.getTime() + 2 * HOUR), 24 * HOUR)
    expect(twice).toEqual([
      { secret: c },
      { secret: b, notAfter: new Date(t0.getTime() + 26 * HOUR) },
      { secret: a, notAfter: new Date(t0.getTime() + 24 * HOUR) },
    ])
    const later = rotateSecrets(twice, newSecret(), new Date(t0.getTime() + 25 * HOUR), 24 * HOUR)
    expect(later.map((s) => s.secret)).not.toContain(a)
  })

  it('refuses to sign without a secret', () => {
    expect(() => signedHeaders([], 'msg_x', new Date(), body)).toThrow()
  })
})
