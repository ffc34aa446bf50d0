import { Type } from '@sinclair/typebox'
import type { ServerTimeouts } from './app.js'
import { authConfigSchema } from './config.js'

/**
 * The settings every service reads (contract §1): where it listens, where Kafka and the store are,
 * the topic namespace, plus the shared auth settings. A service adds its own with Type.Composite.
 */
export const serviceConfigSchema = (defaults: { port: number; db: string }) =>
  Type.Composite([
    authConfigSchema,
    Type.Object({
      HOST: Type.String({ default: '127.0.0.1', minLength: 1 }),
      PORT: Type.Integer({ minimum: 0, maximum: 65535, default: defaults.port }),
      KAFKA_BROKERS: Type.String({ default: '127.0.0.1:9092', pattern: '^[^,\\s]+(,[^,\\s]+)*$' }),
      MONGO_URL: Type.String({ default: 'mongodb://127.0.0.1:27017', pattern: '^mongodb(\\+srv)?://' }),
      MONGO_DB: Type.String({ default: defaults.db, pattern: '^[A-Za-z0-9_-]{1,60}$' }),
      TOPIC_NAMESPACE: Type.String({ default: 'ecrs', pattern: '^[a-z0-9][a-z0-9._-]{0,40}$' }),
      TOPIC_PARTITIONS: Type.Integer({ minimum: 1, maximum: 256, default: 6 }),
      /** Most time a client may take to send a request's headers; then 408 and the socket is closed. */
      HTTP_HEADERS_TIMEOUT_MS: Type.Integer({ minimum: 1, default: 5000 }),
      /** Most time a client may take to send a whole request, body included (not less than the above). */
      HTTP_BODY_TIMEOUT_MS: Type.Integer({ minimum: 1, default: 10_000 }),
    }),
  ])

/** The `timeouts` of createApp from the shared settings. */
export const serverTimeouts = (config: {
  readonly HTTP_HEADERS_TIMEOUT_MS: number
  readonly HTTP_BODY_TIMEOUT_MS: number
}): ServerTimeouts => ({ headersMs: config.HTTP_HEADERS_TIMEOUT_MS, bodyMs: config.HTTP_BODY_TIMEOUT_MS })
