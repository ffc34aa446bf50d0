import replyFrom from '@fastify/reply-from'
import { httpErrors, type App } from '@ecrs/http'
import type { FastifyPluginAsync } from 'fastify'
import { upstreamUrl, type Upstreams } from './upstreams.js'

/**
 * `/api/<service>/v1/…` → that service, so the page calls every API from its own origin (no CORS).
 * Bodies pass through unparsed (JSON, NDJSON batches alike) and the caller's Authorization header
 * goes with them: the service verifies the token, the console does not (it holds no rights itself).
 */
export const proxyRoutes =
  (all: Upstreams): FastifyPluginAsync =>
  async (app: App) => {
    app.removeAllContentTypeParsers()
    app.addContentTypeParser('*', (_request, payload, done) => done(null, payload))
    await app.register(replyFrom)
    app.all('/api/*', { config: { skipAuth: true }, schema: { hide: true } }, (request, reply) => {
      const target = upstreamUrl(all, request.url)
      if (target === undefined) throw new httpErrors.ROUTE_NOT_FOUND(`${request.method} ${request.url}`)
      return reply.from(target, {
        rewriteRequestHeaders: (_req, headers) => {
          // The console's own hop: the service sees the caller's request, not our routing headers.
          const { host: _host, ...rest } = headers
          return rest
        },
        onError: (r, { error }) => {
          request.log.warn({ err: error, target: target.replace(/\?.*$/, '') }, 'upstream unreachable')
          void r.send(new httpErrors.SERVICE_UNAVAILABLE('upstream unreachable'))
        },
      })
    })
  }
