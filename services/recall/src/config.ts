import { serviceConfigSchema } from '@ecrs/http'
import { Type, type Static } from '@sinclair/typebox'

/** The recall service's settings, read from the environment by main.ts. */
export const configSchema = Type.Composite([
  serviceConfigSchema({ port: 8083, db: 'ecrs_recall' }),
  Type.Object({
    /** How often the rules sweep re-derives cases whose deadlines have passed; 0 disables the timer. */
    RULES_INTERVAL_MS: Type.Integer({ minimum: 0, default: 60_000 }),
    /** How long publishing waits for Kafka's acknowledgement before a command answers 503. */
    PRODUCE_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 5000 }),
    /**
     * The database of ingest's idempotency ledger: recall commands judge a (`source`, `id`) in the
     * same ledger as ingest (contract §7), so it names ingest's `MONGO_DB`.
     */
    LEDGER_DB: Type.String({ default: 'ecrs_ingest', pattern: '^[A-Za-z0-9_-]{1,60}$' }),
    /** How often the service looks whether a rebuild switched the projection. */
    PROJECTION_CHECK_MS: Type.Integer({ minimum: 100, default: 2000 }),
    /**
     * Overrides of the obligation templates (working days, months), as JSON by product category,
     * e.g. `{"vehicle":{"publishNoticeWd":5,"notifyOwnersWd":30}}`; the rest keep their defaults.
     */
    RECALL_TEMPLATES: Type.Optional(Type.String({ minLength: 2 })),
  }),
])

export type Config = Static<typeof configSchema>
