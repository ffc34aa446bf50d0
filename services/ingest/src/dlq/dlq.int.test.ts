import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { fromCloudEventRecord, topicNames } from '@ecrs/contracts'
import {
  PermanentError,
  consumerLag,
  createProducer,
  scanTopic,
  startConsumer,
  type InboundMessage,
  type Kafka,
  type Producer,
  type RunningConsumer,
} from '@ecrs/kafka'
import { metricValue, repoRoot, waitFor } from '@ecrs/testkit'
import { testInfra, uniqueName } from '@ecrs/testkit/vitest'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Config } from '../config.js'
import type { IngestService } from '../service.js'
import { kafkaClient, randomUscc, startIngest, token } from '../testing/harness.js'
import { runDlq } from './cli.js'
import type { toJson } from './entries.js'

/** A line of `list --json`. */
type Listed = ReturnType<typeof toJson>

/**
 * `npm run dlq`: records land in the dead-letter topic through the real consumer loop (ingest's
 * outcomes consumer, and a consumer with a bug), `list` shows them, `replay` re-checks them with
 * ingest's validation, refuses garbage, re-delivers a valid event once, however often it is asked.
 */
const infra = testInfra()
const ns = uniqueName('dlq')
const topics = topicNames(ns)
const logger = pino({ level: 'silent' })
let ingest: IngestService
let config: Readonly<Config>
let kafka: Kafka
let producer: Producer
let buggy: RunningConsumer
/** What the buggy consumer handled, and whether its bug is fixed. */
const handled: InboundMessage[] = []
let bugFixed = false
const buggyGroup = `${ns}.buggy`

const dlq = async (...argv: string[]) => {
  const out: string[] = []
  const err: string[] = []
  const code = await runDlq(argv, config, { out: (l) => out.push(l), err: (l) => err.push(l), logger })
  return { code, out, err: err.join('\n') }
}
const listed = async () => (await dlq('list', '--json')).out.map((l) => JSON.parse(l) as Listed)
const dlqCount = async () => (await scanTopic(kafka, topics.deadLetter)).length

beforeAll(async () => {
  ;({ service: ingest, config } = await startIngest(infra, ns))
  kafka = kafkaClient(infra.kafkaBrokers)
  producer = await createProducer(kafka, { logger })
  // A consumer of the enterprise topic with a bug: it refuses penalties until fixed.
  buggy = await startConsumer(kafka, {
    groupId: buggyGroup,
    topics: [topics.enterprise],
    logger,
    deadLetter: { topic: topics.deadLetter, producer },
    handler: (messages) => {
      for (const m of messages) {
        const e = fromCloudEventRecord(m.headers, m.value, '1970-01-01T00:00:00Z')
        if (e.type === 'penalty.decided' && !bugFixed)
          throw new PermanentError('PENALTY_UNSUPPORTED', 'penalties are not supported yet')
      }
      handled.push(...messages)
      return Promise.resolve()
    },
  })
})

afterAll(async () => {
  await buggy?.stop()
  await producer?.disconnect()
  await ingest?.close()
})

describe('npm run dlq', () => {
  const uscc = randomUscc()
  const eventId = `pen-${Date.now().toString(36)}`

  it('lists what the consumers dead-lettered, with where from, why and which event', async () => {
    const agency = await token({ role: 'agency', agency: 'samr.ln' })
    const posted = await ingest.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { authorization: `Bearer ${agency}`, 'content-type': 'application/json' },
      payload: {
        id: eventId,
        source: 'samr.ln',
        type: 'penalty.decided',
        subject: uscc,
        time: '2025-03-01T10:00:00+08:00',
        data: { decisionNo: 'D-1', measures: ['warning'], domain: 'food' },
      },
    })
    expect(posted.statusCode).toBe(202)
    // Poison: garbage on the enterprise topic, and an unreadable outcome for ingest's own consumer.
    await producer.send([
      { topic: topics.enterprise, key: uscc, value: '{garbage', headers: { ce_type: 'penalty.decided' } },
      { topic: topics.outcomes, key: 'x/y', value: 'not an outcome' },
    ])
    await waitFor(async () => (await dlqCount()) === 3, { what: '3 dead letters', timeoutMs: 60_000 })

    const all = await listed()
    const valid = all.find((d) => d.event?.id === eventId)
    expect(valid).toMatchObject({
      source: { topic: topics.enterprise },
      group: buggyGroup,
      code: 'PENALTY_UNSUPPORTED',
      reason: 'penalties are not supported yet',
      event: { type: 'penalty.decided', source: 'samr.ln', id: eventId },
      key: uscc,
      replayedAt: null,
    })
    expect(valid!.id).toMatch(/^0-\d+$/)
    expect(all.find((d) => d.code === 'RECORD_UNREADABLE')).toMatchObject({
      source: { topic: topics.enterprise },
      group: buggyGroup,
      event: null,
    })
    expect(all.find((d) => d.code === 'OUTCOME_UNPARSEABLE')).toMatchObject({
      source: { topic: topics.outcomes },
      group: `${ns}.ingest.outcomes`,
    })

    // The text form: one line per dead letter, filters apply.
    const text = await dlq('list', '--group', buggyGroup)
    expect(text.code).toBe(0)
    expect(text.out).toHaveLength(2)
    const line = text.out.find((l) => l.startsWith(`${valid!.id}  `))!
    expect(line).toContain(`${topics.enterprise}[`)
    expect(line).toContain(`group=${buggyGroup}`)
    expect(line).toContain('PENALTY_UNSUPPORTED')
    expect(line).toContain(`event=penalty.decided "samr.ln/${eventId}"`)
    expect(line).toContain('reason="penalties are not supported yet"')
    expect((await dlq('list', '--code', 'OUTCOME_UNPARSEABLE')).out).toHaveLength(1)

    // Ingest's own metrics: the outcome it dead-lettered, the events it judged, the record it produced.
    const invalid = await ingest.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { authorization: `Bearer ${agency}`, 'content-type': 'application/json' },
      payload: {
        id: 'bad-1',
        source: 'samr.ln',
        type: 'penalty.decided',
        subject: uscc,
        time: '2025-03-01T10:00:00+08:00',
        data: {},
      },
    })
    expect(invalid.statusCode).toBe(400)
    const metrics = (await ingest.app.inject({ method: 'GET', url: '/metrics' })).body
    expect(
      metricValue(metrics, 'ecrs_ingest_events_total', { type: 'penalty.decided', result: 'accepted' }),
    ).toBe(1)
    expect(
      metricValue(metrics, 'ecrs_ingest_events_total', {
        type: 'penalty.decided',
        result: 'rejected',
        code: 'EVENT_INVALID',
      }),
    ).toBe(1)
    expect(metrics).not.toContain(uscc)
    expect(
      metricValue(metrics, 'ecrs_consumer_events_total', {
        group: `${ns}.ingest.outcomes`,
        topic: topics.outcomes,
        type: 'none',
        result: 'dead-lettered',
      }),
    ).toBe(1)
    expect(
      metricValue(metrics, 'ecrs_kafka_produced_records_total', {
        topic: topics.enterprise,
        type: 'penalty.decided',
      }),
    ).toBe(1)
  })

  it('refuses to replay garbage and records that are not events, with a non-zero exit', async () => {
    const all = await listed()
    const garbage = all.find((d) => d.code === 'RECORD_UNREADABLE')!
    const outcome = all.find((d) => d.code === 'OUTCOME_UNPARSEABLE')!
    const before = await scanTopic(kafka, topics.enterprise)

    const g = await dlq('replay', garbage.id)
    expect(g.code).toBe(1)
    expect(g.err).toContain('refused: the record is unreadable: its value is not JSON')
    const o = await dlq('replay', outcome.id)
    expect(o.code).toBe(1)
    expect(o.err).toContain('not an event topic')
    expect(await dlq('replay', '0-999999')).toMatchObject({ code: 1 })
    expect(await dlq('replay')).toMatchObject({ code: 2 })
    expect(await scanTopic(kafka, topics.enterprise)).toHaveLength(before.length)
  })

  it('replays a valid event once: dry run first, then published with a replay mark, then a no-op', async () => {
    const valid = (await listed()).find((d) => d.event?.id === eventId)!
    const id = valid.id
    const before = (await scanTopic(kafka, topics.enterprise)).length

    const dry = await dlq('replay', id, '--dry-run')
    expect(dry.code).toBe(0)
    expect(dry.out[0]).toContain(`${id}  would-replay  would publish to ${topics.enterprise} key=${uscc}`)
    expect(await scanTopic(kafka, topics.enterprise)).toHaveLength(before)

    bugFixed = true
    const first = await dlq('replay', id)
    expect(first).toMatchObject({ code: 0 })
    expect(first.out[0]).toContain(`${id}  replayed  published to ${topics.enterprise}`)
    // The consumer that dead-lettered it gets it again, marked as a replay, with its ce_* headers.
    await waitFor(() => handled.some((m) => m.headers['replay-of'] === `${topics.deadLetter}/${id}`), {
      what: 'the replayed record at the consumer',
    })
    const again = handled.find((m) => m.headers['replay-of'] !== undefined)!
    expect(again.key).toBe(uscc)
    expect(again.headers).toMatchObject({ ce_id: eventId, ce_source: 'samr.ln', ce_type: 'penalty.decided' })
    expect(Object.keys(again.headers).filter((h) => h.startsWith('dlq-'))).toEqual([])

    const second = await dlq('replay', id, '--json')
    expect(second.code).toBe(0)
    expect(JSON.parse(second.out[0]!)).toMatchObject({ id, status: 'already-replayed' })
    const enterprise = await scanTopic(kafka, topics.enterprise)
    expect(enterprise).toHaveLength(before + 1)
    expect(enterprise.filter((m) => m.headers['ce_id'] === eventId)).toHaveLength(2) // original + 1 replay
    await waitFor(async () => (await consumerLag(kafka, buggyGroup, topics.enterprise)).lag === 0, {
      what: 'the buggy consumer caught up',
    })
    expect(handled.filter((m) => m.headers['ce_id'] === eventId)).toHaveLength(1)

    const shown = await dlq('list', '--pending')
    expect(shown.out.some((l) => l.startsWith(`${id}  `))).toBe(false)
    expect((await listed()).find((d) => d.id === id)!.replayedAt).toMatch(/^\d{4}-/)
  })

  it('runs as `node services/ingest/dist/dlq/main.js` with the service environment', () => {
    const env = {
      ...process.env,
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      MONGO_URL: infra.mongoUrl,
      MONGO_DB: config.MONGO_DB,
      TOPIC_NAMESPACE: ns,
    }
    const main = join(repoRoot, 'services', 'ingest', 'dist', 'dlq', 'main.js')
    const list = spawnSync(process.execPath, [main, 'list'], { env, encoding: 'utf8', timeout: 60_000 })
    expect(list.status).toBe(0)
    expect(list.stdout.trim().split('\n')).toHaveLength(3)
    const garbage = list.stdout
      .split('\n')
      .find((l) => l.includes('RECORD_UNREADABLE'))!
      .split('  ')[0]!
    const refused = spawnSync(process.execPath, [main, 'replay', garbage], {
      env,
      encoding: 'utf8',
      timeout: 60_000,
    })
    expect(refused.status).toBe(1)
    expect(refused.stderr).toContain('refused')
  })
})
