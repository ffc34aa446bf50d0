import { serviceConfigSchema } from '@ecrs/http'
import type { Static } from '@sinclair/typebox'

/** The recall service's settings, read from the environment by main.ts. */
export const configSchema = serviceConfigSchema({ port: 8083, db: 'ecrs_recall' })

export type Config = Static<typeof configSchema>
