import { serviceConfigSchema } from '@ecrs/http'
import { Type, type Static } from '@sinclair/typebox'

/** The notify service's settings, read from the environment by main.ts. */
export const configSchema = Type.Composite([
  serviceConfigSchema({ port: 8084, db: 'ecrs_notify' }),
  Type.Object({
    /**
     * The retry schedule of a delivery that did not get a 2xx, as a comma list of durations
     * (`5s, 30s, 2m, 10m, 1h, 6h, 24h`): after the last one the delivery is `failed`.
     */
    NOTIFY_RETRY_SCHEDULE: Type.String({ default: '5s, 30s, 2m, 10m, 1h, 6h, 24h', minLength: 1 }),
    /** How long one delivery attempt may take before it counts as failed (contract §8: 10 s). */
    NOTIFY_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 10_000 }),
    /** Attempts in flight at once to one receiver (scheme, host and port): a slow one holds only its own. */
    NOTIFY_RECEIVER_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 64, default: 4 }),
    /** Attempts in flight at once in all. */
    NOTIFY_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 1024, default: 64 }),
    /** The comment line an idle SSE stream gets this often (contract §8: 15 s). */
    NOTIFY_SSE_HEARTBEAT_MS: Type.Integer({ minimum: 10, default: 15_000 }),
    /** How long a rotated-out secret still signs deliveries (contract §8: 24 h). */
    NOTIFY_SECRET_OVERLAP: Type.String({ default: '24h', minLength: 1 }),
  }),
])

export type Config = Static<typeof configSchema>
