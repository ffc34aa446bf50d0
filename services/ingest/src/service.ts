import { ledger as createLedger } from '@ecrs/ledger'
import { startService, type Service } from '@ecrs/runtime'
import type { Logger } from 'pino'
import type { Config } from './config.js'
import { bodyBudget } from './events/body-budget.js'
import { eventRoutes } from './events/http.js'
import { rateLimit } from './events/rate-limit.js'
import { schemaRoutes } from './schemas/http.js'
import { outcomeType, projectOutcomes } from './status/consumer.js'
import { statusRoutes } from './status/http.js'
import { outcomeStore } from './status/store.js'
import { parseDeadlines } from './stats/deadlines.js'
import { statsFold, type StatsFold } from './stats/fold.js'
import { agencyStatsRoutes } from './stats/http.js'
import { statsPointer, statsTopics } from './stats/pointer.js'
import { statsStore } from './stats/store.js'

const VERSION = '0.1.0'

/** The running ingest service; `app` is exposed for in-process tests. */
export type IngestService = Service<object>

/** The one door for writes (§5): the events routes, the statuses from the outcomes topic, the schemas. */
export const start = (config: Readonly<Config>, logger: Logger): Promise<IngestService> =>
  startService(config, logger, {
    name: 'ingest',
    version: VERSION,
    openapi: {
      title: 'ECRS ingest',
      description: 'The one door for writes: agencies and firms publish events.',
    },
    // The largest body a route takes; each route sets its own limit below it.
    bodyLimit: config.MAX_BATCH_BYTES,
    producer: { sendTimeoutMs: config.PRODUCE_TIMEOUT_MS },
    async setup({ app, store, producer, topics, ops, consume, project }) {
      const deadline = parseDeadlines(config.TIMELINESS_DEADLINES)
      const ledger = createLedger(store)
      const outcomes = outcomeStore(store)
      await consume({
        groupId: `${config.TOPIC_NAMESPACE}.ingest.outcomes`,
        topics: [topics.outcomes],
        handler: projectOutcomes(outcomes),
        typeOf: outcomeType,
        lag: true,
      })
      eventRoutes(app, {
        deps: {
          ledger,
          producer,
          topics,
          log: logger,
          now: () => new Date(),
          leaseMs: config.PRODUCE_TIMEOUT_MS + 2000,
        },
        rateLimit: rateLimit({ perSecond: config.RATE_LIMIT_PER_SECOND, burst: config.RATE_LIMIT_BURST }),
        maxEventBytes: config.MAX_EVENT_BYTES,
        maxBatchEvents: config.MAX_BATCH_EVENTS,
        maxBatchBytes: config.MAX_BATCH_BYTES,
        batchBudget: bodyBudget({
          maxBytes: config.MAX_INFLIGHT_BATCH_BYTES,
          unknownLengthBytes: config.MAX_BATCH_BYTES,
          retryAfterSeconds: 1,
          maxShare: config.MAX_INFLIGHT_BATCH_SHARE,
        }),
        retryAfterSeconds: config.RETRY_AFTER_SECONDS,
        count: ops.ingested,
      })
      statusRoutes(app, { ledger, outcomes })
      const foldStats = async (): Promise<StatsFold> => {
        const pointer = statsPointer(store, config.TOPIC_NAMESPACE)
        const stats = await statsFold(statsStore(store, (await pointer.read()).collection), topics)
        await project({
          pointer,
          topics: statsTopics(topics),
          handler: stats.handler,
          // Its writes are per chunk (a bucket per agency and day, one document of counted keys): fewer,
          // larger chunks while ingest is busy; a second's delay is nothing to a count in working days.
          fetch: { minBytes: 256 * 1024, maxWaitTimeMs: 1000, maxBatchSize: 5000 },
          intervalMs: config.PROJECTION_CHECK_MS,
          // `ecrs_consumer_lag` stays the outcomes consumer's (what GET /v1/events/{source}/{id} waits on).
          lag: false,
          switchTo: (next) => stats.swap(statsStore(store, next.collection)),
        })
        return stats
      }
      const stats = config.AGENCY_STATS === 'fold' ? await foldStats() : undefined
      agencyStatsRoutes(app, { stats, deadline, now: () => new Date() })
      schemaRoutes(app, topics, VERSION)
      return {}
    },
  })
