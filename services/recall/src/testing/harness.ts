import { randomBytes } from 'node:crypto'
import { toCloudEventRecord, type Envelope, type Topics } from '@ecrs/contracts'
import { readConfig, signToken, LOCAL_DEV_SECRET, type TokenClaims } from '@ecrs/http'
import {
  createKafka,
  createProducer,
  startConsumer,
  type InboundMessage,
  type Kafka,
  type Producer,
} from '@ecrs/kafka'
import { dbNameOf, randomUscc, serviceEnv, waitFor } from '@ecrs/testkit'
import { pino, type Logger } from 'pino'
import { configSchema, type Config } from '../config.js'
import { start, type RecallOptions, type RecallService } from '../service.js'

export const token = (claims: Omit<TokenClaims, 'sub'> & { sub?: string }, ttl = 600): Promise<string> =>
  signToken({ sub: 'test', ...claims }, LOCAL_DEV_SECRET, ttl)

/** Starts recall in-process on a free port with its own topics and database; the rules timer is off. */
export const startRecall = async (
  infra: { kafkaBrokers: string[]; mongoUrl: string },
  ns: string,
  options: RecallOptions = {},
  env: Record<string, string> = {},
  logger: Logger = pino({ level: 'warn' }),
): Promise<{ service: RecallService; config: Readonly<Config> }> => {
  const config = readConfig(
    configSchema,
    // The same database as ingest's harness for this namespace: one ledger for both doors.
    serviceEnv(infra, ns, { LEDGER_DB: dbNameOf(ns), TOPIC_PARTITIONS: '3', RULES_INTERVAL_MS: '0', ...env }),
  )
  return { service: await start(config, logger, options), config }
}

/** A firm's `recall.initiated` for `recallId` (a heater that overheats), in effect at `time`. */
export const initiatedBy = (firm: string, recallId: string, time: Date): Envelope => ({
  specversion: '1.0',
  id: `init-${recallId}`,
  source: `firm:${firm}`,
  type: 'recall.initiated',
  subject: firm,
  time: time.toISOString(),
  dataversion: 1,
  data: {
    recallId,
    product: { name: 'Heater H2', category: 'consumer-product' },
    unitsAffected: 50,
    hazard: 'Overheats.',
  },
})

/** Produces events straight to the recall topic, keyed by recallId, as ingest would. */
export const produceRecallEvents = (producer: Producer, topics: Topics, events: readonly Envelope[]) =>
  producer.send(
    events.map((e) =>
      toCloudEventRecord(e, {
        topic: topics.recall,
        key: String(e.data['recallId']),
        recordedAt: new Date(),
      }),
    ),
  )

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
  createKafka({ brokers, clientId: 'recall-test', logger: pino({ level: 'silent' }) })

export { randomUscc }
