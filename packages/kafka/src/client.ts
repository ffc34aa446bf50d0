import { Kafka, logLevel, type LogEntry } from 'kafkajs'
import type { Logger } from 'pino'

/** Connection settings shared by producers, consumers and the admin client. */
export interface KafkaOptions {
  brokers: readonly string[]
  clientId: string
  logger: Logger
  /** How long one connection attempt may take (ms). */
  connectionTimeoutMs?: number
  /** Broker request timeout (ms). */
  requestTimeoutMs?: number
  /** Client-level retries of one request before it fails (kafkajs `retry.retries`). */
  retries?: number
}

const toPinoLevel = (level: logLevel): 'error' | 'warn' | 'info' | 'debug' => {
  switch (level) {
    case logLevel.ERROR:
    case logLevel.NOTHING:
      return 'error'
    case logLevel.WARN:
      return 'warn'
    case logLevel.INFO:
      return 'info'
    case logLevel.DEBUG:
      return 'debug'
  }
}

/** How long after the client is built connection failures count as the broker still starting. */
const BOOT_MS = 60_000

/**
 * The level a kafkajs entry deserves here. kafkajs logs at ERROR each failed response it then
 * retries by itself (`Response InitProducerId … coordinator is loading` while the broker starts)
 * and each refused connection: noise at boot, and the failure that matters reaches our code as an
 * exception, which logs it. So: retried responses → debug; connection failures → debug while
 * booting, warn after; the idempotent producer's note on limited retries (deliberate) → debug.
 */
export const kafkajsLevel = (
  namespace: string,
  level: logLevel,
  message: string,
  sinceStartMs: number,
): 'error' | 'warn' | 'info' | 'debug' => {
  const mapped = toPinoLevel(level)
  if (mapped !== 'error' && mapped !== 'warn') return mapped
  if (namespace === 'Connection' && message.startsWith('Response ')) return 'debug'
  if (message.startsWith('Limiting retries for the idempotent producer')) return 'debug'
  const connecting =
    /connection error|failed to connect|connection timeout|ECONNREFUSED|closed connection/i.test(message)
  if (connecting) return sinceStartMs < BOOT_MS ? 'debug' : 'warn'
  return mapped
}

/** kafkajs → pino: one child logger, kafkajs's fields as data, its message as the message. */
const pinoLogCreator = (logger: Logger) => () => {
  const started = Date.now()
  return ({ namespace, level, log }: LogEntry) => {
    const { message, ...extra } = log
    logger[kafkajsLevel(namespace, level, message, Date.now() - started)](
      { kafkajs: namespace, ...extra },
      message,
    )
  }
}

/** The one place a kafkajs client is built. */
export const createKafka = (opts: KafkaOptions): Kafka =>
  new Kafka({
    clientId: opts.clientId,
    brokers: [...opts.brokers],
    connectionTimeout: opts.connectionTimeoutMs ?? 3000,
    requestTimeout: opts.requestTimeoutMs ?? 30_000,
    retry: { retries: opts.retries ?? 5, initialRetryTime: 200, maxRetryTime: 5000 },
    logLevel: logLevel.WARN,
    logCreator: pinoLogCreator(opts.logger.child({ component: 'kafkajs' })),
  })

export type { Kafka }
