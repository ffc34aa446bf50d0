import type { IHeaders, KafkaMessage } from 'kafkajs'

/** A record as a handler sees it: headers decoded to strings, offsets as strings (they are int64). */
export interface InboundMessage {
  topic: string
  partition: number
  offset: string
  key: string | null
  value: Buffer | null
  headers: Readonly<Record<string, string>>
  /** Broker or producer timestamp, ms since epoch, as a string. */
  timestamp: string
}

const headerText = (v: IHeaders[string]): string | undefined => {
  if (v === undefined) return undefined
  if (Array.isArray(v)) return v.length > 0 ? headerText(v[v.length - 1]) : undefined
  return Buffer.isBuffer(v) ? v.toString('utf8') : String(v)
}

/** Decodes kafkajs's message into an InboundMessage. */
export const toInbound = (topic: string, partition: number, m: KafkaMessage): InboundMessage => {
  const headers: Record<string, string> = {}
  for (const [k, v] of Object.entries(m.headers ?? {})) {
    const text = headerText(v)
    if (text !== undefined) headers[k] = text
  }
  return {
    topic,
    partition,
    offset: m.offset,
    key: m.key === null ? null : m.key.toString('utf8'),
    value: m.value,
    headers,
    timestamp: m.timestamp,
  }
}

/** The offset to commit after processing `offset`: the next one to read. */
export const nextOffset = (offset: string): string => (BigInt(offset) + 1n).toString()
