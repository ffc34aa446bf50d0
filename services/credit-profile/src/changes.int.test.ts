/**
 * The change records of contract §8 through the service's own doors: events published to the
 * enterprise topic, change records read back from `<ns>.profile-changes.v1`, the profile GET as
 * the signal that a batch was projected (its change records are published before its write).
 */
import {
  addYearsPeriodEnd,
  fromChangeRecord,
  toCloudEventRecord,
  topicNames,
  type Change,
  type ChangeRecord,
  type Envelope,
} from '@ecrs/contracts'
import { LOCAL_DEV_SECRET, signToken } from '@ecrs/http'
import { createKafka, createProducer, scanTopic, type Kafka, type Producer } from '@ecrs/kafka'
import { randomUscc, waitFor } from '@ecrs/testkit'
import { testInfra, uniqueName } from '@ecrs/testkit/vitest'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testConfig } from './testing/harness.js'
import { start, type CreditProfileService } from './service.js'

const infra = testInfra()
const ns = uniqueName('cpchg')
const topics = topicNames(ns)
const DAY = 86_400_000
let svc: CreditProfileService
let kafka: Kafka
let producer: Producer
let regulator: string

let seq = 0
const envelope = (subject: string, type: string, time: Date, data: Record<string, unknown>): Envelope => ({
  specversion: '1.0',
  id: `${type}-${++seq}-${Date.now()}`,
  source: 'samr.ln',
  type,
  subject,
  time: time.toISOString(),
  dataversion: 1,
  data,
})
const send = (events: readonly Envelope[]) =>
  producer.send(
    events.map((e) =>
      toCloudEventRecord(e, { topic: topics.enterprise, key: e.subject, recordedAt: new Date() }),
    ),
  )

/** Every change record of `uscc` on the changes topic so far. */
const changeRecords = async (uscc: string): Promise<ChangeRecord[]> =>
  (await scanTopic(kafka, topics.changes)).flatMap((m) => {
    if (m.key !== uscc) return []
    const r = fromChangeRecord(m.value)
    expect(r, m.value?.toString()).toBeDefined()
    return r === undefined ? [] : [r]
  })

const profileOf = async (uscc: string) => {
  const res = await svc.app.inject({
    method: 'GET',
    url: `/v1/enterprises/${uscc}`,
    headers: { authorization: `Bearer ${regulator}` },
  })
  return res.statusCode === 200
    ? res.json<{ penalties: unknown[]; inspections: unknown[]; abnormalListings: { active: boolean }[] }>()
    : undefined
}

const withKind = <K extends Change['kind']>(records: readonly ChangeRecord[], kind: K) =>
  records.flatMap((r) =>
    r.changes.flatMap((c) =>
      c.kind === kind ? [{ time: r.time, change: c as Extract<Change, { kind: K }> }] : [],
    ),
  )

beforeAll(async () => {
  const config = testConfig(infra, ns, {
    READS_CACHE_MS: '0',
  })
  svc = await start(config, pino({ level: 'warn' }))
  kafka = createKafka({
    brokers: infra.kafkaBrokers,
    clientId: 'cp-changes-test',
    logger: pino({ level: 'silent' }),
  })
  producer = await createProducer(kafka, { logger: pino({ level: 'silent' }) })
  regulator = await signToken({ sub: 't', role: 'regulator' }, LOCAL_DEV_SECRET, 600)
})

afterAll(async () => {
  await producer?.disconnect()
  await svc?.close()
})

describe('change records (contract §8)', () => {
  const uscc = randomUscc()
  const now = Date.now()
  // Registered ten days ago: no annual report is owed yet, so the system decides nothing here.
  const registeredAt = new Date(now - 10 * DAY)
  const listedAt = new Date(now - 5 * DAY)
  const decidedAt = new Date(now - 3 * DAY)
  const events = [
    envelope(uscc, 'enterprise.registered', registeredAt, {
      name: '示例变更有限公司',
      registeredAt: registeredAt.toISOString().slice(0, 10),
      region: '210102',
    }),
    envelope(uscc, 'abnormal-list.entered', listedAt, {
      listingId: 'AL-1',
      reason: 'unreachable-at-address',
    }),
    envelope(uscc, 'penalty.decided', decidedAt, {
      decisionNo: '沈市监罚〔2026〕9号',
      measures: ['fine'],
      domain: 'food',
      fineAmount: 200_000,
    }),
  ]
  let first: ChangeRecord[] = []

  it('publishes the listing and the penalty as change records, each at its event time', async () => {
    await send(events)
    await waitFor(async () => (await profileOf(uscc))?.penalties.length === 1, {
      what: 'the events projected',
    })
    first = await changeRecords(uscc)
    expect(first.every((r) => r.name === '示例变更有限公司' && r.region === '210102')).toBe(true)
    expect(withKind(first, 'registered')).toEqual([
      { time: registeredAt.toISOString(), change: { kind: 'registered' } },
    ])
    expect(withKind(first, 'abnormal-listed')).toEqual([
      {
        time: listedAt.toISOString(),
        change: { kind: 'abnormal-listed', listingId: 'AL-1', reason: 'unreachable-at-address' },
      },
    ])
    expect(
      withKind(first, 'restriction-started').map((x) => [x.time, x.change.measure, x.change.since]),
    ).toEqual(
      ['government-procurement', 'bidding', 'land-transfer', 'honours', 'simplified-deregistration'].map(
        (m) => [listedAt.toISOString(), m, listedAt.toISOString()],
      ),
    )
    expect(withKind(first, 'penalty-published')).toEqual([
      {
        time: decidedAt.toISOString(),
        change: {
          kind: 'penalty-published',
          decisionNo: '沈市监罚〔2026〕9号',
          until: addYearsPeriodEnd(decidedAt, 3).toISOString(),
        },
      },
    ])
    // However the events were batched, the last word on the risk class is C (30 + 10 points).
    expect(withKind(first, 'risk-class-changed').at(-1)?.change.to).toBe('C')
  })

  it('publishes no new change id when the same events come again', async () => {
    const marker = envelope(uscc, 'inspection.recorded', new Date(now - DAY), {
      inspectionId: 'I-1',
      kind: 'random',
      results: ['no-problem'],
    })
    await send([...events, marker])
    // The marker comes after the duplicates on the enterprise's partition: once it is in the
    // profile, the duplicates were projected, and whatever they published is on the topic.
    await waitFor(async () => (await profileOf(uscc))?.inspections.length === 1, {
      what: 'the marker projected',
    })
    const again = await changeRecords(uscc)
    expect(new Set(again.flatMap((r) => r.changeIds))).toEqual(new Set(first.flatMap((r) => r.changeIds)))
  })

  it('publishes the removal and the restrictions it ends', async () => {
    const removedAt = new Date(now - DAY / 2)
    await send([envelope(uscc, 'abnormal-list.removed', removedAt, { listingId: 'AL-1', reason: 'cured' })])
    await waitFor(async () => (await profileOf(uscc))?.abnormalListings[0]?.active === false, {
      what: 'the removal projected',
    })
    const records = await changeRecords(uscc)
    const latest = records.at(-1)
    expect(latest?.time).toBe(removedAt.toISOString())
    expect(latest?.changes).toEqual([
      { kind: 'abnormal-removed', listingId: 'AL-1', removalReason: 'cured' },
      ...['government-procurement', 'bidding', 'land-transfer', 'honours', 'simplified-deregistration'].map(
        (measure) => ({ kind: 'restriction-ended', measure }),
      ),
      { kind: 'risk-class-changed', from: 'C', to: 'B' },
    ])
  })
})
