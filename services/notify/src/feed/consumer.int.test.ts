import { toChangeRecord } from '@ecrs/contracts'
import {
  createKafka,
  createProducer,
  ensureTopics,
  startConsumer,
  type InboundMessage,
  type Kafka,
  type Producer,
  type RunningConsumer,
} from '@ecrs/kafka'
import { connectStore, type Store } from '@ecrs/store'
import { randomUscc, waitFor } from '@ecrs/testkit'
import { testInfra, uniqueName } from '@ecrs/testkit/vitest'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FEED_START } from './domain.js'
import { feedHandler } from './consumer.js'
import { feedStore, type FeedStore } from './store.js'
import { abnormalListed, keptFanOut, registered } from './testing/records.js'

/** The changes topic into the feed: records become entries, duplicates drop, a bad record is dead-lettered. */
const infra = testInfra()
const logger = pino({ level: 'silent' })
const ns = uniqueName('feedc')
const topic = `${ns}.profile-changes.v1`
const dlq = `${ns}.dead-letter.v1`
let kafka: Kafka
let producer: Producer
let store: Store
let feed: FeedStore
let consumer: RunningConsumer
const fanOut = keptFanOut()
const deadLetters: InboundMessage[] = []
let dlqReader: RunningConsumer

beforeAll(async () => {
  kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: ns, logger })
  await ensureTopics(kafka, [
    { topic, numPartitions: 2 },
    { topic: dlq, numPartitions: 1 },
  ])
  producer = await createProducer(kafka, { logger })
  store = await connectStore({ url: infra.mongoUrl, dbName: ns.replace(/-/g, '_') })
  feed = await feedStore(store, { now: () => new Date() })
  consumer = await startConsumer(kafka, {
    groupId: `${ns}.notify.feed`,
    topics: [topic],
    handler: feedHandler(feed, fanOut),
    logger,
    deadLetter: { topic: dlq, producer },
    retry: { retries: 2, initialMs: 50, maxMs: 200 },
  })
  dlqReader = await startConsumer(kafka, {
    groupId: `${ns}.dlq-reader`,
    topics: [dlq],
    handler: (ms) => {
      deadLetters.push(...ms)
      return Promise.resolve()
    },
    logger,
    deadLetter: { topic: `${dlq}.unused`, producer },
  })
})

afterAll(async () => {
  await consumer?.stop()
  await dlqReader?.stop()
  await producer?.disconnect()
  await store?.db.dropDatabase()
  await store?.close()
})

const changes = (uscc: string, list: Parameters<typeof toChangeRecord>[1]['changes']) =>
  toChangeRecord(
    topic,
    {
      uscc,
      name: 'Shenyang Boiler Co.',
      region: '210102',
      enterpriseKind: 'company',
      time: new Date().toISOString(),
      changes: list,
    },
    new Date(),
  )

describe('the changes topic into the feed', () => {
  it('records each record once, in order, and dead-letters a bad one without holding up the rest', async () => {
    const uscc = randomUscc()
    const first = changes(uscc, [registered])
    await producer.send([
      first,
      { topic, key: uscc, value: JSON.stringify({ uscc, changes: 'none' }) },
      changes(uscc, [abnormalListed('L1')]),
      first, // a duplicate (a replay upstream): the same change ids
    ])
    const entries = await waitFor(
      async () => {
        const page = await feed.page({ after: FEED_START, limit: 100, uscc })
        return page.items.length >= 2 && page.items
      },
      { what: 'two entries' },
    )
    await waitFor(() => deadLetters.some((m) => m.key === uscc), { what: 'the bad record dead-lettered' })
    expect(entries.map((e) => e.changes)).toEqual([[registered], [abnormalListed('L1')]])
    const dead = deadLetters.filter((m) => m.key === uscc)
    expect(dead).toHaveLength(1)
    expect(dead[0]!.headers['dlq-error-code']).toBe('CHANGE_RECORD_INVALID')
    expect(fanOut.told.flat().filter((e) => e.uscc === uscc)).toEqual(entries)
    // Nothing more arrives: the duplicate made no entry.
    await producer.send([changes(uscc, [abnormalListed('L2')])])
    await waitFor(
      async () => (await feed.page({ after: FEED_START, limit: 100, uscc })).items.length === 3 || undefined,
      { what: 'the third entry' },
    )
    expect((await feed.page({ after: FEED_START, limit: 100, uscc })).items.map((e) => e.changes)).toEqual([
      [registered],
      [abnormalListed('L1')],
      [abnormalListed('L2')],
    ])
  })
})
