/** The settings of a service a test starts in its own process or in-process. */

/** A database name from a namespace (and parts): what the store accepts, `[A-Za-z0-9_]`. */
export const dbNameOf = (...parts: readonly string[]): string =>
  parts.join('_').replace(/[^A-Za-z0-9_]/g, '_')

/**
 * The environment of a service started in-process by a test: a free port (`PORT=0`), the run's
 * broker and store, its own topics (`ns`, one partition unless `env` says) and database; `env` adds
 * or overrides settings. Read it with the service's schema (`readConfig(configSchema, …)`).
 */
export const serviceEnv = (
  infra: { readonly kafkaBrokers: readonly string[]; readonly mongoUrl: string },
  ns: string,
  env: Readonly<Record<string, string>> = {},
): Record<string, string> => ({
  PORT: '0',
  KAFKA_BROKERS: infra.kafkaBrokers.join(','),
  MONGO_URL: infra.mongoUrl,
  MONGO_DB: dbNameOf(ns),
  TOPIC_NAMESPACE: ns,
  TOPIC_PARTITIONS: '1',
  ...env,
})
