import type { FastifyPluginCallback } from 'fastify'
import fp from 'fastify-plugin'
import { Histogram, Registry, collectDefaultMetrics } from 'prom-client'

declare module 'fastify' {
  interface FastifyInstance {
    /** This app's Prometheus registry: services register their own metrics here. */
    metrics: Registry
  }
}

/** Options of {@link metricsPlugin}. */
export interface MetricsPluginOptions {
  /** Added as a `service` label to every metric of the registry. */
  readonly service: string
}

const metrics: FastifyPluginCallback<MetricsPluginOptions> = (app, opts, done) => {
  // A registry per app rather than prom-client's global one, so apps built in one process (tests,
  // several services in one runner) never collide on metric names.
  const registry = new Registry()
  registry.setDefaultLabels({ service: opts.service })
  collectDefaultMetrics({ register: registry })
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration in seconds, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    registers: [registry],
  })
  app.decorate('metrics', registry)

  app.addHook('onResponse', (request, reply, next) => {
    // The route pattern, never the raw URL: raw URLs hold ids (USCCs) and would explode cardinality.
    const route = request.routeOptions.url ?? 'unmatched'
    duration.observe(
      { method: request.method, route, status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    )
    next()
  })

  app.get('/metrics', { config: { skipAuth: true }, schema: { hide: true } }, async (_request, reply) =>
    reply.type(registry.contentType).send(await registry.metrics()),
  )
  done()
}

/**
 * Per-app Prometheus registry (default process metrics + `http_request_duration_seconds` by method,
 * route pattern and status code), exposed as `app.metrics` and served at `GET /metrics`.
 */
export const metricsPlugin = fp(metrics, { name: '@ecrs/http/metrics', fastify: '5.x' })
