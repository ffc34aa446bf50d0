import { existsSync } from 'node:fs'
import { join } from 'node:path'
import fastifyStatic from '@fastify/static'
import type { App } from '@ecrs/http'
import type { FastifyPluginAsync, RouteOptions } from 'fastify'

/**
 * What the single-page app needs and nothing more: its scripts and styles from this origin (Vite
 * emits no inline script), inline style attributes (the chart library sets them), API calls to this
 * origin only, no framing, no plugins, forms posting here only.
 */
export const spaCsp = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    scriptSrcAttr: ["'none'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", 'data:'],
    fontSrc: ["'self'"],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
} as const

declare module 'fastify' {
  interface FastifyContextConfig {
    /** @fastify/helmet's per-route options (as in @ecrs/http's security headers). */
    helmet?: Record<string, unknown>
  }
}

const withSpaCsp = (route: RouteOptions): void => {
  route.config = { ...route.config, skipAuth: true, helmet: { contentSecurityPolicy: spaCsp } }
}

// Paths of the console's and services' APIs: an unknown one is a coded 404, never the page.
const API_PATH = /^\/(api|console|v1)(\/|$)/

/**
 * The built app from `dir`: each file at its path (hashed assets cached for a year), and
 * `index.html` for every other GET, so that client routes (`/regulator/enterprises/…`) load the app.
 */
export const webRoutes =
  (dir: string): FastifyPluginAsync =>
  async (app: App) => {
    app.addHook('onRoute', withSpaCsp)
    const built = existsSync(join(dir, 'index.html'))
    if (built) {
      await app.register(fastifyStatic, {
        root: dir,
        wildcard: false,
        index: false,
        setHeaders: (reply, path) => {
          const immutable = path.startsWith(join(dir, 'assets'))
          void reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
        },
      })
    }
    app.get('/*', { schema: { hide: true } }, (request, reply) => {
      if (API_PATH.test(request.url)) return reply.callNotFound()
      if (!built) {
        return reply
          .code(503)
          .type('text/plain; charset=utf-8')
          .send('the console web app is not built: run `node services/console/scripts/build-web.mjs`\n')
      }
      return reply.header('cache-control', 'no-cache').sendFile('index.html')
    })
  }
