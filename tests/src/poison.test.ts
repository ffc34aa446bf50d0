import { topicNames } from '@ecrs/contracts'
import { createProducer, type Kafka, type Producer } from '@ecrs/kafka'
import { randomUscc, waitFor } from '@ecrs/testkit'
import { testInfra, uniqueName } from '@ecrs/testkit/vitest'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AGENCY, inspection, registered } from './events.js'
import { appliedHistory, dbName, getJson, kafkaClient, postEvent, readTopic, token } from './public-api.js'
import { startServiceProcess, type ServiceProcess } from './stack.js'

/**
 * Fault: records nobody could ever apply are written straight to the enterprise topic, keyed by a
 * real enterprise so they sit on its partition. Each is dead-lettered with its original bytes and
 * why; the partition moves on and the valid event behind them is applied.
 */
const infra = testInfra()
const ns = uniqueName('poison').replace(/[^a-z0-9.-]/g, '')
const topics = topicNames(ns)
let ingest: ServiceProcess
let credit: ServiceProcess
let kafka: Kafka
let producer: Producer

beforeAll(async () => {
  const env = {
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    MONGO_URL: infra.mongoUrl,
    TOPIC_NAMESPACE: ns,
    TOPIC_PARTITIONS: '3',
    LOG_LEVEL: 'warn',
  }
  ;[ingest, credit] = await Promise.all([
    startServiceProcess('ingest', { ...env, MONGO_DB: dbName(ns, 'ingest') }),
    startServiceProcess('credit-profile', { ...env, MONGO_DB: dbName(ns, 'credit') }),
  ])
  kafka = kafkaClient(infra.kafkaBrokers)
  producer = await createProducer(kafka, { logger: pino({ level: 'silent' }) })
})

afterAll(async () => {
  await producer?.disconnect()
  await Promise.all([ingest?.stop(), credit?.stop()])
})

describe('a poison record on the enterprise topic', () => {
  it('is dead-lettered with its reason, and the partition moves on', async () => {
    const agency = await token({ role: 'agency', agency: AGENCY })
    const regulator = await token({ role: 'regulator' })
    const uscc = randomUscc()
    expect((await postEvent(ingest.url, agency, registered(uscc))).status).toBe(202)
    await waitFor(async () => (await appliedHistory(credit.url, regulator, uscc))?.length === 1, {
      what: 'the registration applied',
      timeoutMs: 60_000,
    })

    // Valid CloudEvents headers of a real event, for the records that break one thing each.
    const ce = {
      ce_specversion: '1.0',
      ce_id: `poison-${uscc}`,
      ce_source: AGENCY,
      ce_type: 'inspection.recorded',
      ce_subject: uscc,
      ce_time: '2026-03-01T09:00:00+08:00',
    }
    const poison = [
      { value: Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x22]), headers: ce }, // not JSON
      { value: Buffer.from('{"inspectionId":"X"}'), headers: {} }, // no CloudEvents headers
      {
        // a subject that is no USCC
        value: Buffer.from('{"inspectionId":"X","kind":"random","results":["no-problem"]}'),
        headers: { ...ce, ce_subject: 'not-a-uscc' },
      },
      { value: Buffer.from('[1,2,3]'), headers: ce }, // JSON, but not an object
    ]
    // Readable events that break the catalogue are no poison: each gets a `rejected` outcome (§5).
    const invalid = [
      { value: Buffer.from('{}'), headers: { ...ce, ce_id: `bad-pen-${uscc}`, ce_type: 'penalty.decided' } },
      { value: Buffer.from('{"a":1}'), headers: { ...ce, ce_id: `bogus-${uscc}`, ce_type: 'bogus.thing' } },
      {
        value: Buffer.from('{"inspectionId":5,"results":"x"}'),
        headers: { ...ce, ce_id: `bad-insp-${uscc}` },
      },
    ]
    await producer.send(
      [...poison, ...invalid].map((p) => ({
        topic: topics.enterprise,
        key: uscc,
        value: p.value,
        headers: p.headers,
      })),
    )
    // Behind them on the same key (so the same partition), a valid event through the front door.
    const after = inspection(uscc, 1)
    expect((await postEvent(ingest.url, agency, after)).status).toBe(202)

    const history = await waitFor(
      async () => {
        const h = await appliedHistory(credit.url, regulator, uscc)
        return h?.some((e) => e.id === after['id']) ? h : undefined
      },
      { what: 'the event behind the poison applied', timeoutMs: 60_000 },
    )
    expect(history.map((e) => e.id).sort()).toEqual([after['id'], `reg-${uscc}`].sort())
    await waitFor(
      async () =>
        (
          await getJson<{ status: string }>(
            `${ingest.url}/v1/events/${AGENCY}/${after['id'] as string}`,
            agency,
          )
        ).body.status === 'applied',
      { what: 'ingest to report it applied' },
    )

    const outcomes = await waitFor(
      async () => {
        const o = (await readTopic(kafka, topics.outcomes)).map(
          (m) => JSON.parse(m.value!.toString()) as { id: string; status: string; reason?: string },
        )
        return invalid.every((i) => o.some((x) => x.id === i.headers.ce_id)) ? o : undefined
      },
      { what: 'the outcomes of the invalid events', timeoutMs: 30_000 },
    )
    const outcomeOf = (id: string) => outcomes.filter((o) => o.id === id).map((o) => [o.status, o.reason])
    expect(outcomeOf(`bad-pen-${uscc}`)).toEqual([['rejected', 'EVENT_INVALID']])
    expect(outcomeOf(`bad-insp-${uscc}`)).toEqual([['rejected', 'EVENT_INVALID']])
    expect(outcomeOf(`bogus-${uscc}`)).toEqual([['rejected', 'EVENT_TYPE_UNKNOWN']])

    // The log: the poison and then the valid event, all on one partition.
    const log = await readTopic(kafka, topics.enterprise)
    const mine = log.filter((m) => m.key === uscc)
    expect(new Set(mine.map((m) => m.partition)).size).toBe(1)
    const validOffset = BigInt(mine.find((m) => m.headers['ce_id'] === after['id'])!.offset)
    const poisonInLog = mine.filter((m) => poison.some((p) => p.value.equals(m.value ?? Buffer.alloc(0))))
    expect(poisonInLog).toHaveLength(poison.length)
    for (const m of poisonInLog) expect(BigInt(m.offset)).toBeLessThan(validOffset)

    // The dead letters: exactly the poison, original key and bytes, where from and why.
    const dead = await waitFor(
      async () => {
        const d = await readTopic(kafka, topics.deadLetter)
        return d.length >= poison.length ? d : undefined
      },
      { what: 'the dead letters', timeoutMs: 30_000 },
    )
    expect(dead).toHaveLength(poison.length)
    for (const m of poisonInLog) {
      const d = dead.find((x) => x.headers['dlq-source-offset'] === m.offset)
      expect(d, `dead letter of offset ${m.offset}`).toBeDefined()
      expect(d!.key).toBe(uscc)
      expect(d!.value).toEqual(m.value)
      expect(d!.headers).toMatchObject({
        'dlq-source-topic': topics.enterprise,
        'dlq-source-partition': String(m.partition),
        'dlq-error-code': expect.stringMatching(/^(RECORD_UNREADABLE|SUBJECT_INVALID)$/) as unknown,
        'dlq-reason': expect.stringMatching(/\S/) as unknown,
        'dlq-consumer-group': expect.stringMatching(/\S/) as unknown,
      })
      expect(Number.isNaN(Date.parse(d!.headers['dlq-failed-at']!))).toBe(false)
    }
    const reasons = dead.map((d) => d.headers['dlq-reason'])
    expect(reasons).toContainEqual(expect.stringMatching(/not JSON/))
    expect(reasons).toContainEqual(expect.stringMatching(/header ce_\w+ is missing/))
    expect(reasons).toContainEqual(expect.stringMatching(/not a USCC/))
    // Still one process, still ready: the poison did not take it down.
    expect(credit.child.exitCode).toBeNull()
    expect((await fetch(`${credit.url}/readyz`)).status).toBe(200)
  })
})
