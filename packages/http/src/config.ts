import { Type } from '@sinclair/typebox'
import type { Static, TSchema } from '@sinclair/typebox'
import { Ajv } from 'ajv'
import type { ErrorObject } from 'ajv'

import type { VerifierOptions } from './auth.js'
import { DURATION_PATTERN, parseDuration } from './duration.js'

/**
 * A string enum as one JSON Schema `enum` (rather than TypeBox's `anyOf` of literals), so an invalid
 * value yields one error naming the allowed values.
 */
export const stringEnum = <const V extends readonly string[]>(
  values: V,
  options: { default?: V[number]; description?: string } = {},
) => Type.Unsafe<V[number]>({ type: 'string', enum: [...values], ...options })

/**
 * Configuration every service shares: auth settings (contract §2) and the log level. Compose it into
 * a service schema with `Type.Composite([authConfigSchema, Type.Object({ ... })])`.
 */
export const authConfigSchema = Type.Object({
  ECRS_ENV: stringEnum(['development', 'production'], { default: 'development' }),
  ECRS_JWT_SECRET: Type.Optional(Type.String({ minLength: 1 })),
  ECRS_JWKS_URL: Type.Optional(Type.String({ format: 'uri' })),
  ECRS_JWT_ISSUER: Type.Optional(Type.String({ minLength: 1 })),
  ECRS_JWT_AUDIENCE: Type.Optional(Type.String({ minLength: 1 })),
  /** Longest token validity (exp − iat, or exp − now): seconds, or a number with s, m, h or d; 24h when unset. */
  ECRS_JWT_MAX_LIFETIME: Type.Optional(Type.String({ pattern: DURATION_PATTERN })),
  LOG_LEVEL: stringEnum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { default: 'info' }),
  /** `pretty` (one readable line per entry) or `json`; unset: pretty when stdout is a terminal. */
  LOG_FORMAT: Type.Optional(stringEnum(['json', 'pretty'])),
})

/** The shared auth and logging settings, as read by {@link readConfig}. */
export type AuthConfig = Static<typeof authConfigSchema>

/** Maps the shared settings to the options of `createVerifier`. */
export const verifierOptions = (config: AuthConfig): VerifierOptions => ({
  env: config.ECRS_ENV,
  secret: config.ECRS_JWT_SECRET,
  jwksUrl: config.ECRS_JWKS_URL,
  issuer: config.ECRS_JWT_ISSUER,
  audience: config.ECRS_JWT_AUDIENCE,
  maxLifetimeSeconds:
    config.ECRS_JWT_MAX_LIFETIME === undefined ? undefined : parseDuration(config.ECRS_JWT_MAX_LIFETIME),
})

const ajv = new Ajv({ coerceTypes: true, useDefaults: true, removeAdditional: false, allErrors: true })
// ajv-formats is not a dependency here; URL parsing is the check that matters for a JWKS URL anyway.
ajv.addFormat('uri', { type: 'string', validate: (s: string) => URL.canParse(s) })

/**
 * Validates environment variables against a TypeBox object schema: types are coerced, defaults
 * applied, variables the schema does not name ignored (the environment holds many). Returns a
 * deep-frozen copy; throws an Error listing every problem (`KAFKA_BROKERS: must be ...`).
 */
export const readConfig = <T extends TSchema>(
  schema: T,
  env: Record<string, string | undefined>,
): Readonly<Static<T>> => {
  const names = Object.keys((schema as { properties?: Record<string, unknown> }).properties ?? {})
  const input: Record<string, unknown> = {}
  for (const name of names) {
    const value = env[name]
    // `FOO=` in a shell or compose file means "not set": let the default apply.
    if (value !== undefined && value !== '') input[name] = value
  }
  const validate = ajv.compile(schema)
  if (!validate(input)) {
    const problems = withoutBranchNoise(validate.errors ?? []).map(describe)
    // Only the problems: callers add their own context (`ingest: invalid configuration: ...`).
    throw new Error(problems.join('; '))
  }
  return deepFreeze(input) as Readonly<Static<T>>
}

// An `anyOf` failure also reports why each branch failed; the `anyOf` error alone is the useful one.
const withoutBranchNoise = (errors: readonly ErrorObject[]): ErrorObject[] => {
  const unions = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf')
  return errors.filter(
    (e) =>
      !unions.some(
        (u) => u !== e && u.instancePath === e.instancePath && e.schemaPath.startsWith(`${u.schemaPath}/`),
      ),
  )
}

const describe = (e: ErrorObject): string => {
  const missing = (e.params as { missingProperty?: unknown }).missingProperty
  const name = typeof missing === 'string' ? missing : e.instancePath.slice(1).replaceAll('/', '.')
  const allowed = (e.params as { allowedValues?: unknown }).allowedValues
  // Values are never echoed: they may be secrets.
  const detail = Array.isArray(allowed) ? ` (${allowed.join(', ')})` : ''
  return `${name === '' ? '(root)' : name}: ${typeof missing === 'string' ? 'is required' : (e.message ?? 'is invalid')}${detail}`
}

const deepFreeze = <V>(value: V): V => {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const child of Object.values(value)) deepFreeze(child)
  }
  return value
}
