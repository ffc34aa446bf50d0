import { randomBytes } from 'node:crypto'
import { readConfig, signToken, LOCAL_DEV_SECRET, type TokenClaims } from '@ecrs/http'
import { createKafka, startConsumer, createProducer, type InboundMessage, type Kafka } from '@ecrs/kafka'
import { randomUscc, serviceEnv, waitFor } from '@ecrs/testkit'

import { pino, type Logger } from 'pino'
import { configSchema, type Config } from '../config.js'
import { start, type IngestService } from '../service.js'

export const token = (claims: Omit<TokenClaims, 'sub'> & { sub?: string }, ttl = 600): Promise<string> =>
  signToken({ sub: 'test', ...claims }, LOCAL_DEV_SECRET, ttl)

/** Starts ingest in-process on a free port with its own topics and database. */
export const startIngest = async (
  infra: { kafkaBrokers: string[]; mongoUrl: string },
  ns: string,
  env: Record<string, string> = {},
  logger: Logger = pino({ level: 'warn' }),
): Promise<{ service: IngestService; config: Readonly<Config> }> => {
  const config = readConfig(configSchema, serviceEnv(infra, ns, { TOPIC_PARTITIONS: '3', ...env }))
  return { service: await start(config, logger), config }
}

/** Collects the records of a topic (from the beginning) until `done` says enough. */
export const readRecords = async (
  kafka: Kafka,
  topic: string,
  done: (seen: InboundMessage[]) => boolean,
  timeoutMs = 30_000,
): Promise<InboundMessage[]> => {
  const seen: InboundMessage[] = []
  const logger = pino({ level: 'silent' })
  const producer = await createProducer(kafka, { logger })
  const consumer = await startConsumer(kafka, {
    groupId: `reader-${randomBytes(4).toString('hex')}`,
    topics: [topic],
    logger,
    deadLetter: { topic: `${topic}.unused`, producer },
    handler: (ms) => {
      seen.push(...ms)
      return Promise.resolve()
    },
  })
  try {
    await waitFor(() => done(seen), { what: `records on ${topic}`, timeoutMs })
  } finally {
    await consumer.stop()
    await producer.disconnect()
  }
  return seen
}

export const kafkaClient = (brokers: string[]): Kafka =>
  createKafka({ brokers, clientId: 'ingest-test', logger: pino({ level: 'silent' }) })

export { randomUscc }
