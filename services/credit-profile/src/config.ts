import { serviceConfigSchema } from '@ecrs/http'
import type { Static } from '@sinclair/typebox'

/** The credit-profile service's settings, read from the environment by main.ts. */
export const configSchema = serviceConfigSchema({ port: 8082, db: 'ecrs_credit_profile' })

export type Config = Static<typeof configSchema>
