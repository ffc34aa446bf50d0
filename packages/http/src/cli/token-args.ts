import { parseArgs } from 'node:util'

import { isValidUscc } from '@ecrs/contracts'

import { DEFAULT_MAX_LIFETIME_SECONDS, LOCAL_DEV_SECRET, roles } from '../auth.js'
import type { Role, TokenClaims } from '../auth.js'
import { parseDuration } from '../duration.js'

/** What the token CLI signs: claims, secret and lifetime. */
export interface TokenRequest {
  readonly claims: TokenClaims
  readonly secret: string
  readonly ttlSeconds: number
}

/** The CLI's usage text. */
export const usage = `usage: npm run token -- --role <agency|regulator|firm|admin> [options]

  --role     agency | regulator | firm | admin (required)
  --agency   agency id, e.g. samr.ln (required for --role agency)
  --uscc     the firm's 18-character USCC (required for --role firm)
  --sub      subject (default derived from role and agency/uscc)
  --ttl      lifetime: seconds, or 30m / 12h / 1d (default 86400; at most
             ECRS_JWT_MAX_LIFETIME, 24h by default, or the services refuse it)
  --secret   HS256 secret (default ECRS_JWT_SECRET, else the local default)
  --issuer   iss claim, when the services check it
  --audience aud claim, when the services check it

Prints the token only.`

/** Parses `86400`, `45s`, `30m`, `1h` or `7d` into seconds. */
export const parseTtl = parseDuration

const isRole = (value: string): value is Role => (roles as readonly string[]).includes(value)

/**
 * Reads the CLI arguments (without `node` and the script) and the environment into what to sign,
 * or an error message to print above the usage.
 */
export const parseTokenArgs = (
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): TokenRequest | { readonly error: string } => {
  let values
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        role: { type: 'string' },
        agency: { type: 'string' },
        uscc: { type: 'string' },
        sub: { type: 'string' },
        ttl: { type: 'string', default: '86400' },
        secret: { type: 'string' },
        issuer: { type: 'string' },
        audience: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }).values
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) }
  }
  const { role, agency, uscc } = values
  if (role === undefined) return { error: '--role is required' }
  if (!isRole(role)) return { error: `--role must be one of ${roles.join(', ')}` }
  if (role === 'agency' && (agency === undefined || !/^[a-z0-9.-]+$/.test(agency))) {
    return { error: '--agency <id> ([a-z0-9.-]+) is required for --role agency' }
  }
  if (role === 'firm' && (uscc === undefined || !isValidUscc(uscc))) {
    return { error: '--uscc <a valid 18-character USCC> is required for --role firm' }
  }
  const ttlSeconds = parseTtl(values.ttl)
  if (ttlSeconds === undefined) return { error: '--ttl must be seconds or a number with s, m, h or d' }
  const maxLifetime = parseDuration(env['ECRS_JWT_MAX_LIFETIME'] ?? '') ?? DEFAULT_MAX_LIFETIME_SECONDS
  if (ttlSeconds > maxLifetime) {
    return {
      error: `--ttl is longer than ECRS_JWT_MAX_LIFETIME (${maxLifetime} s): the services would refuse it`,
    }
  }
  const secret = values.secret ?? (env['ECRS_JWT_SECRET'] || LOCAL_DEV_SECRET)
  const claims: TokenClaims = {
    sub: values.sub ?? defaultSub(role, agency, uscc),
    role,
    ...(role === 'agency' && agency !== undefined ? { agency } : {}),
    ...(role === 'firm' && uscc !== undefined ? { uscc } : {}),
    ...(values.issuer === undefined ? {} : { iss: values.issuer }),
    ...(values.audience === undefined ? {} : { aud: values.audience }),
  }
  return { claims, secret, ttlSeconds }
}

const defaultSub = (role: Role, agency: string | undefined, uscc: string | undefined): string => {
  if (role === 'agency') return `agency:${agency ?? 'local'}`
  if (role === 'firm') return `firm:${uscc ?? 'local'}`
  return `${role}:local`
}
