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

/** kafkajs → pino: one child logger, kafkajs's fields as data, its message as the message. */
const pinoLogCreator =
  (logger: Logger) =>
  () =>
  ({ namespace, level, log }: LogEntry) => {
    const { message, ...extra } = log
    logger[toPinoLevel(level)]({ kafkajs: namespace, ...extra }, message)
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
