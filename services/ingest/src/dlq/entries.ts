import type { InboundMessage } from '@ecrs/kafka'

/** A dead letter as `npm run dlq -- list` shows it; `id` is `<partition>-<offset>` of the DLQ record. */
export interface DeadLetter {
  id: string
  /** When the consumer gave up on the record (`dlq-failed-at`, else the DLQ record's timestamp). */
  failedAt: string
  source: { topic: string; partition: number; offset: string }
  group: string
  code: string
  reason: string
  /** The event's identity, when its `ce_*` headers name it. */
  event?: { type: string; source: string; id: string }
  record: InboundMessage
}

/** What the consumer loop's `deadLetterRecord` wrote, read back (missing headers read as `?`). */
export const deadLetterOf = (m: InboundMessage): DeadLetter => {
  const h = m.headers
  const type = h['ce_type']
  const source = h['ce_source']
  const id = h['ce_id']
  return {
    id: `${m.partition}-${m.offset}`,
    failedAt: h['dlq-failed-at'] ?? new Date(Number(m.timestamp)).toISOString(),
    source: {
      topic: h['dlq-source-topic'] ?? '?',
      partition: Number(h['dlq-source-partition'] ?? '-1'),
      offset: h['dlq-source-offset'] ?? '?',
    },
    group: h['dlq-consumer-group'] ?? '?',
    code: h['dlq-error-code'] ?? '?',
    reason: h['dlq-reason'] ?? '',
    ...(type && source && id ? { event: { type, source, id } } : {}),
    record: m,
  }
}

/** The shown text of a value that came from a record: one line, bounded. */
const shown = (text: string, max = 200): string =>
  JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text)

/** One line of `list`: id, time, where from, group, code, event, replay state, reason. */
export const formatLine = (d: DeadLetter, replayedAt?: Date): string =>
  [
    d.id,
    d.failedAt,
    `${d.source.topic}[${d.source.partition}]@${d.source.offset}`,
    `group=${d.group}`,
    d.code,
    d.event ? `event=${d.event.type} ${shown(`${d.event.source}/${d.event.id}`, 160)}` : 'event=-',
    replayedAt ? `replayed=${replayedAt.toISOString()}` : 'replayed=-',
    `reason=${shown(d.reason)}`,
  ].join('  ')

/** The JSON form of a dead letter (`--json`): everything but the record's bytes. */
export const toJson = (d: DeadLetter, replayedAt?: Date) => ({
  id: d.id,
  failedAt: d.failedAt,
  source: d.source,
  group: d.group,
  code: d.code,
  reason: d.reason,
  event: d.event ?? null,
  key: d.record.key,
  replayedAt: replayedAt?.toISOString() ?? null,
})
