import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitFor } from '@ecrs/testkit'
import { testInfra, uniqueName } from '@ecrs/testkit/vitest'
import {
  PermanentError,
  createKafka,
  createProducer,
  ensureTopics,
  lagProbe,
  startConsumer,
  type ChunkReport,
  type Kafka,
  type OutboundRecord,
  type Producer,
} from './index.js'

/** What the consumer loop and the producer report to their observers, and the lag probe. */
const logger = pino({ level: 'silent' })
const infra = testInfra()
let kafka: Kafka
let producer: Producer
const sent: OutboundRecord[] = []

beforeAll(async () => {
  kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: uniqueName('observe'), logger })
  producer = await createProducer(kafka, { logger, observer: { sent: (rs) => sent.push(...rs) } })
})

afterAll(async () => {
  await producer.disconnect()
})

describe('observers and lag', () => {
  it('reports lag per partition until a group catches up, and each committed chunk with its dead letters', async () => {
    const name = uniqueName('obs')
    const topic = `${name}.events`
    const dlq = `${name}.dlq`
    const groupId = `${name}.group`
    await ensureTopics(kafka, [
      { topic, numPartitions: 2 },
      { topic: dlq, numPartitions: 1 },
    ])
    const records = ['a', 'b', 'c', 'poison'].map((id) => ({
      topic,
      key: 'same-key',
      value: id,
      headers: { ce_type: 'penalty.decided' },
    }))
    await producer.send(records)
    expect(sent.filter((r) => r.topic === topic)).toHaveLength(4)

    // Before the group exists, everything on the topic is lag (one partition holds the key).
    const probe = lagProbe(kafka, { groupId: () => groupId, topics: [topic], maxAgeMs: 0 })
    try {
      const before = await probe.read()
      expect(before.map((l) => l.partition).sort()).toEqual([0, 1])
      expect(before.reduce((n, l) => n + l.lag, 0)).toBe(4)
      expect(before.every((l) => l.groupId === groupId && l.topic === topic)).toBe(true)

      const reports: ChunkReport[] = []
      const consumer = await startConsumer(kafka, {
        groupId,
        topics: [topic],
        logger,
        deadLetter: { topic: dlq, producer },
        handler: (ms) => {
          if (ms.some((m) => m.value?.toString() === 'poison')) throw new PermanentError('POISON', 'poison')
          return Promise.resolve()
        },
        observer: { committed: (r) => reports.push(r) },
      })
      try {
        await waitFor(async () => (await probe.read()).every((l) => l.lag === 0), { what: 'lag 0' })
        const handled = reports.flatMap((r) => r.messages)
        const dead = reports.flatMap((r) => r.deadLettered)
        expect(handled.map((m) => m.value?.toString())).toEqual(['a', 'b', 'c', 'poison'])
        expect(dead.map((m) => m.value?.toString())).toEqual(['poison'])
        expect(reports.every((r) => r.groupId === groupId && r.topic === topic)).toBe(true)
        expect(sent.filter((r) => r.topic === dlq)).toHaveLength(1)
      } finally {
        await consumer.stop()
      }
    } finally {
      await probe.close()
    }
  })

  it('answers from memory within maxAgeMs', async () => {
    const name = uniqueName('obs2')
    const topic = `${name}.events`
    await ensureTopics(kafka, [{ topic, numPartitions: 1 }])
    const probe = lagProbe(kafka, { groupId: () => `${name}.group`, topics: [topic], maxAgeMs: 60_000 })
    try {
      expect((await probe.read())[0]?.lag).toBe(0)
      await producer.send([{ topic, key: 'k', value: 'v' }])
      expect((await probe.read())[0]?.lag).toBe(0) // cached: the brokers are not asked again
    } finally {
      await probe.close()
    }
  })
})
