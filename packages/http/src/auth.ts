import { isValidUscc as isValidUsccDefault } from '@ecrs/contracts'
import type { FastifyPluginCallback, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import fp from 'fastify-plugin'
import { SignJWT, createRemoteJWKSet, decodeProtectedHeader, errors as joseErrors, jwtVerify } from 'jose'
import type { JWTPayload, JWTVerifyOptions } from 'jose'

import { httpErrors } from './errors.js'

/** Who is calling, per contract §2. A request without a token is `public`. */
export type Principal =
  | { readonly kind: 'agency'; readonly sub: string; readonly agency: string }
  | { readonly kind: 'regulator'; readonly sub: string }
  | { readonly kind: 'firm'; readonly sub: string; readonly uscc: string }
  | { readonly kind: 'admin'; readonly sub: string }
  | { readonly kind: 'public' }

/** The roles a token may carry (every principal kind but `public`). */
export type Role = Exclude<Principal['kind'], 'public'>

/** The roles, in the order of the contract. */
export const roles: readonly Role[] = ['agency', 'regulator', 'firm', 'admin']

/** The anonymous principal. */
export const publicPrincipal: Principal = Object.freeze({ kind: 'public' })

/** The HS256 secret for local use only; production refuses to start with it. */
export const LOCAL_DEV_SECRET = 'ecrs-local-dev-secret'

/** How tokens are verified; see contract §2. */
export interface VerifierOptions {
  readonly env: 'development' | 'production'
  /** HS256 secret; defaults to {@link LOCAL_DEV_SECRET} in development when no JWKS URL is given. */
  readonly secret?: string | undefined
  /** JWKS endpoint for RS256/ES256 tokens. */
  readonly jwksUrl?: string | undefined
  readonly issuer?: string | undefined
  readonly audience?: string | undefined
  /**
   * The check of a `firm` token's `uscc`; by default `@ecrs/contracts`' isValidUscc (shape and the
   * GB 32100 check character).
   */
  readonly isValidUscc?: ((uscc: string) => boolean) | undefined
  /**
   * Longest accepted validity, `exp` minus `iat` (or minus now without `iat`), in seconds;
   * {@link DEFAULT_MAX_LIFETIME_SECONDS} by default (`ECRS_JWT_MAX_LIFETIME`, contract §2).
   */
  readonly maxLifetimeSeconds?: number | undefined
}

/** The longest token validity accepted unless configured otherwise: 24 h (contract §2). */
export const DEFAULT_MAX_LIFETIME_SECONDS = 24 * 3600

/** How far ahead of our clock a token's `iat` may lie (issuer clock skew), in seconds. */
export const IAT_LEEWAY_SECONDS = 60

/** Turns a bearer token into a principal, or rejects with a 401 `UNAUTHORIZED` coded error. */
export interface Verifier {
  verify(token: string): Promise<Principal>
}

/** The claims the local token helpers sign. */
export interface TokenClaims {
  readonly sub: string
  readonly role: Role
  readonly agency?: string
  readonly uscc?: string
  readonly iss?: string
  readonly aud?: string
}

const AGENCY_PATTERN = /^[a-z0-9.-]{1,64}$/
const USCC_SHAPE = /^[0-9A-Z]{18}$/
const ASYMMETRIC_ALGS = ['RS256', 'ES256']

const unauthorized = (reason: string): Error => new httpErrors.UNAUTHORIZED(reason)

/**
 * Builds a token verifier. Throws at creation (so the service refuses to start) when production is
 * configured with the local default secret, or with neither a secret nor a JWKS URL.
 */
export const createVerifier = (opts: VerifierOptions): Verifier => {
  const secret =
    opts.secret ?? (opts.env === 'development' && opts.jwksUrl === undefined ? LOCAL_DEV_SECRET : undefined)
  if (opts.env === 'production') {
    if (secret === LOCAL_DEV_SECRET) {
      throw new Error(
        'ECRS_ENV=production refuses the local default ECRS_JWT_SECRET: set a real secret or ECRS_JWKS_URL',
      )
    }
    if (secret === undefined && opts.jwksUrl === undefined) {
      throw new Error('ECRS_ENV=production needs ECRS_JWT_SECRET or ECRS_JWKS_URL to verify tokens')
    }
  }
  if (secret === '') throw new Error('ECRS_JWT_SECRET must not be empty')
  const hmacKey = secret === undefined ? undefined : new TextEncoder().encode(secret)
  const jwks = opts.jwksUrl === undefined ? undefined : createRemoteJWKSet(new URL(opts.jwksUrl))
  const common: JWTVerifyOptions = {
    requiredClaims: ['exp', 'sub'],
    ...(opts.issuer === undefined ? {} : { issuer: opts.issuer }),
    ...(opts.audience === undefined ? {} : { audience: opts.audience }),
  }
  const isValidUscc = opts.isValidUscc ?? ((uscc: string) => isValidUsccDefault(uscc))
  const maxLifetime = opts.maxLifetimeSeconds ?? DEFAULT_MAX_LIFETIME_SECONDS
  if (!(maxLifetime > 0)) throw new Error('the longest token lifetime must be a positive number of seconds')

  const verifySignature = async (token: string): Promise<JWTPayload> => {
    let alg: string | undefined
    try {
      alg = decodeProtectedHeader(token).alg
    } catch {
      throw unauthorized('malformed token')
    }
    // The key is chosen by algorithm family, and each key only accepts its own algorithms, so a
    // token cannot make us verify an RS256 public key as an HMAC secret (algorithm confusion).
    if (alg === 'HS256' && hmacKey !== undefined) {
      return (await jwtVerify(token, hmacKey, { ...common, algorithms: ['HS256'] })).payload
    }
    if (alg !== undefined && ASYMMETRIC_ALGS.includes(alg) && jwks !== undefined) {
      return (await jwtVerify(token, jwks, { ...common, algorithms: ASYMMETRIC_ALGS })).payload
    }
    throw unauthorized(`algorithm ${String(alg)} is not accepted`)
  }

  return {
    async verify(token) {
      let payload: JWTPayload
      try {
        payload = await verifySignature(token)
      } catch (err) {
        throw toUnauthorized(err)
      }
      checkValidity(payload, Math.floor(Date.now() / 1000), maxLifetime)
      return principalOf(payload, isValidUscc)
    },
  }
}

const toUnauthorized = (err: unknown): Error => {
  if (err instanceof httpErrors.UNAUTHORIZED) return err
  if (err instanceof joseErrors.JWTExpired) return unauthorized('token expired')
  if (err instanceof joseErrors.JWTClaimValidationFailed) return unauthorized(`claim ${err.claim} invalid`)
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return unauthorized('bad signature')
  if (err instanceof joseErrors.JWKSNoMatchingKey) return unauthorized('no matching key')
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return unauthorized('algorithm not accepted')
  // Malformed tokens, an unreachable JWKS and the like: the caller cannot be authenticated either way.
  return unauthorized('invalid token')
}

/**
 * What jose leaves to us (it checks `exp` and that `iat` is a number): a token issued in the future
 * is forged or from a broken clock, and a long-lived one (`exp` in year 9999) is a bearer secret that
 * never expires if it leaks. The lifetime counts from `iat`, or from now when there is none.
 */
const checkValidity = (claims: JWTPayload, nowSeconds: number, maxLifetime: number): void => {
  const { iat, exp } = claims
  if (iat !== undefined && iat > nowSeconds + IAT_LEEWAY_SECONDS)
    throw unauthorized('claim iat in the future')
  if (exp !== undefined && exp - (iat ?? nowSeconds) > maxLifetime) {
    throw unauthorized(`token valid for longer than ${maxLifetime} s`)
  }
}

const principalOf = (claims: JWTPayload, isValidUscc: (uscc: string) => boolean): Principal => {
  const sub = claims.sub
  if (typeof sub !== 'string' || sub === '') throw unauthorized('claim sub missing')
  const role = claims['role']
  switch (role) {
    case 'regulator':
    case 'admin':
      return { kind: role, sub }
    case 'agency': {
      const agency = claims['agency']
      if (typeof agency !== 'string' || !AGENCY_PATTERN.test(agency))
        throw unauthorized('claim agency invalid')
      return { kind: 'agency', sub, agency }
    }
    case 'firm': {
      const uscc = claims['uscc']
      if (typeof uscc !== 'string' || !USCC_SHAPE.test(uscc) || !isValidUscc(uscc)) {
        throw unauthorized('claim uscc invalid')
      }
      return { kind: 'firm', sub, uscc }
    }
    default:
      throw unauthorized('claim role invalid')
  }
}

/**
 * Signs an HS256 token valid for `ttlSeconds` from now, for tests and the local token CLI. The
 * verifier refuses lifetimes over its maximum (24 h by default).
 */
export const signToken = async (claims: TokenClaims, secret: string, ttlSeconds: number): Promise<string> => {
  const { sub, iss, aud, ...rest } = claims
  // One reading of the clock: `exp - iat` is exactly the ttl, so a 24 h token is never 24 h + 1 s.
  const now = Math.floor(Date.now() / 1000)
  let jwt = new SignJWT({ ...rest })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuedAt(now)
    .setExpirationTime(now + ttlSeconds)
  if (iss !== undefined) jwt = jwt.setIssuer(iss)
  if (aud !== undefined) jwt = jwt.setAudience(aud)
  return jwt.sign(new TextEncoder().encode(secret))
}

const BEARER = /^Bearer +(\S+) *$/i

/** Options of {@link authPlugin}. */
export interface AuthPluginOptions {
  readonly verifier: Verifier
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller; `{ kind: 'public' }` when the request carries no Authorization header. */
    principal: Principal
  }
  interface FastifyContextConfig {
    /** Ignore the Authorization header on this route (health, metrics, docs): everyone is public. */
    skipAuth?: boolean
  }
}

const auth: FastifyPluginCallback<AuthPluginOptions> = (app, opts, done) => {
  app.decorateRequest('principal', null as never)
  app.addHook('onRequest', async (request) => {
    request.principal = publicPrincipal
    const header = request.headers.authorization
    if (header === undefined || request.routeOptions.config.skipAuth === true) return
    const token = BEARER.exec(header)?.[1]
    if (token === undefined) throw unauthorized('expected Authorization: Bearer <token>')
    request.principal = await opts.verifier.verify(token)
  })
  done()
}

/**
 * Sets `request.principal` on every request: public without an Authorization header, the token's
 * principal with a valid one. A present but invalid header is always 401, so a broken client
 * learns it at once instead of silently getting the public answer.
 */
export const authPlugin = fp(auth, { name: '@ecrs/http/auth', fastify: '5.x' })

/** A route hook, usable as `onRequest` or `preHandler`. */
export type AuthHook = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void

/**
 * Route hook: 401 for public callers, 403 for authenticated callers of another role. Usable as
 * `preHandler` (after validation: "schema → 403") or as `onRequest` (before the body is read).
 */
export const requireRoles =
  (...allowed: Role[]): AuthHook =>
  (request, _reply, done) => {
    const principal = request.principal
    if (principal.kind === 'public') return done(unauthorized('a bearer token is required'))
    if (!allowed.includes(principal.kind)) return done(new httpErrors.FORBIDDEN(`role ${principal.kind}`))
    done()
  }

/**
 * Route hook: 401 for public callers, whatever their later rights. Put it in `onRequest` where the
 * contract wants 401 before 413 and validation, and check roles later with {@link requireRoles}.
 */
export const requireAuthenticated: AuthHook = (request, _reply, done) => {
  done(request.principal.kind === 'public' ? unauthorized('a bearer token is required') : undefined)
}

/**
 * Route hook: an admin reads the operations endpoints and event statuses, nothing else (contract
 * §2: profiles, recalls, search, stats → 403), not even what an anonymous caller may read.
 */
export const refuseAdmin: AuthHook = (request, _reply, done) => {
  done(
    request.principal.kind === 'admin'
      ? new httpErrors.FORBIDDEN('an admin reads operations only')
      : undefined,
  )
}
