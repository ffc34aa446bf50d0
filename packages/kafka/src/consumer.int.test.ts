import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { MongoClient } from 'mongodb'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LocalStore, silentProgress, waitFor } from '@ecrs/testkit'
import { testInfra, uniqueName } from '@ecrs/testkit/vitest'
import {
  createKafka,
  createProducer,
  ensureTopics,
  startConsumer,
  type InboundMessage,
  type Kafka,
  type Producer,
} from './index.js'
import { applyLogHandler } from './testing/apply-log.js'

const logger = pino({ level: 'warn' })
const infra = testInfra()
let kafka: Kafka
let producer: Producer
let mongo: MongoClient

beforeAll(async () => {
  kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: uniqueName('kafka-int'), logger })
  producer = await createProducer(kafka, { logger })
  mongo = new MongoClient(infra.mongoUrl)
  await mongo.connect()
})

afterAll(async () => {
  await producer.disconnect()
  await mongo.close()
})

/** Topics, group and database of one test. */
const fixture = async (partitions = 1) => {
  const name = uniqueName('k')
  const topic = `${name}.events`
  const dlq = `${name}.dlq`
  await ensureTopics(kafka, [
    { topic, numPartitions: partitions },
    { topic: dlq, numPartitions: 1 },
  ])
  return { topic, dlq, group: `${name}.group`, db: name.replace(/[^a-zA-Z0-9_]/g, '_') }
}

const record = (topic: string, id: string, amount: number, key = id) => ({
  topic,
  key,
  value: JSON.stringify({ id, amount }),
  headers: { ce_id: id },
})

/** Reads every record of a topic from the beginning, until `count` have arrived. */
const readTopic = async (topic: string, count: number): Promise<InboundMessage[]> => {
  const seen: InboundMessage[] = []
  const consumer = await startConsumer(kafka, {
    groupId: uniqueName('reader'),
    topics: [topic],
    logger,
    deadLetter: { topic: `${topic}.unused`, producer },
    handler: (ms) => {
      seen.push(...ms)
      return Promise.resolve()
    },
  })
  try {
    await waitFor(() => seen.length >= count, { what: `${count} records on ${topic}`, timeoutMs: 30_000 })
  } finally {
    await consumer.stop()
  }
  return seen
}

const totals = async (db: string) =>
  (await mongo
    .db(db)
    .collection<{ _id: string; sum: number; count: number }>('totals')
    .findOne({ _id: 'all' })) ?? {
    sum: 0,
    count: 0,
  }

describe('producer → consumer → store', () => {
  it('applies every produced message once and commits offset + 1', async () => {
    const f = await fixture(3)
    await producer.send(Array.from({ length: 50 }, (_, i) => record(f.topic, `m${i}`, i, `key-${i % 7}`)))
    const consumer = await startConsumer(kafka, {
      groupId: f.group,
      topics: [f.topic],
      logger,
      deadLetter: { topic: f.dlq, producer },
      handler: applyLogHandler(mongo, f.db, 'one'),
    })
    try {
      await waitFor(async () => (await totals(f.db)).count === 50, { what: '50 applied' })
    } finally {
      await consumer.stop()
    }
    expect(await totals(f.db)).toMatchObject({ count: 50, sum: (49 * 50) / 2 })
    expect(await mongo.db(f.db).collection('attempts').countDocuments()).toBe(50)
    // The committed offsets are the next ones to read: the group's lag is zero.
    const admin = kafka.admin()
    await admin.connect()
    const committed = await admin.fetchOffsets({ groupId: f.group, topics: [f.topic] })
    const ends = await admin.fetchTopicOffsets(f.topic)
    await admin.disconnect()
    for (const p of committed[0]!.partitions) {
      expect(p.offset).toBe(ends.find((e) => e.partition === p.partition)!.high)
    }
  })

  it('gives the same message delivered twice one effect', async () => {
    const f = await fixture()
    await producer.send([record(f.topic, 'dup', 5), record(f.topic, 'other', 1), record(f.topic, 'dup', 5)])
    const consumer = await startConsumer(kafka, {
      groupId: f.group,
      topics: [f.topic],
      logger,
      deadLetter: { topic: f.dlq, producer },
      handler: applyLogHandler(mongo, f.db, 'dup'),
    })
    try {
      await waitFor(async () => (await mongo.db(f.db).collection('attempts').countDocuments()) === 3, {
        what: 'three deliveries',
      })
    } finally {
      await consumer.stop()
    }
    expect(await totals(f.db)).toMatchObject({ count: 2, sum: 6 })
  })

  it('dead-letters a poison message with its original bytes and a reason, and goes on', async () => {
    const f = await fixture()
    const poison = {
      topic: f.topic,
      key: 'p',
      value: Buffer.from([0xff, 0x00, 0x7b]),
      headers: { origin: 'test' },
    }
    await producer.send([record(f.topic, 'before', 1, 'p'), poison, record(f.topic, 'after', 2, 'p')])
    const consumer = await startConsumer(kafka, {
      groupId: f.group,
      topics: [f.topic],
      logger,
      deadLetter: { topic: f.dlq, producer },
      handler: applyLogHandler(mongo, f.db, 'poison'),
    })
    try {
      await waitFor(async () => (await totals(f.db)).count === 2, { what: 'both good messages applied' })
    } finally {
      await consumer.stop()
    }
    const [dead] = await readTopic(f.dlq, 1)
    expect(dead!.key).toBe('p')
    expect(Buffer.compare(dead!.value!, poison.value)).toBe(0)
    expect(dead!.headers).toMatchObject({
      origin: 'test',
      'dlq-error-code': 'MESSAGE_UNPARSEABLE',
      'dlq-source-topic': f.topic,
      'dlq-source-offset': '1',
      'dlq-consumer-group': f.group,
    })
    expect(dead!.headers['dlq-reason']).toMatch(/not JSON/)
    expect(await totals(f.db)).toMatchObject({ count: 2, sum: 3 })
  })
})

describe('when the store goes away mid-stream', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecrs-store-outage-'))
  const store = new LocalStore({ dataDir: dir, progress: silentProgress })
  afterAll(async () => {
    await store.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('retries without dead-lettering, resumes when it returns, applies every message once', async () => {
    await store.start()
    const f = await fixture(2)
    const client = new MongoClient(store.url, { serverSelectionTimeoutMS: 1000 })
    await client.connect()
    let deadLettered = 0
    const consumer = await startConsumer(kafka, {
      groupId: f.group,
      topics: [f.topic],
      logger: pino({ level: 'silent' }),
      deadLetter: { topic: f.dlq, producer },
      retry: { retries: 3, initialMs: 100, maxMs: 500 },
      handler: applyLogHandler(client, f.db, 'outage'),
      onProgress: (p) => {
        deadLettered += p.deadLettered
      },
    })
    try {
      await consumer.joined
      await producer.send(Array.from({ length: 20 }, (_, i) => record(f.topic, `a${i}`, 1)))
      const applied = async () =>
        (await client.db(f.db).collection<{ _id: string; count: number }>('totals').findOne({ _id: 'all' }))
          ?.count ?? 0
      await waitFor(async () => (await applied()) === 20, { what: 'first 20 applied' })

      await store.stop()
      await producer.send(Array.from({ length: 30 }, (_, i) => record(f.topic, `b${i}`, 1)))
      await store.start()

      const check = new MongoClient(store.url)
      try {
        await waitFor(
          async () =>
            ((
              await check
                .db(f.db)
                .collection<{ _id: string; count: number }>('totals')
                .findOne({ _id: 'all' })
            )?.count ?? 0) === 50,
          {
            what: 'all 50 applied after the store came back',
            timeoutMs: 90_000,
            intervalMs: 250,
          },
        )
        expect(await check.db(f.db).collection('applied').countDocuments()).toBe(50)
      } finally {
        await check.close()
      }
    } finally {
      await consumer.stop()
      await client.close()
    }
    expect(deadLettered).toBe(0)
  })
})

describe('SIGTERM in the middle of a batch', () => {
  const worker = fileURLToPath(new URL('../dist/testing/consumer-worker.js', import.meta.url))

  const startWorker = (env: Record<string, string>) => {
    const child = spawn(process.execPath, [worker], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
    return { child, exited, output: () => out }
  }

  it('loses nothing and applies nothing twice after a restart', async () => {
    const f = await fixture()
    const N = 120
    await producer.send(Array.from({ length: N }, (_, i) => record(f.topic, `s${i}`, 1)))
    const env = {
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      MONGO_URL: infra.mongoUrl,
      DB: f.db,
      TOPIC: f.topic,
      GROUP: f.group,
      DLQ: f.dlq,
      WORK_MS: '15',
      CHUNK: '10',
    }
    const attempts = mongo.db(f.db).collection('attempts')
    const first = startWorker(env)
    await waitFor(async () => (await attempts.countDocuments()) >= 25, {
      what: 'the worker to be mid-stream',
      timeoutMs: 60_000,
    })
    first.child.kill('SIGTERM')
    expect(await first.exited).toBe(0)
    const processedByFirst = await attempts.countDocuments()
    expect(processedByFirst).toBeLessThan(N)

    const second = startWorker(env)
    try {
      await waitFor(async () => (await totals(f.db)).count === N, {
        what: `all ${N} applied`,
        timeoutMs: 60_000,
      })
    } finally {
      second.child.kill('SIGTERM')
      await second.exited
    }
    // Every message processed exactly once across both processes: the first committed what it did.
    expect(await attempts.countDocuments()).toBe(N)
    expect(await mongo.db(f.db).collection('applied').countDocuments()).toBe(N)
  })
})
