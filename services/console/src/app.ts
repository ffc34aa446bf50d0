import { createApp, verifierOptions, LOCAL_DEV_SECRET, type App } from '@ecrs/http'
import type { Logger } from 'pino'
import type { Config } from './config.js'
import { proxyRoutes } from './proxy/http.js'
import { upstreamNames, type Upstreams } from './proxy/upstreams.js'
import { signInRoutes } from './sign-in/http.js'
import { webRoutes } from './web/http.js'

/** What the console's app is built from. */
export interface ConsoleDeps {
  readonly config: Readonly<Config>
  readonly logger: Logger
  readonly upstreams: Upstreams
  /** The built single-page app (index.html and assets/). */
  readonly webDir: string
  readonly version: string
}

// Ready when every service the pages call answers its /healthz (theirs say whether Kafka and the
// store work; the console has neither).
const upstreamsAnswer = (all: Upstreams) => async (): Promise<Record<string, boolean>> => {
  const checks = await Promise.all(
    upstreamNames.map(async (name) => {
      try {
        const res = await fetch(`${all[name]}/healthz`, { signal: AbortSignal.timeout(2000) })
        return [name, res.status === 200] as const
      } catch {
        return [name, false] as const
      }
    }),
  )
  return Object.fromEntries(checks)
}

/** Builds (does not start) the console's server: sign-in, the API proxy and the web app. */
export const buildApp = async (deps: ConsoleDeps): Promise<App> => {
  const { config } = deps
  const app = await createApp({
    name: 'console',
    version: deps.version,
    logger: deps.logger,
    auth: verifierOptions(config),
    ready: upstreamsAnswer(deps.upstreams),
    readyTimeoutMs: 3000,
    // The proxy streams bodies through (batches up to 10 MiB); the console's own bodies are small.
    bodyLimit: 16 * 1024,
    timeouts: { headersMs: config.HTTP_HEADERS_TIMEOUT_MS, bodyMs: config.HTTP_BODY_TIMEOUT_MS },
    openapi: {
      title: 'ECRS console',
      description:
        'The web console (contract §11): the single-page app, a development sign-in that mints local tokens, and the services’ APIs under /api/<service>/.',
    },
  })
  signInRoutes(app, {
    mode: config.ECRS_CONSOLE_AUTH,
    env: config.ECRS_ENV,
    secret: config.ECRS_JWT_SECRET ?? LOCAL_DEV_SECRET,
    ttlSeconds: config.CONSOLE_TOKEN_TTL_S,
    issuer: config.ECRS_JWT_ISSUER,
    audience: config.ECRS_JWT_AUDIENCE,
  })
  await app.register(proxyRoutes(deps.upstreams))
  await app.register(webRoutes(deps.webDir))
  return app
}
