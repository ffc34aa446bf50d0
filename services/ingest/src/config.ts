import { serviceConfigSchema } from '@ecrs/http'
import type { Static } from '@sinclair/typebox'

/** The ingest service's settings, read from the environment by main.ts. */
export const configSchema = serviceConfigSchema({ port: 8081, db: 'ecrs_ingest' })

export type Config = Static<typeof configSchema>
