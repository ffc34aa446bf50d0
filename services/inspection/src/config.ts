import { serviceConfigSchema } from '@ecrs/http'
import { Type, type Static } from '@sinclair/typebox'
import { parseRatios, type Ratios } from './ratios.js'

/** The inspection service's settings, read from the environment by main.ts. */
export const configSchema = Type.Composite([
  serviceConfigSchema({ port: 8085, db: 'ecrs_inspection' }),
  Type.Object({
    /**
     * The default ratio of each risk class a task draws when its `ratios` leave the class out
     * (contract §9): `A=…,B=…,C=…,D=…`, each class once, each from 0 to 1. Checked at start.
     */
    INSPECTION_RATIOS: Type.String({ default: 'A=0.01,B=0.03,C=0.1,D=0.3', minLength: 1 }),
    /** How long a draw may hold its claim before another attempt may take the task over (a crashed draw). */
    INSPECTION_DRAW_LEASE_MS: Type.Integer({ minimum: 1000, default: 600_000 }),
    /** Worker threads that compute a large draw's assignment ranks (0: on the main thread). */
    INSPECTION_DRAW_THREADS: Type.Integer({ minimum: 0, maximum: 16, default: 0 }),
  }),
])

export type Config = Static<typeof configSchema>

/** The settings that need more than the schema: throws with a clear message for a bad value. */
export interface Settings {
  readonly ratios: Ratios
  readonly drawLeaseMs: number
  readonly drawThreads: number
}

export const settingsOf = (config: Readonly<Config>): Settings => ({
  ratios: parseRatios(config.INSPECTION_RATIOS),
  drawLeaseMs: config.INSPECTION_DRAW_LEASE_MS,
  drawThreads: config.INSPECTION_DRAW_THREADS,
})
