import { toCloudEventRecord, topicNames, type Envelope } from '@ecrs/contracts'
import { deadLetterRecord, PermanentError, type InboundMessage } from '@ecrs/kafka'
import { describe, expect, it } from 'vitest'
import { checkReplay } from './check.js'
import { deadLetterOf } from './entries.js'

const topics = topicNames('t')
const now = new Date('2026-01-01T00:00:00Z')
const uscc = '91350100M000100Y43'
const penalty: Envelope = {
  specversion: '1.0',
  id: 'pen-1',
  source: 'samr.ln',
  type: 'penalty.decided',
  subject: uscc,
  time: '2025-03-01T10:00:00+08:00',
  dataversion: 1,
  data: { decisionNo: 'D-1', measures: ['warning'], domain: 'food' },
}

/** A dead letter as the consumer loop writes it, of `e` read from `topic` (with changes to the record). */
const deadLetter = (e: Envelope, change: Partial<InboundMessage> = {}, topic = topics.enterprise) => {
  const r = toCloudEventRecord(e, { topic, key: e.subject, recordedAt: now, correlationId: 'c-1' })
  const original: InboundMessage = {
    topic,
    partition: 2,
    offset: '17',
    key: r.key,
    value: Buffer.from(r.value),
    headers: r.headers,
    timestamp: String(r.timestamp),
    ...change,
  }
  const dl = deadLetterRecord(topics.deadLetter, original, 'g', new PermanentError('BUG', 'a bug'), now)
  return deadLetterOf({
    topic: topics.deadLetter,
    partition: 0,
    offset: '5',
    key: dl.key,
    value: original.value,
    headers: dl.headers ?? {},
    timestamp: '0',
  })
}

const reason = (d: ReturnType<typeof deadLetter>) => {
  const c = checkReplay(d, topics.deadLetter, topics, now)
  return c.ok ? 'ok' : c.reason
}

describe('checkReplay', () => {
  it('gives back the original record, without dlq-* headers, marked as a replay', () => {
    const c = checkReplay(deadLetter(penalty), topics.deadLetter, topics, now)
    expect(c.ok).toBe(true)
    if (!c.ok) return
    expect(c.record.topic).toBe(topics.enterprise)
    expect(c.record.key).toBe(uscc)
    expect(c.record.headers).toMatchObject({
      ce_id: 'pen-1',
      ce_source: 'samr.ln',
      ce_type: 'penalty.decided',
      ce_recordedat: now.toISOString(),
      'correlation-id': 'c-1',
      'replay-of': `${topics.deadLetter}/0-5`,
      'replayed-at': now.toISOString(),
    })
    expect(Object.keys(c.record.headers ?? {}).filter((h) => h.startsWith('dlq-'))).toEqual([])
  })

  it.each([
    ['a value that is not JSON', deadLetter(penalty, { value: Buffer.from('{x') }), 'value is not JSON'],
    ['a missing ce_id', deadLetter(penalty, { headers: { ce_type: 'penalty.decided' } }), 'EVENT_INVALID'],
    ['invalid data', deadLetter({ ...penalty, data: { decisionNo: 'D-1' } }), '/data'],
    ['an unknown type', deadLetter({ ...penalty, type: 'penalty.invented' }), 'EVENT_TYPE_UNKNOWN'],
    [
      'a system source publishing a firm step',
      deadLetter({ ...penalty, source: 'ecrs.recall' }),
      'does not publish',
    ],
    [
      'a firm publishing about another',
      deadLetter({
        ...penalty,
        source: `firm:${uscc}`,
        type: 'annual-report.filed',
        subject: '91110000600037341L',
        data: { year: 2024 },
      }),
      'FORBIDDEN',
    ],
    ['another key', deadLetter(penalty, { key: 'other' }), 'key'],
    ['the wrong topic', deadLetter(penalty, {}, topics.recall), 'belongs on'],
    ['a record of the outcomes topic', deadLetter(penalty, {}, topics.outcomes), 'not an event topic'],
  ])('refuses %s', (_what, d, why) => {
    expect(reason(d)).toContain(why)
  })
})
