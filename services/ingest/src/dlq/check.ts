import {
  partitionKey,
  publishRight,
  validateEvent,
  type Envelope,
  type EventSpec,
  type Publisher,
  type Topics,
} from '@ecrs/contracts'
import type { OutboundRecord } from '@ecrs/kafka'
import type { DeadLetter } from './entries.js'

/** The header that marks a replayed record: `<dead-letter topic>/<dead letter id>`. */
export const REPLAY_OF = 'replay-of'
export const REPLAYED_AT = 'replayed-at'

/** What a replay would publish, or why it may not. */
export type ReplayCheck =
  { ok: true; event: Envelope; record: OutboundRecord } | { ok: false; reason: string }

const CORE = new Set(['specversion', 'id', 'source', 'type', 'subject', 'time', 'dataversion', 'recordedat'])

/** The envelope a binary-mode record carries (contract §3), rebuilt for validation. */
const envelopeOf = (h: Readonly<Record<string, string>>, data: unknown): Record<string, unknown> => {
  const envelope: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(h)) {
    if (!name.startsWith('ce_')) continue
    const attr = name.slice(3)
    // `recordedat` is ECRS's own stamp, not something a publisher sends.
    if (!CORE.has(attr)) envelope[attr] = value
  }
  for (const attr of ['specversion', 'id', 'source', 'type', 'subject', 'time'])
    if (h[`ce_${attr}`] !== undefined) envelope[attr] = h[`ce_${attr}`]
  const version = h['ce_dataversion']
  if (version !== undefined) envelope['dataversion'] = /^\d{1,9}$/.test(version) ? Number(version) : version
  envelope['data'] = data
  return envelope
}

/** The publisher an event's source names: a firm as `firm:<uscc>`, any other as an agency. */
const publisherOf = (source: string): Publisher =>
  source.startsWith('firm:') ? { kind: 'firm', uscc: source.slice(5) } : { kind: 'agency', agency: source }

/** Why the event's source may not publish it (ingest's publish rights), or undefined when it may. */
const refusal = (event: Envelope, spec: EventSpec): string | undefined => {
  // The system's sources publish only the types the catalogue gives them.
  if (event.source.startsWith('ecrs.'))
    return (spec.publishers as readonly string[]).includes(event.source)
      ? undefined
      : `${event.source} does not publish ${event.type} events`
  const right = publishRight(publisherOf(event.source), event, spec)
  return right.ok ? undefined : right.reason
}

/**
 * Re-checks a dead letter as ingest would check the event today (architecture.md: "Dead-letter
 * replay goes back through ingest's checks"): readable JSON data, the envelope and the catalogue
 * (`validateEvent`), the publish right its source implies, and that it goes back to the topic and
 * key ingest would have chosen. The record to publish keeps the key, the value and the `ce_*`
 * headers, drops the `dlq-*` ones and is marked with `replay-of` and `replayed-at`.
 */
export const checkReplay = (d: DeadLetter, dlqTopic: string, topics: Topics, now: Date): ReplayCheck => {
  const m = d.record
  const eventTopics = [topics.enterprise, topics.recall]
  if (!eventTopics.includes(d.source.topic))
    return {
      ok: false,
      reason: `it came from ${d.source.topic}, not an event topic (${eventTopics.join(', ')}): only events are replayed`,
    }
  let data: unknown
  try {
    data = JSON.parse(m.value?.toString('utf8') ?? '')
  } catch {
    return { ok: false, reason: 'the record is unreadable: its value is not JSON' }
  }
  const v = validateEvent(envelopeOf(m.headers, data), now)
  if (!v.ok) {
    const first = v.errors
      .slice(0, 5)
      .map((e) => `${e.path || '/'} ${e.message}`)
      .join('; ')
    return { ok: false, reason: `the event fails ingest's checks (${v.code}): ${first}` }
  }
  const refused = refusal(v.event, v.spec)
  if (refused !== undefined)
    return { ok: false, reason: `the event fails ingest's checks (FORBIDDEN): ${refused}` }
  const topic = v.spec.topic === 'enterprise' ? topics.enterprise : topics.recall
  if (topic !== d.source.topic)
    return { ok: false, reason: `${v.event.type} belongs on ${topic}, but it came from ${d.source.topic}` }
  const key = partitionKey(v.event, v.spec)
  if (m.key !== key)
    return { ok: false, reason: `its key is not the one ingest gives ${v.event.type} events` }

  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(m.headers))
    if (name.startsWith('ce_') || name === 'content-type' || name === 'correlation-id') headers[name] = value
  headers[REPLAY_OF] = `${dlqTopic}/${d.id}`
  headers[REPLAYED_AT] = now.toISOString()
  return { ok: true, event: v.event, record: { topic, key, value: m.value, headers } }
}
