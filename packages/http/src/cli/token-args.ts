import { parseArgs } from 'node:util'

import { LOCAL_DEV_SECRET, roles } from '../auth.js'
import type { Role, TokenClaims } from '../auth.js'

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
  --ttl      lifetime: seconds, or 30m / 12h / 7d (default 86400)
  --secret   HS256 secret (default ECRS_JWT_SECRET, else the local default)
  --issuer   iss claim, when the services check it
  --audience aud claim, when the services check it

Prints the token only.`

const UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 }

/** Parses `86400`, `45s`, `30m`, `1h` or `7d` into seconds. */
export const parseTtl = (text: string): number | undefined => {
  const match = /^(\d{1,9})([smhd]?)$/.exec(text)
  if (match === null) return undefined
  const seconds = Number(match[1]) * (UNITS[match[2] ?? ''] ?? 1)
  return seconds > 0 ? seconds : undefined
}

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
  if (role === 'firm' && (uscc === undefined || !/^[0-9A-Z]{18}$/.test(uscc))) {
    return { error: '--uscc <18 characters [0-9A-Z]> is required for --role firm' }
  }
  const ttlSeconds = parseTtl(values.ttl)
  if (ttlSeconds === undefined) return { error: '--ttl must be seconds or a number with s, m, h or d' }
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
