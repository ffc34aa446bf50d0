import { randomBytes } from 'node:crypto'
import { LOCAL_DEV_SECRET, signToken, type TokenClaims } from '@ecrs/http'
import { createKafka, createProducer, startConsumer, type InboundMessage, type Kafka } from '@ecrs/kafka'
import { waitFor } from '@ecrs/testkit'
import { pino } from 'pino'

/**
 * What the end-to-end and fault tests share: tokens, the public HTTP doors of contract §5–§7, and
 * reading a topic back to its end. Nothing here reaches into a service's store.
 */

/** A JSON object as the tests build and read it. */
export type Json = Record<string, unknown>

/** A local HS256 token (contract §2). */
export const token = (claims: Omit<TokenClaims, 'sub'>): Promise<string> =>
  signToken({ sub: 'e2e', ...claims }, LOCAL_DEV_SECRET, 3600)

const headers = (auth: string | undefined): Record<string, string> => ({
  'content-type': 'application/json',
  ...(auth ? { authorization: `Bearer ${auth}` } : {}),
})

/** `POST /v1/events`: the status and body, whatever they are. */
export const postEvent = async (
  ingestUrl: string,
  auth: string,
  event: Json,
): Promise<{ status: number; body: Json; retryAfter: string | null }> => {
  const res = await fetch(`${ingestUrl}/v1/events`, {
    method: 'POST',
    headers: headers(auth),
    body: JSON.stringify(event),
  })
  return { status: res.status, body: (await res.json()) as Json, retryAfter: res.headers.get('retry-after') }
}

export interface BatchResult {
  index: number
  id?: string
  status: 'accepted' | 'duplicate' | 'rejected'
  code?: string
}

/** `POST /v1/events:batch` (JSON form); throws unless it answers 200. */
export const postBatch = async (
  ingestUrl: string,
  auth: string,
  events: readonly Json[],
): Promise<BatchResult[]> => {
  const res = await fetch(`${ingestUrl}/v1/events:batch`, {
    method: 'POST',
    headers: headers(auth),
    body: JSON.stringify({ events }),
  })
  if (res.status !== 200) throw new Error(`batch answered ${res.status}: ${await res.text()}`)
  return ((await res.json()) as { results: BatchResult[] }).results
}

/** GET with an optional token: the status and the parsed body (undefined when not JSON). */
export const getJson = async <T = Json>(url: string, auth?: string): Promise<{ status: number; body: T }> => {
  const res = await fetch(url, { headers: auth ? { authorization: `Bearer ${auth}` } : {} })
  const text = await res.text()
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    body = undefined
  }
  return { status: res.status, body: body as T }
}

export interface HistoryItem {
  source: string
  id: string
  type: string
  time: string
  recordedAt: string
}

/**
 * Contract §6 `GET /v1/enterprises/{uscc}/history`, every page: the applied events of one
 * enterprise, or undefined while it is not registered (404).
 */
export const appliedHistory = async (
  creditUrl: string,
  auth: string,
  uscc: string,
): Promise<HistoryItem[] | undefined> => {
  const items: HistoryItem[] = []
  let cursor: string | undefined
  do {
    const q = cursor ? `?limit=1000&cursor=${cursor}` : '?limit=1000'
    const res = await getJson<{ items: HistoryItem[]; next?: string }>(
      `${creditUrl}/v1/enterprises/${uscc}/history${q}`,
      auth,
    )
    if (res.status === 404) return undefined
    if (res.status !== 200) throw new Error(`history of ${uscc} answered ${res.status}`)
    items.push(...res.body.items)
    cursor = res.body.next
  } while (cursor)
  return items
}

/**
 * Waits until every enterprise's applied history holds at least the expected events of `source`
 * (asking again only for the enterprises not there yet), then returns every history once more, so
 * the caller asserts exact equality: nothing missing, nothing twice, nothing else.
 */
export const settledHistories = async (
  creditUrl: string,
  auth: string,
  expected: ReadonlyMap<string, ReadonlySet<string>>,
  source: string,
  timeoutMs: number,
): Promise<Map<string, HistoryItem[]>> => {
  const pending = new Set(expected.keys())
  await waitFor(
    async () => {
      for (const uscc of [...pending]) {
        const h = await appliedHistory(creditUrl, auth, uscc)
        const have = new Set(h?.filter((e) => e.source === source).map((e) => e.id))
        if ([...expected.get(uscc)!].every((id) => have.has(id))) pending.delete(uscc)
      }
      return pending.size === 0
    },
    { what: `every accepted event applied (${pending.size} enterprises short)`, timeoutMs, intervalMs: 500 },
  )
  const all = new Map<string, HistoryItem[]>()
  for (const uscc of expected.keys()) all.set(uscc, (await appliedHistory(creditUrl, auth, uscc)) ?? [])
  return all
}

/** For an exact comparison: the ids of `source`'s events in a history, sorted, repeats kept. */
export const idsOf = (items: readonly HistoryItem[], source: string): string[] =>
  items
    .filter((e) => e.source === source)
    .map((e) => e.id)
    .sort()

export const kafkaClient = (brokers: readonly string[]): Kafka =>
  createKafka({ brokers, clientId: 'ecrs-e2e-tests', logger: pino({ level: 'silent' }) })

/** How many records a topic holds (summed over partitions). */
export const topicSize = async (kafka: Kafka, topic: string): Promise<number> => {
  const admin = kafka.admin()
  await admin.connect()
  try {
    const offsets = await admin.fetchTopicOffsets(topic)
    return offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0)
  } finally {
    await admin.disconnect()
  }
}

/** Every record of a topic, from the beginning to the end it had when this was called. */
export const readTopic = async (
  kafka: Kafka,
  topic: string,
  timeoutMs = 60_000,
): Promise<InboundMessage[]> => {
  const admin = kafka.admin()
  await admin.connect()
  const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect())
  const last = new Map(
    ends.filter((p) => Number(p.high) > Number(p.low)).map((p) => [p.partition, BigInt(p.high) - 1n]),
  )
  const seen: InboundMessage[] = []
  if (last.size === 0) return seen
  const logger = pino({ level: 'silent' })
  const producer = await createProducer(kafka, { logger })
  const reached = new Set<number>()
  const consumer = await startConsumer(kafka, {
    groupId: `reader-${randomBytes(4).toString('hex')}`,
    topics: [topic],
    logger,
    fromBeginning: true,
    deadLetter: { topic: `${topic}.unused`, producer },
    handler: (ms) => {
      for (const m of ms) {
        const end = last.get(m.partition)
        if (end === undefined || BigInt(m.offset) > end) continue
        seen.push(m)
        if (BigInt(m.offset) === end) reached.add(m.partition)
      }
      return Promise.resolve()
    },
  })
  try {
    await waitFor(() => reached.size === last.size, { what: `the end of ${topic}`, timeoutMs })
  } finally {
    await consumer.stop()
    await producer.disconnect()
  }
  return seen
}

/** A database name from a namespace and a suffix (letters, digits and underscores only). */
export const dbName = (ns: string, suffix: string): string => `${ns}_${suffix}`.replace(/[^A-Za-z0-9_]/g, '_')
