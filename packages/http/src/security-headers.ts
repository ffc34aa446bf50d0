import helmet from '@fastify/helmet'
import type { FastifyPluginAsync, RouteOptions } from 'fastify'
import fp from 'fastify-plugin'

// JSON answers load nothing: the strictest policy, which also forbids framing (clickjacking).
const API_CSP = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'none'"],
    frameAncestors: ["'none'"],
  },
}

/**
 * What the Swagger UI at `/docs` needs: its scripts, styles and images from this origin (no inline
 * script; the bundle sets inline style attributes), and fetching `/openapi.json` and trying the API
 * from this origin. No `upgrade-insecure-requests`: the services also serve plain HTTP locally, where
 * upgrading the page's own assets to https would break it.
 */
export const docsCsp = (extra: {
  readonly script: readonly string[]
  readonly style: readonly string[]
}) => ({
  useDefaults: false,
  directives: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'", ...extra.script],
    scriptSrcAttr: ["'none'"],
    styleSrc: ["'self'", "'unsafe-inline'", ...extra.style],
    imgSrc: ["'self'", 'data:'],
    fontSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'self'"],
  },
})

declare module 'fastify' {
  interface FastifyContextConfig {
    /** @fastify/helmet's per-route options (see docsCsp); the app-wide ones otherwise. */
    helmet?: Record<string, unknown>
  }
}

/**
 * An onRoute hook giving the routes declared after it (in its context) the `/docs` content security
 * policy, with the sources `extra()` names when the route is declared.
 */
export const useDocsCsp =
  (extra: () => Parameters<typeof docsCsp>[0]) =>
  (route: RouteOptions): void => {
    route.config = { ...route.config, helmet: { contentSecurityPolicy: docsCsp(extra()) } }
  }

const securityHeaders: FastifyPluginAsync = async (app) => {
  // helmet's defaults (nosniff, frame options, referrer policy, HSTS, cross-origin policies, no
  // X-Powered-By), with a content security policy for an API.
  await app.register(helmet, { global: true, contentSecurityPolicy: API_CSP })
  // An answer to an authenticated request is that caller's (a full profile, an event's status): no
  // cache, shared or private, may keep it. Set last, so that no route or plugin loosens it.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (request.headers.authorization !== undefined) void reply.header('cache-control', 'no-store')
    done(null, payload)
  })
}

/**
 * Security headers on every answer (@fastify/helmet) and `Cache-Control: no-store` on every answer
 * to a request that carried an Authorization header.
 */
export const securityHeadersPlugin = fp(securityHeaders, {
  name: '@ecrs/http/security-headers',
  fastify: '5.x',
})
