import { readConfig } from '@ecrs/http'
import { serviceEnv } from '@ecrs/testkit'
import { configSchema, type Config } from '../config.js'

/**
 * The configuration of a credit-profile started in-process by a test: a free port, its own topics
 * (`ns`) and database, the rules timer off; `env` adds or overrides settings.
 */
export const testConfig = (
  infra: { kafkaBrokers: readonly string[]; mongoUrl: string },
  ns: string,
  env: Record<string, string> = {},
): Readonly<Config> =>
  readConfig(configSchema, serviceEnv(infra, ns, { TOPIC_PARTITIONS: '2', RULES_INTERVAL_MS: '0', ...env }))
