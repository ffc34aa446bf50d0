import { Type } from '@sinclair/typebox'
import { describe, expect, it } from 'vitest'

import { authConfigSchema, readConfig, stringEnum, verifierOptions } from './config.js'

const serviceSchema = Type.Composite([
  authConfigSchema,
  Type.Object({
    KAFKA_BROKERS: Type.String({ pattern: '^[^,\\s]+(,[^,\\s]+)*$' }),
    PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 8081 }),
    RULES_ENABLED: Type.Boolean({ default: true }),
    MODE: stringEnum(['a', 'b']),
  }),
])

describe('readConfig', () => {
  it('coerces, applies defaults and ignores unrelated variables', () => {
    const config = readConfig(serviceSchema, {
      KAFKA_BROKERS: 'k1:9092,k2:9092',
      PORT: '9000',
      RULES_ENABLED: 'false',
      MODE: 'b',
      PATH: '/usr/bin',
      ECRS_JWT_SECRET: '',
    })
    expect(config).toEqual({
      KAFKA_BROKERS: 'k1:9092,k2:9092',
      PORT: 9000,
      RULES_ENABLED: false,
      MODE: 'b',
      ECRS_ENV: 'development',
      LOG_LEVEL: 'info',
    })
  })

  it('returns a frozen object and does not touch the environment given', () => {
    const env = { KAFKA_BROKERS: 'k:9092', MODE: 'a' }
    const config = readConfig(serviceSchema, env)
    expect(Object.isFrozen(config)).toBe(true)
    expect(() => {
      ;(config as { PORT: number }).PORT = 1
    }).toThrow(TypeError)
    expect(env).toEqual({ KAFKA_BROKERS: 'k:9092', MODE: 'a' })
  })

  it('freezes nested values too', () => {
    const schema = Type.Object({ X: Type.Object({ y: Type.Number() }, { default: { y: 1 } }) })
    const config = readConfig(schema, {})
    expect(Object.isFrozen(config.X)).toBe(true)
  })

  it('lists every problem, by variable, without echoing values', () => {
    const read = () =>
      readConfig(serviceSchema, {
        PORT: 'http',
        ECRS_ENV: 'staging',
        ECRS_JWKS_URL: 'not a url',
        MODE: 'c',
        ECRS_JWT_SECRET: 'topsecret',
      })
    expect(read).toThrow(/KAFKA_BROKERS: is required/)
    expect(read).toThrow(/PORT: must be integer/)
    expect(read).toThrow(/ECRS_ENV: must be equal to one of the allowed values \(development, production\)/)
    expect(read).toThrow(/ECRS_JWKS_URL: must match format "uri"/)
    expect(read).toThrow(/MODE: must be equal to one of the allowed values \(a, b\)/)
    expect(read).not.toThrow(/staging|not a url|topsecret/)
  })

  it('reports a failed union once, not once per branch', () => {
    const schema = Type.Object({ N: Type.Union([Type.Literal('x'), Type.Integer()]) })
    let message = ''
    try {
      readConfig(schema, { N: 'y' })
    } catch (err) {
      message = (err as Error).message
    }
    expect(message.match(/N:/g)).toHaveLength(1)
  })
})

describe('verifierOptions', () => {
  it('maps the shared auth settings to verifier options', () => {
    const config = readConfig(authConfigSchema, {
      ECRS_ENV: 'production',
      ECRS_JWKS_URL: 'https://idp.example/jwks.json',
      ECRS_JWT_ISSUER: 'idp',
    })
    expect(verifierOptions(config)).toEqual({
      env: 'production',
      secret: undefined,
      jwksUrl: 'https://idp.example/jwks.json',
      issuer: 'idp',
      audience: undefined,
    })
  })
})
