import { serviceConfigSchema } from '@ecrs/http'
import { Type, type Static } from '@sinclair/typebox'

/** The credit-profile service's settings, read from the environment by main.ts. */
export const configSchema = Type.Composite([
  serviceConfigSchema({ port: 8082, db: 'ecrs_credit_profile' }),
  Type.Object({
    /** How often the rules run over profiles due for a change (0: only on demand). */
    RULES_INTERVAL_MS: Type.Integer({ minimum: 0, default: 60_000 }),
    /** How often the service looks whether a rebuild switched the projection. */
    PROJECTION_CHECK_MS: Type.Integer({ minimum: 100, default: 2000 }),
    /**
     * Overrides of the rule and risk-model parameters (domain defaults in profiles/domain/params.ts),
     * as JSON, e.g. `{"modelVersion":"v1-ln","risk":{"penalty":12},"lowerAmountThreshold":{"enterprise":50000}}`.
     */
    PROFILE_PARAMS: Type.Optional(Type.String({ minLength: 2 })),
    /** Searches and stats that may run against the store at once; more wait (READS_QUEUE). */
    READS_CONCURRENCY: Type.Integer({ minimum: 1, default: 2 }),
    /** Searches and stats that may wait for a turn; more → 503 READS_BUSY with Retry-After. */
    READS_QUEUE: Type.Integer({ minimum: 0, default: 32 }),
    /** How long the same search or stats is answered from memory (ms; 0: never; keep ≪ RULES_INTERVAL_MS). */
    READS_CACHE_MS: Type.Integer({ minimum: 0, default: 2000 }),
  }),
])

export type Config = Static<typeof configSchema>
