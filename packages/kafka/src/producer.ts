import {
  CompressionTypes,
  Partitioners,
  type Kafka,
  type Message,
  type Producer as KafkaProducer,
  type TopicMessages,
} from 'kafkajs'
import type { Logger } from 'pino'
import { KafkaUnavailableError } from './errors.js'
import type { ProducerObserver } from './observe.js'

/** One record to write: the key decides the partition, so order is kept per key. */
export interface OutboundRecord {
  topic: string
  key: string | null
  value: Buffer | string | null
  headers?: Readonly<Record<string, string>>
  /** Record timestamp (ms since epoch); the broker's time when absent. */
  timestamp?: number
}

export interface ProducerOptions {
  logger: Logger
  /** How long a caller waits for acks=all before getting KafkaUnavailableError (ms). */
  sendTimeoutMs?: number
  /** Most records written in one produce request. */
  maxBatchRecords?: number
  /**
   * Most bytes (keys, values, headers) in one produce request: the broker refuses a partition's
   * record batch over its `message.max.bytes` (1 MiB by default), so a caller's large send (a
   * 10 MiB ingest batch) goes out as several requests, in order. Default 900 000.
   */
  maxRequestBytes?: number
  /** Told of acknowledged and failed records (metrics). */
  observer?: ProducerObserver
}

/** An idempotent, acks=all producer whose writes are serialized (kafkajs #1005). */
export interface Producer {
  /** Resolves once every record is durable on all in-sync replicas; rejects with KafkaUnavailableError. */
  send(records: readonly OutboundRecord[]): Promise<void>
  /** Waits for the records already handed over, then disconnects. */
  disconnect(): Promise<void>
}

interface Pending {
  records: readonly OutboundRecord[]
  /** Records of this caller acknowledged so far (its send may span several requests). */
  acked: number
  resolve: () => void
  reject: (err: unknown) => void
  settled: boolean
  timer?: NodeJS.Timeout
}

/** The bytes a record puts on the wire, near enough to keep a request under the broker's limit. */
export const recordBytes = (r: OutboundRecord): number => {
  let n = 70 + (r.key === null ? 0 : Buffer.byteLength(r.key))
  if (r.value !== null) n += typeof r.value === 'string' ? Buffer.byteLength(r.value) : r.value.length
  for (const [k, v] of Object.entries(r.headers ?? {})) n += 4 + Buffer.byteLength(k) + Buffer.byteLength(v)
  return n
}

/**
 * Splits records, in order, into requests of at most `maxRecords` records and `maxBytes` bytes
 * (a record larger than `maxBytes` goes alone: the broker answers for it).
 */
export const splitRequests = <R extends OutboundRecord>(
  records: readonly R[],
  maxRecords: number,
  maxBytes: number,
): R[][] => {
  const requests: R[][] = []
  let current: R[] = []
  let bytes = 0
  for (const r of records) {
    const size = recordBytes(r)
    if (current.length > 0 && (current.length >= maxRecords || bytes + size > maxBytes)) {
      requests.push(current)
      current = []
      bytes = 0
    }
    current.push(r)
    bytes += size
  }
  if (current.length > 0) requests.push(current)
  return requests
}

const toTopicMessages = (records: readonly OutboundRecord[]): TopicMessages[] => {
  const byTopic = new Map<string, Message[]>()
  for (const r of records) {
    const list = byTopic.get(r.topic) ?? []
    const message: Message = { key: r.key, value: r.value }
    if (r.headers) message.headers = { ...r.headers }
    if (r.timestamp !== undefined) message.timestamp = String(r.timestamp)
    list.push(message)
    byTopic.set(r.topic, list)
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }))
}

/**
 * Creates the producer. Concurrent `send` calls never overlap on the wire: while one produce
 * request is in flight, later records wait and then go together in the next request. That keeps
 * the idempotent sequence numbers safe and turns many small callers into few large requests.
 */
export const createProducer = async (kafka: Kafka, opts: ProducerOptions): Promise<Producer> => {
  const log = opts.logger.child({ component: 'producer' })
  const sendTimeoutMs = opts.sendTimeoutMs ?? 10_000
  const maxBatchRecords = opts.maxBatchRecords ?? 2000
  const open = async (): Promise<KafkaProducer> => {
    const p = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    })
    try {
      await p.connect()
    } catch (err) {
      await p.disconnect().catch(() => undefined)
      throw err
    }
    return p
  }
  let producer = await open()
  /**
   * After a failed request the idempotent session cannot be trusted: the broker may have written
   * the batch whose answer was lost, while kafkajs did not advance its sequence numbers, so the
   * next, different batch would go out under the same sequence and the broker would acknowledge it
   * as a duplicate without writing it (a 202 for an event that is not in the log: seen when the
   * broker was killed mid-stream). The next request therefore opens a fresh producer (a new
   * producer id, sequences from zero); the callers of the failed batch were refused and retry.
   */
  let suspect = false
  const reopen = async (): Promise<void> => {
    const old = producer
    await old.disconnect().catch((err: unknown) => log.debug({ err }, 'old producer disconnect failed'))
    producer = await open()
    suspect = false
    log.info('a fresh idempotent producer after a failed request')
  }

  const queue: Pending[] = []
  let draining: Promise<void> | undefined
  let closed = false

  const maxRequestBytes = opts.maxRequestBytes ?? 900_000

  const drain = async (): Promise<void> => {
    while (queue.length > 0) {
      const take: Pending[] = []
      let count = 0
      while (queue.length > 0 && (take.length === 0 || count + queue[0]!.records.length <= maxBatchRecords)) {
        const p = queue.shift()!
        if (p.settled) continue // its caller already gave up; it was answered 503, do not write it
        take.push(p)
        count += p.records.length
      }
      if (take.length === 0) continue
      // Each record with its caller, so that a caller is answered once all of its records are acked.
      const owned = take.flatMap((p) => p.records.map((record) => ({ ...record, owner: p })))
      try {
        if (suspect) await reopen()
        for (const request of splitRequests(owned, maxBatchRecords, maxRequestBytes)) {
          await producer.sendBatch({
            topicMessages: toTopicMessages(request),
            acks: -1,
            compression: CompressionTypes.None,
          })
          for (const r of request) r.owner.acked += 1
          opts.observer?.sent?.(request)
          for (const p of take) if (p.acked === p.records.length) settle(p, undefined)
        }
      } catch (err) {
        suspect = true
        log.warn({ err, records: count }, 'produce failed')
        const failed = take.filter((p) => !p.settled)
        opts.observer?.failed?.(
          failed.flatMap((p) => p.records),
          'error',
        )
        // A caller whose records went partly out is refused too: it retries, consumers deduplicate.
        for (const p of failed)
          settle(p, new KafkaUnavailableError('Kafka did not accept the records', { cause: err }))
      }
    }
  }

  const settle = (p: Pending, err: unknown): void => {
    if (p.settled) return
    p.settled = true
    clearTimeout(p.timer)
    if (err === undefined) p.resolve()
    else p.reject(err)
  }

  const send = (records: readonly OutboundRecord[]): Promise<void> => {
    if (closed) return Promise.reject(new KafkaUnavailableError('producer is closed'))
    if (records.length === 0) return Promise.resolve()
    return new Promise<void>((resolve, reject) => {
      const pending: Pending = { records, acked: 0, resolve, reject, settled: false }
      queue.push(pending)
      // A record whose caller timed out may still be written later if it was already on the wire;
      // callers treat a timeout as "not accepted" and consumers deduplicate by event id.
      pending.timer = setTimeout(() => {
        if (!pending.settled) opts.observer?.failed?.(pending.records, 'timeout')
        settle(pending, new KafkaUnavailableError(`Kafka did not acknowledge within ${sendTimeoutMs} ms`))
      }, sendTimeoutMs)
      pending.timer.unref()
      kick()
    })
  }

  const kick = (): void => {
    draining ??= drain().finally(() => {
      draining = undefined
      if (queue.length > 0) kick()
    })
  }

  const disconnect = async (): Promise<void> => {
    closed = true
    await draining
    await producer.disconnect()
  }

  return { send, disconnect }
}

/** A producer that drops what it is given: a rebuild re-derives what the live projection already published. */
export const silentProducer: Producer = { send: () => Promise.resolve(), disconnect: () => Promise.resolve() }
