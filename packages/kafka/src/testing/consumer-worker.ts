/**
 * A consumer in a process of its own, for the shutdown test: it runs applyLogHandler slowly
 * (WORK_MS per message) and stops gracefully on SIGTERM. Configured by environment variables.
 */
import { MongoClient } from 'mongodb'
import { pino } from 'pino'
import { createKafka, createProducer, startConsumer } from '../index.js'
import { applyLogHandler } from './apply-log.js'

const env = (k: string): string => {
  const v = process.env[k]
  if (!v) throw new Error(`${k} is required`)
  return v
}

const logger = pino({ level: process.env['LOG_LEVEL'] ?? 'warn' })
const workMs = Number(process.env['WORK_MS'] ?? '0')
const client = new MongoClient(env('MONGO_URL'))
await client.connect()
const kafka = createKafka({ brokers: env('KAFKA_BROKERS').split(','), clientId: 'worker', logger })
const producer = await createProducer(kafka, { logger })
const inner = applyLogHandler(client, env('DB'), `pid-${process.pid}`)
const consumer = await startConsumer(kafka, {
  groupId: env('GROUP'),
  topics: [env('TOPIC')],
  logger,
  deadLetter: { topic: env('DLQ'), producer },
  maxBatchSize: Number(process.env['CHUNK'] ?? '10'),
  handler: async (messages, ctx) => {
    for (const m of messages) {
      // Simulated work, so that a signal lands in the middle of a batch.
      if (workMs > 0) await new Promise((r) => setTimeout(r, workMs))
      await inner([m], ctx)
    }
  },
})
await consumer.joined
process.stdout.write('joined\n')

let stopping = false
const shutdown = async (): Promise<void> => {
  if (stopping) return
  stopping = true
  await consumer.stop()
  await producer.disconnect()
  await client.close()
  process.stdout.write('stopped\n')
  process.exit(0)
}
process.on('SIGTERM', () => void shutdown())
process.on('SIGINT', () => void shutdown())
