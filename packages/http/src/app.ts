import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { fastify, LogController } from 'fastify'
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyPluginAsync,
  FastifyPluginCallback,
  RouteOptions,
} from 'fastify'
import type { Logger } from 'pino'

import { authPlugin, createVerifier } from './auth.js'
import type { Verifier, VerifierOptions } from './auth.js'
import {
  MAX_PARAM_LENGTH,
  clientErrorHandler,
  errorHandler,
  errorResponseSchema,
  methodNotAllowed,
  notFoundHandler,
  routerErrorHandler,
} from './errors.js'
import { jsonBodyParser } from './json-body.js'
import { metricsPlugin } from './metrics.js'
import { parseQuery, rejectInvalidQuery } from './querystring.js'
import { REDACT_PATHS, redactUrl, requestSerializer } from './redaction.js'
import { securityHeadersPlugin, useDocsCsp } from './security-headers.js'

/** Options of {@link createApp}. */
export interface AppOptions {
  /** Service name: OpenAPI title fallback and the `service` label of metrics. */
  readonly name: string
  readonly version: string
  /** The process's root pino logger. */
  readonly logger: Logger
  /** A ready verifier, or the options to build one (throws at creation on unsafe production settings). */
  readonly auth: Verifier | VerifierOptions
  /** Readiness checks by dependency, e.g. `{ kafka: true, store: false }`; all true → ready. */
  readonly ready: () => Promise<Readonly<Record<string, boolean>>>
  /** How long `/readyz` waits for the checks before answering not-ready; 5000 ms by default. */
  readonly readyTimeoutMs?: number
  /** Largest accepted body in bytes; Fastify's default (1 MiB) when absent. */
  readonly bodyLimit?: number
  readonly openapi?: { readonly title: string; readonly description: string }
  /** Log paths to redact besides the Authorization and Cookie headers. */
  readonly redact?: readonly string[]
  /** How long a client may take to send a request; see {@link ServerTimeouts}. */
  readonly timeouts?: ServerTimeouts
}

/**
 * Bounds on slow clients, so that a socket that sends its headers (or its body) slowly, or not at
 * all, cannot hold a connection and what the route reserved for it (ingest's batch budget) for long.
 */
export interface ServerTimeouts {
  /** Most time from the connection (or the request's first byte) to the end of its headers; 5000 ms by default. */
  readonly headersMs?: number | undefined
  /** Most time to receive the whole request, headers and body; 10000 ms by default. Not less than `headersMs`. */
  readonly bodyMs?: number | undefined
}

/** The default {@link ServerTimeouts}. */
export const DEFAULT_TIMEOUTS = { headersMs: 5000, bodyMs: 10_000 } as const

/** The app every service builds on. */
export type App = FastifyInstance

declare module 'fastify' {
  /** The OpenAPI fields routes may carry (the same as @fastify/swagger's, visible to every service). */
  interface FastifySchema {
    summary?: string
    description?: string
    tags?: readonly string[]
    hide?: boolean
    security?: readonly { [securityLabel: string]: readonly string[] }[]
  }
  interface FastifyContextConfig {
    /**
     * The code answered for invalid input on this route (schema violation, malformed JSON) instead
     * of the generic `BODY_INVALID` / `QUERY_INVALID`, e.g. ingest's `EVENT_INVALID`.
     */
    validationErrorCode?: string
  }
}

/** OpenAPI security requirement for routes that need a token: `schema: { security: bearerSecurity }`. */
export const bearerSecurity = [{ bearerAuth: [] }] as const

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/

/** The caller's `x-correlation-id` when well-formed (bounded, no control characters), else a UUID. */
const correlationId = (req: IncomingMessage): string => {
  const given = req.headers['x-correlation-id']
  return typeof given === 'string' && CORRELATION_ID.test(given) ? given : randomUUID()
}

/**
 * Builds (does not start) a service's Fastify app with what every service shares: correlation ids,
 * auth (`request.principal`), the common error shape, strict query strings, `/healthz`, `/readyz`,
 * `/metrics`, `/openapi.json` and `/docs`. Async because the OpenAPI generator must be loaded before
 * the service declares its routes, so they appear in the document.
 */
export const createApp = async (opts: AppOptions): Promise<App> => {
  const verifier = 'verify' in opts.auth ? opts.auth : createVerifier(opts.auth)
  // Typed as Fastify's base logger so that plain `FastifyPluginAsync` plugins register without casts.
  // The child's redaction replaces the root's, hence `opts.redact` for the service's own paths.
  const logger: FastifyBaseLogger = opts.logger.child(
    {},
    { redact: [...REDACT_PATHS, ...(opts.redact ?? [])], serializers: { req: requestSerializer } },
  )
  const app = fastify({
    loggerInstance: logger,
    ...serverOptions(opts.timeouts ?? {}),
    genReqId: correlationId,
    // One line per request, when it is answered (below), instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    ...(opts.bodyLimit === undefined ? {} : { bodyLimit: opts.bodyLimit }),
    // Fastify's default (100) refused ids the contract allows (1–128 characters) with a bare 414:
    // the routes' own schemas bound their parameters, this only bounds what the router copies.
    routerOptions: { querystringParser: parseQuery, maxParamLength: MAX_PARAM_LENGTH },
    // The router's own refusals (a parameter over that bound, malformed percent-encoding) in the
    // common coded shape instead of Fastify's.
    frameworkErrors: routerErrorHandler,
    // Requests Node's parser refuses (header floods → 431, malformed request lines → 400) are
    // answered in the common coded error shape too.
    clientErrorHandler,
    ajv: {
      // No silent stripping of unknown parameters: `additionalProperties: false` means 400.
      customOptions: { coerceTypes: true, useDefaults: true, removeAdditional: false },
    },
  })

  // First, so that every answer carries the headers, refusals by later hooks included.
  await app.register(securityHeadersPlugin)
  app.setErrorHandler(errorHandler)
  app.setNotFoundHandler(notFoundHandler)
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, jsonBodyParser(app))
  // Response schemas document the answers (OpenAPI, checked by the fuzz tests); they do not shape
  // them: a generated serializer would silently drop fields a schema forgot, hiding the mismatch.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data))
  app.addHook('onRoute', documentResponses)
  app.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-correlation-id', request.id)
    done()
  })
  app.addHook('onResponse', (request, reply, done) => {
    const ms = Math.round(reply.elapsedTime * 10) / 10
    request.log.info(
      { req: request, res: { statusCode: reply.statusCode }, responseTime: ms },
      `${request.method} ${redactUrl(request.url)} → ${reply.statusCode} (${ms} ms)`,
    )
    done()
  })
  // A known path asked with a method it does not serve: 405 with `Allow`, before auth or body parsing.
  app.addHook('onRequest', (request, _reply, done) => {
    done(request.is404 ? methodNotAllowed(app, request) : undefined)
  })
  app.addHook('preValidation', rejectInvalidQuery)

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: opts.openapi?.title ?? opts.name,
        description: opts.openapi?.description ?? `ECRS ${opts.name} service`,
        version: opts.version,
      },
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
    },
  })
  await app.register(authPlugin, { verifier })
  await app.register(metricsPlugin, { service: opts.name })
  await app.register(docs)
  await app.register(health(opts.ready, opts.readyTimeoutMs ?? 5000))
  return app
}

/**
 * Node's HTTP server limits from {@link ServerTimeouts}. Node checks them every
 * `connectionsCheckingInterval` (30 s by default), which would let an idle socket outlive its
 * timeout by that much: the check runs at least every second. Keep-alive stays Fastify's (72 s
 * between requests, longer than common load balancers' idle timeouts, so that they close first).
 */
const serverOptions = (timeouts: ServerTimeouts) => {
  const headersTimeout = timeouts.headersMs ?? DEFAULT_TIMEOUTS.headersMs
  const requestTimeout = timeouts.bodyMs ?? DEFAULT_TIMEOUTS.bodyMs
  if (!(headersTimeout > 0 && requestTimeout >= headersTimeout)) {
    throw new Error('the headers timeout must be positive and not longer than the body timeout')
  }
  const connectionsCheckingInterval = Math.max(10, Math.min(1000, Math.floor(headersTimeout / 4)))
  return { requestTimeout, http: { headersTimeout, requestTimeout, connectionsCheckingInterval } }
}

/**
 * Every route documents the common error body for its 4xx and 5xx answers, and a 200 when it names
 * no success answer of its own, so that no status it can give is missing from `/openapi.json`.
 */
const documentResponses = (route: RouteOptions): void => {
  if (route.schema?.hide === true) return
  const declared = (route.schema?.response ?? {}) as Record<string, unknown>
  const hasSuccess = Object.keys(declared).some((status) => status.startsWith('2') || status === 'default')
  route.schema = {
    ...route.schema,
    response: {
      ...(hasSuccess ? {} : { 200: { description: 'Default Response' } }),
      '4xx': errorResponseSchema,
      '5xx': errorResponseSchema,
      ...declared,
    },
  }
}

/** `/openapi.json` and the Swagger UI at `/docs`, both open to anyone. */
const docs: FastifyPluginAsync = async (app) => {
  // Encapsulated: only the routes of this plugin (the UI's own) skip auth.
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, skipAuth: true }
  })
  app.get('/openapi.json', { schema: { hide: true } }, (_request, reply) => reply.send(app.swagger()))
  await app.register(async (ui) => {
    // swagger-ui names the script and style sources its page needs (none beyond its own files today);
    // it declares them (the swaggerCSP decorator) before its routes.
    ui.addHook(
      'onRoute',
      useDocsCsp(() => (ui.hasDecorator('swaggerCSP') ? ui.swaggerCSP : { script: [], style: [] })),
    )
    await ui.register(swaggerUi, { routePrefix: '/docs' })
  })
}

const checksSchema = { type: 'object', additionalProperties: { type: 'boolean' } } as const

const health =
  (ready: AppOptions['ready'], timeoutMs: number): FastifyPluginCallback =>
  (app, _opts, done) => {
    app.addHook('onRoute', (route) => {
      route.config = { ...route.config, skipAuth: true }
      // Probes come every few seconds: their requests are not logged at info (failures still are).
      route.logLevel = 'warn'
    })
    app.get(
      '/healthz',
      {
        schema: {
          tags: ['ops'],
          summary: 'The process is alive',
          response: {
            200: { type: 'object', properties: { status: { const: 'ok' } }, required: ['status'] },
          },
        },
      },
      (_request, reply) => reply.send({ status: 'ok' }),
    )
    app.get(
      '/readyz',
      {
        schema: {
          tags: ['ops'],
          summary: 'Every dependency (Kafka, store) answers',
          response: {
            200: readySchema('ready'),
            503: readySchema('not-ready'),
          },
        },
      },
      async (request, reply) => {
        let checks: Readonly<Record<string, boolean>> = {}
        let ok = false
        try {
          checks = await withTimeout(ready(), timeoutMs)
          ok = Object.values(checks).every((v) => v)
        } catch (err) {
          request.log.warn({ err }, 'readiness check failed')
        }
        return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not-ready', checks })
      },
    )
    done()
  }

const readySchema = (status: string) =>
  ({
    type: 'object',
    properties: { status: { const: status }, checks: checksSchema },
    required: ['status', 'checks'],
  }) as const

// A probe that hangs (a broker that accepts connections but never answers) must still get an answer.
const withTimeout = async <T>(work: Promise<T>, ms: number): Promise<T> => {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`readiness checks took over ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([work, timeout])
  } finally {
    clearTimeout(timer)
  }
}
