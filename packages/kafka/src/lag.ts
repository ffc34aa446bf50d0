import type { Admin, Kafka } from 'kafkajs'

/** How far one consumer group is behind on one partition. */
export interface PartitionLag {
  groupId: string
  topic: string
  partition: number
  /** Offsets still to handle: high watermark − committed offset (the oldest offset if none). */
  lag: number
}

export interface LagProbeOptions {
  /** The group to measure; a function because a service may switch groups (after a rebuild). */
  groupId: () => string
  topics: readonly string[]
  /** A reading younger than this is answered from memory (ms); 5000 by default. */
  maxAgeMs?: number
  /** How long a reading may take before the last one is answered instead (ms); 3000 by default. */
  timeoutMs?: number
}

/** Reads consumer lag with bounded cost: one admin connection, at most one reading per `maxAgeMs`. */
export interface LagProbe {
  /** The latest reading; the previous one when the brokers do not answer in time. */
  read(): Promise<readonly PartitionLag[]>
  close(): Promise<void>
}

/** Lag of a group on the given topics, per partition, from committed offsets and high watermarks. */
export const partitionLags = async (
  admin: Admin,
  groupId: string,
  topics: readonly string[],
): Promise<PartitionLag[]> => {
  const [ends, committed] = await Promise.all([
    Promise.all(topics.map(async (topic) => ({ topic, offsets: await admin.fetchTopicOffsets(topic) }))),
    admin.fetchOffsets({ groupId, topics: [...topics] }),
  ])
  const done = new Map<string, number>()
  for (const t of committed)
    for (const p of t.partitions) done.set(`${t.topic}/${p.partition}`, Number(p.offset))
  return ends.flatMap(({ topic, offsets }) =>
    offsets.map((o) => {
      const low = Number(o.low)
      const from = Math.max(done.get(`${topic}/${o.partition}`) ?? -1, low)
      return { groupId, topic, partition: o.partition, lag: Math.max(0, Number(o.high) - from) }
    }),
  )
}

/**
 * A lag probe for a service's /metrics: scrapes read it, and however often they come, the brokers
 * are asked at most once per `maxAgeMs`, over one admin connection opened on first use.
 */
export const lagProbe = (kafka: Kafka, opts: LagProbeOptions): LagProbe => {
  const maxAgeMs = opts.maxAgeMs ?? 5000
  const timeoutMs = opts.timeoutMs ?? 3000
  let admin: Admin | undefined
  let last: { at: number; lags: readonly PartitionLag[] } = { at: 0, lags: [] }
  let inFlight: Promise<readonly PartitionLag[]> | undefined
  let closed = false

  const fetchNow = async (): Promise<readonly PartitionLag[]> => {
    if (!admin) {
      const a = kafka.admin({ retry: { retries: 1 } })
      await a.connect()
      admin = a
    }
    return partitionLags(admin, opts.groupId(), opts.topics)
  }

  const refresh = async (): Promise<readonly PartitionLag[]> => {
    let timer: NodeJS.Timeout | undefined
    try {
      const lags = await Promise.race([
        fetchNow(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('lag reading timed out')), timeoutMs)
        }),
      ])
      last = { at: Date.now(), lags }
    } catch {
      // Answer the last reading; a fresh connection is tried next time.
      const a = admin
      admin = undefined
      await a?.disconnect().catch(() => undefined)
    } finally {
      clearTimeout(timer)
    }
    return last.lags
  }

  return {
    read() {
      if (closed || Date.now() - last.at < maxAgeMs) return Promise.resolve(last.lags)
      inFlight ??= refresh().finally(() => {
        inFlight = undefined
      })
      return inFlight
    },
    async close() {
      closed = true
      await inFlight?.catch(() => undefined)
      await admin?.disconnect().catch(() => undefined)
      admin = undefined
    },
  }
}
