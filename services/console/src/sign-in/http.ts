import { isValidUscc } from '@ecrs/contracts'
import { codedError, signToken, type App, type TokenClaims } from '@ecrs/http'

/** How the console signs callers in (contract §11). */
export interface SignInOptions {
  /** `sign-in`: the console mints local tokens; `token`: callers paste one. */
  readonly mode: 'sign-in' | 'token'
  readonly env: 'development' | 'production'
  /** The HS256 secret the services verify with (their default in development). */
  readonly secret: string
  readonly ttlSeconds: number
  readonly issuer?: string | undefined
  readonly audience?: string | undefined
}

const SignInDisabled = codedError(
  'SIGN_IN_DISABLED',
  403,
  'the console does not mint tokens here (%s): sign in with a bearer token',
)
const UsccInvalid = codedError('USCC_INVALID', 400, 'not a valid USCC: %s')

const AGENCY = '^(?!ecrs\\.)[a-z0-9.-]{1,64}$'
const noQuery = { type: 'object', additionalProperties: false, properties: {} } as const

const signInBody = {
  type: 'object',
  additionalProperties: false,
  required: ['role'],
  properties: {
    role: { type: 'string', enum: ['agency', 'regulator', 'firm', 'admin'] },
    agency: { type: 'string', pattern: AGENCY, description: 'the agency id, e.g. samr.ln (role agency)' },
    uscc: { type: 'string', minLength: 18, maxLength: 18, description: "the firm's USCC (role firm)" },
    sub: { type: 'string', pattern: '^[A-Za-z0-9._:@-]{1,128}$' },
  },
  allOf: [
    { if: { properties: { role: { const: 'agency' } } }, then: { required: ['agency'] } },
    { if: { properties: { role: { const: 'firm' } } }, then: { required: ['uscc'] } },
  ],
} as const

interface SignInBody {
  role: TokenClaims['role']
  agency?: string
  uscc?: string
  sub?: string
}

const claimsOf = (body: SignInBody): TokenClaims => {
  switch (body.role) {
    case 'agency':
      return { role: 'agency', agency: body.agency ?? '', sub: body.sub ?? `console:${body.agency ?? ''}` }
    case 'firm':
      return { role: 'firm', uscc: body.uscc ?? '', sub: body.sub ?? `console:firm:${body.uscc ?? ''}` }
    case 'regulator':
    case 'admin':
      return { role: body.role, sub: body.sub ?? `console:${body.role}` }
  }
}

/**
 * `GET /console/v1/sign-in` tells the page which sign-in it offers; `POST /console/v1/sign-in` mints
 * a local HS256 token for the role asked ("sign in as", development only). The token travels in
 * the answer's body only, never in a URL, and nothing of it is kept here.
 */
export const signInRoutes = (app: App, opts: SignInOptions): void => {
  const refusal =
    opts.env === 'production'
      ? 'ECRS_ENV=production'
      : opts.mode === 'token'
        ? 'ECRS_CONSOLE_AUTH=token'
        : undefined
  app.get(
    '/console/v1/sign-in',
    {
      config: { skipAuth: true },
      schema: {
        summary: 'How this console signs callers in',
        tags: ['console'],
        querystring: noQuery,
        response: {
          200: {
            type: 'object',
            required: ['mode'],
            properties: { mode: { type: 'string', enum: ['sign-in', 'token'] } },
          },
        },
      },
    },
    () => ({ mode: refusal === undefined ? 'sign-in' : 'token' }),
  )
  app.post<{ Body: SignInBody }>(
    '/console/v1/sign-in',
    {
      config: { skipAuth: true },
      // Refused before the body is read or checked: in production there is nothing to ask for.
      onRequest: (_request, _reply, done) =>
        done(refusal === undefined ? undefined : new SignInDisabled(refusal)),
      schema: {
        summary: 'Sign in as a role (development): mints a local token',
        tags: ['console'],
        querystring: noQuery,
        body: signInBody,
        response: {
          200: {
            type: 'object',
            required: ['token', 'expiresAt', 'claims'],
            properties: {
              token: { type: 'string' },
              expiresAt: { type: 'string', format: 'date-time' },
              claims: { type: 'object', additionalProperties: { type: 'string' } },
            },
          },
        },
      },
    },
    async (request, reply) => {
      if (request.body.role === 'firm' && !isValidUscc(request.body.uscc ?? '')) {
        throw new UsccInvalid(request.body.uscc ?? '')
      }
      const claims = claimsOf(request.body)
      const token = await signToken(
        {
          ...claims,
          ...(opts.issuer === undefined ? {} : { iss: opts.issuer }),
          ...(opts.audience === undefined ? {} : { aud: opts.audience }),
        },
        opts.secret,
        opts.ttlSeconds,
      )
      const expiresAt = new Date(Date.now() + opts.ttlSeconds * 1000).toISOString()
      return reply.header('cache-control', 'no-store').send({ token, expiresAt, claims })
    },
  )
}
