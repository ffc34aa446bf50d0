import { serviceConfigSchema } from '@ecrs/http'
import { Type, type Static } from '@sinclair/typebox'
import { DEFAULT_DEADLINES } from './stats/deadlines.js'

/** The ingest service's settings, read from the environment by main.ts. */
export const configSchema = Type.Composite([
  serviceConfigSchema({ port: 8081, db: 'ecrs_ingest' }),
  Type.Object({
    /** Contract §5: a single event's body, and one item of a batch, at most 256 KiB. */
    MAX_EVENT_BYTES: Type.Integer({ minimum: 1024, default: 256 * 1024 }),
    MAX_BATCH_EVENTS: Type.Integer({ minimum: 1, default: 1000 }),
    MAX_BATCH_BYTES: Type.Integer({ minimum: 1024, default: 10 * 1024 * 1024 }),
    /**
     * Batch bodies being read and judged at once, over all callers (a parsed batch holds several
     * times its size); more → 503 INGEST_BUSY with Retry-After.
     */
    MAX_INFLIGHT_BATCH_BYTES: Type.Integer({ minimum: 1024, default: 32 * 1024 * 1024 }),
    /**
     * The most of MAX_INFLIGHT_BATCH_BYTES one caller (an agency, a firm) may hold at once; more →
     * 503 INGEST_BUSY for that caller only. Its first batch in flight is always let in.
     */
    MAX_INFLIGHT_BATCH_SHARE: Type.Number({ exclusiveMinimum: 0, maximum: 1, default: 0.25 }),
    /** Per principal: sustained requests per second and burst. */
    RATE_LIMIT_PER_SECOND: Type.Number({ exclusiveMinimum: 0, default: 200 }),
    RATE_LIMIT_BURST: Type.Integer({ minimum: 1, default: 400 }),
    /** How long a request waits for Kafka's acknowledgement before answering 503. */
    PRODUCE_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 5000 }),
    RETRY_AFTER_SECONDS: Type.Integer({ minimum: 1, default: 5 }),
    /**
     * Contract §10: working days an agency has to record each type, `type=days` pairs (`*` for the
     * rest); unknown types refuse the start.
     */
    TIMELINESS_DEADLINES: Type.String({ minLength: 3, maxLength: 2000, default: DEFAULT_DEADLINES }),
    /**
     * `fold` (default): this process folds the §10 statistics and answers them; `off`: it does not,
     * and `GET /v1/agencies/stats` answers 503 — what `npm run bench:ingest-cost` compares with.
     */
    AGENCY_STATS: Type.Union([Type.Literal('fold'), Type.Literal('off')], { default: 'fold' }),
    /** How often the statistics' pointer is checked for a finished `npm run rebuild -- ingest-stats`. */
    PROJECTION_CHECK_MS: Type.Integer({ minimum: 100, default: 2000 }),
  }),
])

export type Config = Static<typeof configSchema>
