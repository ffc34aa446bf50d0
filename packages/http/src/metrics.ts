import type { FastifyPluginCallback } from 'fastify'
import fp from 'fastify-plugin'
import { isEventType } from '@ecrs/contracts'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

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

  app.get(
    '/metrics',
    { config: { skipAuth: true }, schema: { hide: true }, logLevel: 'warn' },
    async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()),
  )
  done()
}

/**
 * Per-app Prometheus registry (default process metrics + `http_request_duration_seconds` by method,
 * route pattern and status code), exposed as `app.metrics` and served at `GET /metrics`.
 */
export const metricsPlugin = fp(metrics, { name: '@ecrs/http/metrics', fastify: '5.x' })

/** A Kafka record as the observers below see it (structurally @ecrs/kafka's InboundMessage / OutboundRecord). */
interface RecordLike {
  readonly topic: string
  readonly value?: Buffer | string | null
  readonly headers?: Readonly<Record<string, string>>
}

/** Which rules run is timed: the periodic one or `POST /v1/admin/rules:run`. */
export type RunTrigger = 'scheduler' | 'admin'

/** A reading of consumer lag (structurally @ecrs/kafka's PartitionLag). */
export interface LagReading {
  readonly groupId: string
  readonly topic: string
  readonly partition: number
  readonly lag: number
}

/**
 * The event type to put in a label: a type of the catalogue, else `other` (a poison record can
 * carry anything in its headers, and labels must stay few); `none` when the record names none.
 */
export const typeLabel = (type: string | undefined): string =>
  type === undefined || type === '' ? 'none' : isEventType(type) ? type : 'other'

const ceType = (r: RecordLike): string | undefined => r.headers?.['ce_type']

/** What {@link opsMetrics} gives a service to wire into its consumers, producer and rules runs. */
export interface OpsMetrics {
  /**
   * An observer for `startConsumer` (@ecrs/kafka `ConsumerObserver`). `typeOf` reads a record's
   * event type when it has no `ce_type` header (ingest's outcome records).
   */
  consumer(opts?: { typeOf?: (m: RecordLike) => string | undefined }): {
    committed(r: {
      groupId: string
      topic: string
      partition: number
      messages: readonly RecordLike[]
      deadLettered: readonly RecordLike[]
    }): void
    transientFailure(e: { groupId: string; topic: string; partition: number }): void
  }
  /**
   * An observer for `createProducer` (@ecrs/kafka `ProducerObserver`). With `outcomesTopic`, the
   * outcome records sent there are also counted by consumer, type and status.
   */
  producer(opts?: { outcomesTopic?: string }): {
    sent(records: readonly RecordLike[]): void
    failed(records: readonly RecordLike[], reason: 'error' | 'timeout'): void
  }
  /** Serves `ecrs_consumer_lag` from `read` at scrape time (the reader bounds its own cost). */
  lag(read: () => Promise<readonly LagReading[]>): void
  /** Runs `fn` as a rules run and records its duration and the decisions it published. */
  timeRun: (trigger: RunTrigger, fn: () => Promise<readonly unknown[]>) => Promise<readonly unknown[]>
  /**
   * Counts what ingest made of an event: `type` as the caller sent it (labelled only when it is a
   * type of the catalogue), `code` the error code of a rejection.
   */
  ingested: (type: unknown, result: 'accepted' | 'duplicate' | 'rejected', code?: string) => void
}

/**
 * The operations metrics of a service, registered in its registry (`app.metrics`); README
 * "Operations: metrics and dead letters" lists them. Labels never carry USCCs, ids or names: event
 * types come from the catalogue, everything else names topics, groups and outcomes.
 */
export const opsMetrics = (registry: Registry): OpsMetrics => {
  const registers = [registry]
  const consumed = new Counter({
    name: 'ecrs_consumer_events_total',
    help: 'Records a consumer group handled (committed after its writes) or dead-lettered, by event type',
    labelNames: ['group', 'topic', 'type', 'result'] as const,
    registers,
  })
  const transient = new Counter({
    name: 'ecrs_consumer_transient_failures_total',
    help: 'Handler attempts that failed transiently (retried, or the batch restarted from the commit)',
    labelNames: ['group', 'topic'] as const,
    registers,
  })
  const outcomes = new Counter({
    name: 'ecrs_event_outcomes_total',
    help: 'Outcomes published (first verdict on an event, or a changed one), by consumer, event type and status',
    labelNames: ['consumer', 'type', 'status'] as const,
    registers,
  })
  const produced = new Counter({
    name: 'ecrs_kafka_produced_records_total',
    help: 'Records the brokers acknowledged (acks=all), by topic and event type',
    labelNames: ['topic', 'type'] as const,
    registers,
  })
  const produceFailed = new Counter({
    name: 'ecrs_kafka_produce_failures_total',
    help: 'Records Kafka did not acknowledge: the request failed (error) or the caller stopped waiting (timeout)',
    labelNames: ['topic', 'reason'] as const,
    registers,
  })
  const runs = new Histogram({
    name: 'ecrs_rules_run_duration_seconds',
    help: 'Duration of rules runs, by trigger (scheduler or admin) and result (ok or error)',
    labelNames: ['trigger', 'result'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers,
  })
  const decisions = new Counter({
    name: 'ecrs_rules_decisions_total',
    help: 'Decisions the rules runs published, by trigger',
    labelNames: ['trigger'] as const,
    registers,
  })
  const ingested = new Counter({
    name: 'ecrs_ingest_events_total',
    help: 'Events ingest judged, by event type, result (accepted, duplicate, rejected) and error code',
    labelNames: ['type', 'result', 'code'] as const,
    registers,
  })
  const readers: (() => Promise<readonly LagReading[]>)[] = []

  return {
    consumer(opts = {}) {
      const typeOf = (m: RecordLike): string => typeLabel(ceType(m) ?? opts.typeOf?.(m))
      return {
        committed(r) {
          const dead = new Set(r.deadLettered)
          const counts = new Map<string, number>()
          for (const m of r.messages) {
            const key = `${typeOf(m)}\u0000${dead.has(m) ? 'dead-lettered' : 'handled'}`
            counts.set(key, (counts.get(key) ?? 0) + 1)
          }
          for (const [key, n] of counts) {
            const [type = 'none', result = 'handled'] = key.split('\u0000')
            consumed.inc({ group: r.groupId, topic: r.topic, type, result }, n)
          }
        },
        transientFailure(e) {
          transient.inc({ group: e.groupId, topic: e.topic })
        },
      }
    },
    producer(opts = {}) {
      return {
        sent(records) {
          for (const r of records) {
            produced.inc({ topic: r.topic, type: typeLabel(ceType(r)) })
            if (r.topic === opts.outcomesTopic) countOutcome(r)
          }
        },
        failed(records, reason) {
          for (const r of records) produceFailed.inc({ topic: r.topic, reason })
        },
      }
    },
    lag(read) {
      if (readers.length === 0) {
        new Gauge({
          name: 'ecrs_consumer_lag',
          help: 'Offsets a consumer group has still to handle, per partition (high watermark - committed offset)',
          labelNames: ['group', 'topic', 'partition'] as const,
          registers,
          async collect() {
            const all = await Promise.all(readers.map((r) => r().catch(() => [])))
            // Reset first: a group the service left (after a rebuild) must not linger.
            this.reset()
            for (const l of all.flat())
              this.set({ group: l.groupId, topic: l.topic, partition: String(l.partition) }, l.lag)
          },
        })
      }
      readers.push(read)
    },
    ingested: (type, result, code) => {
      // Codes are ours (contract §5), but a code is label material only when it looks like one.
      const shownCode = code !== undefined && /^[A-Z][A-Z0-9_]{0,63}$/.test(code) ? code : 'none'
      ingested.inc({ type: typeLabel(typeof type === 'string' ? type : undefined), result, code: shownCode })
    },
    timeRun: async (trigger, fn) => {
      const end = runs.startTimer({ trigger })
      try {
        const published = await fn()
        end({ result: 'ok' })
        decisions.inc({ trigger }, published.length)
        return published
      } catch (err) {
        end({ result: 'error' })
        throw err
      }
    },
  }

  function countOutcome(r: RecordLike): void {
    try {
      const o = JSON.parse(String(r.value)) as { consumer?: unknown; type?: unknown; status?: unknown }
      const consumer =
        typeof o.consumer === 'string' && /^[a-z-]{1,40}$/.test(o.consumer) ? o.consumer : 'other'
      const status = o.status === 'applied' || o.status === 'rejected' ? o.status : 'other'
      outcomes.inc({ consumer, type: typeLabel(typeof o.type === 'string' ? o.type : undefined), status })
    } catch {
      outcomes.inc({ consumer: 'other', type: 'none', status: 'other' })
    }
  }
}
