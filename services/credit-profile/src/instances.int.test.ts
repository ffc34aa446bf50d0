import { topicNames } from '@ecrs/contracts'
import { LOCAL_DEV_SECRET, signToken } from '@ecrs/http'
import { consumerLag, createKafka, createProducer, scanTopic, type Producer } from '@ecrs/kafka'
import { randomUscc, waitFor } from '@ecrs/testkit'
import { testInfra, uniqueName } from '@ecrs/testkit/vitest'
import { pino } from 'pino'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { enterpriseRecords, testConfig } from './testing/harness.js'
import { start, type CreditProfileService } from './service.js'

/**
 * Two instances of credit-profile share one consumer group and one store (the FerretDB stand-in in
 * the local stack: no write conditional on the version). While events stream in, both are asked to
 * run the rules over and over: each runs them only over the enterprises whose partition it holds,
 * in its consumer's turn, so no profile is written from two histories (no event lost) and no
 * decision is published twice.
 */
const infra = testInfra()
const ns = uniqueName('cpx')
const topics = topicNames(ns)
const config = testConfig(infra, ns, { TOPIC_PARTITIONS: '4', READS_CACHE_MS: '0' })
const log = pino({ level: 'warn' })
const kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: 'cpx', logger: pino({ level: 'silent' }) })
let a: CreditProfileService
let b: CreditProfileService
let producer: Producer

const record = enterpriseRecords(topics, 'cpx')

const ready = (svc: CreditProfileService) =>
  waitFor(async () => (await svc.app.inject({ method: 'GET', url: '/readyz' })).statusCode === 200, {
    what: 'ready (its consumer joined)',
    timeoutMs: 60_000,
  })

beforeAll(async () => {
  producer = await createProducer(kafka, { logger: pino({ level: 'silent' }) })
  a = await start(config, log)
  await ready(a)
  // The second joins the group: the partitions are split between the two.
  b = await start(config, log)
  await ready(b)
})

afterAll(async () => {
  await b?.close()
  await a?.close()
  await producer?.disconnect()
})

it(
  'two instances: every event applied once and every decision published once, while both run the rules',
  { timeout: 150_000 },
  async () => {
    const admin = await signToken({ sub: 'ops', role: 'admin' }, LOCAL_DEV_SECRET, 600)
    const regulator = await signToken({ sub: 'r', role: 'regulator' }, LOCAL_DEV_SECRET, 600)
    const firms = Array.from({ length: 40 }, () => randomUscc())
    const perFirm = 6
    // Registered in 2019 with no annual report since: each registration brings decisions due at once.
    await producer.send(
      firms.map((f, i) =>
        record(f, 'enterprise.registered', '2019-03-04T09:00:00+08:00', {
          name: `Firm ${i}`,
          registeredAt: '2019-03-04',
          region: '210102',
        }),
      ),
    )
    let streaming = true
    const hammer = (async () => {
      let runs = 0
      while (streaming || runs < 4) {
        const svc = runs++ % 2 ? b : a
        const res = await svc.app.inject({
          method: 'POST',
          url: '/v1/admin/rules:run',
          headers: { authorization: `Bearer ${admin}` },
        })
        expect(res.statusCode).toBe(200)
      }
      return runs
    })()
    for (let k = 0; k < perFirm; k++) {
      await producer.send(
        firms.map((f, i) =>
          record(f, 'penalty.decided', `2025-0${1 + k}-1${i % 10}T10:00:00+08:00`, {
            decisionNo: `P-${i}-${k}`,
            measures: ['fine'],
            domain: 'food',
            fineAmount: 1000 + k,
          }),
        ),
      )
    }
    await waitFor(
      async () => (await consumerLag(kafka, `${ns}.credit-profile.projection`, topics.enterprise)).lag === 0,
      {
        what: 'both instances to have read the topic',
        timeoutMs: 90_000,
      },
    )
    streaming = false
    expect(await hammer).toBeGreaterThanOrEqual(4)
    await waitFor(
      async () => (await consumerLag(kafka, `${ns}.credit-profile.projection`, topics.enterprise)).lag === 0,
      {
        what: 'the last decisions read back',
      },
    )

    // No profile lost an event: each has its six penalties, whichever instance answers.
    for (const f of firms) {
      for (const svc of [a, b]) {
        const view = (
          await svc.app.inject({
            method: 'GET',
            url: `/v1/enterprises/${f}`,
            headers: { authorization: `Bearer ${regulator}` },
          })
        ).json<{ penalties?: { decisionNo: string }[] }>()
        expect((view.penalties ?? []).map((p) => p.decisionNo).sort(), f).toEqual(
          Array.from({ length: perFirm }, (_, k) => `P-${firms.indexOf(f)}-${k}`).sort(),
        )
      }
    }
    // Each decision of the system is on the topic once.
    const decisions = (await scanTopic(kafka, topics.enterprise)).filter(
      (m) => m.headers['ce_source'] === 'ecrs.rules',
    )
    const ids = decisions.map((m) => m.headers['ce_id'])
    expect(ids.length).toBeGreaterThanOrEqual(firms.length)
    expect(ids.length - new Set(ids).size).toBe(0)
  },
)
