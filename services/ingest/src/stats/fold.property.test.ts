/**
 * The statistics fold is exactly-once in effect (contract §10): a random history of agency, firm
 * and system events on the enterprise and recall topics (a first attempt that may not have
 * landed, and retakes of it produced under taken-over leases, before or after it, on any partition) and of their outcomes (sequences such as rejected → applied → rejected, on one outcomes
 * partition per event, before or after the event's record), delivered in random chunks with the
 * partitions randomly interleaved and crashes at random points (part-way through a write, or after
 * the handler returned but before the commit; then delivery starts again from the partition's last
 * commit, by the same fold as a retry or by a fresh fold over the same store as after a restart),
 * ends with the buckets of a clean fold (one chunk per partition) and of an oracle computed directly
 * from the history.
 */
import fc from 'fast-check'
import {
  catalogue,
  topicNames,
  toCloudEventRecord,
  toOutcomeRecord,
  workingDaysLag,
  type Envelope,
} from '@ecrs/contracts'
import type { BatchContext, InboundMessage } from '@ecrs/kafka'
import { randomUscc } from '@ecrs/testkit'
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { isAgencySource, type Bucket, type StatsStatus } from './domain.js'
import { statsFold, type StatsFold } from './fold.js'
import { InjectedFault, memoryStatsStore, type MemoryStatsStore } from './testing/memory-store.js'

const topics = topicNames('t')
const ctx: BatchContext = { log: pino({ level: 'silent' }), heartbeat: async () => {} }

const AGENCIES = ['samr.ln', 'samr.js', 'nmpa.gd'] as const
// Not agencies: not counted, but their records and outcomes travel the same partitions.
const FIRM = `firm:${randomUscc()}`
const SYSTEM = 'ecrs.rules'
const SUBJECTS = Array.from({ length: 4 }, () => randomUscc())
const TYPES: Record<string, readonly string[]> = {
  agency: ['penalty.decided', 'inspection.recorded', 'enterprise.changed', 'recall.ordered', 'recall.closed'],
  firm: ['annual-report.filed', 'recall.initiated'],
  system: ['penalty.decided', 'enterprise.changed'],
}

const MINUTE = 60_000
const DAY = 86_400_000
// Around the 2025 National Day holiday (1–8 October, make-up days 28 September and 11 October).
const BASE = Date.parse('2025-09-25T00:00:00+08:00')
const MAX_CRASHES = 6

const eventArb = fc.record({
  who: fc.nat(AGENCIES.length + 1), // the last two: a firm, the system
  typeIx: fc.nat(9),
  id: fc.nat(7), // ids repeat across sources: `source/id` is the identity
  subject: fc.nat(SUBJECTS.length - 1),
  timeDay: fc.nat(8),
  timeMin: fc.nat(24 * 60 - 1),
  delayDay: fc.nat(14),
  delayMin: fc.nat(24 * 60 - 1),
  atMidnight: fc.boolean(), // recorded at exactly 00:00 +08:00 (24:00 of the day before)
  partition: fc.nat(2),
  prio: fc.nat(99),
  // Whether the first attempt landed; the retakes (produced again under a taken-over lease) — on any
  // partition, as after the topic was given more partitions — land before or after it.
  firstLanded: fc.boolean(),
  retakes: fc.array(fc.record({ partition: fc.nat(2), prio: fc.nat(99) }), { maxLength: 2 }),
  outcomes: fc.array(
    fc.record({ status: fc.constantFrom<'applied' | 'rejected'>('applied', 'rejected'), prio: fc.nat(99) }),
    { maxLength: 3 },
  ),
  outcomePartition: fc.nat(1),
})

const historyArb = fc.record({
  enterprisePartitions: fc.integer({ min: 2, max: 3 }),
  recallPartitions: fc.integer({ min: 2, max: 3 }),
  events: fc.array(eventArb, { maxLength: 30, size: 'medium' }),
})
type History = typeof historyArb extends fc.Arbitrary<infer H> ? H : never

interface Ev {
  key: string
  source: string
  id: string
  type: string
  time: string
  recordedAt: string
  statuses: ('applied' | 'rejected')[]
}

/** The events (first of each `source/id`) and the partition logs their records and outcomes make. */
const materialize = (h: History): { events: Ev[]; logs: Map<string, InboundMessage[]> } => {
  const events = new Map<string, Ev>()
  const pending = new Map<string, { prio: number; seq: number; rec: Omit<InboundMessage, 'offset'> }[]>()
  const partitionsOf = (topic: string): number =>
    topic === topics.enterprise ? h.enterprisePartitions : topic === topics.recall ? h.recallPartitions : 2
  for (const t of [topics.enterprise, topics.recall, topics.outcomes])
    for (let p = 0; p < partitionsOf(t); p++) pending.set(`${t}:${p}`, [])
  let seq = 0
  const put = (topic: string, partition: number, prio: number, rec: Omit<InboundMessage, 'offset'>) =>
    pending.get(`${topic}:${partition % partitionsOf(topic)}`)!.push({ prio, seq: seq++, rec })

  for (const g of h.events) {
    const kind = g.who < AGENCIES.length ? 'agency' : g.who === AGENCIES.length ? 'firm' : 'system'
    const source = kind === 'agency' ? AGENCIES[g.who]! : kind === 'firm' ? FIRM : SYSTEM
    const types = TYPES[kind]!
    const type = types[g.typeIx % types.length]!
    const id = `ev-${g.id}`
    const key = `${source}/${id}`
    if (events.has(key)) continue // the same identity again: see `retakes` for duplicate records
    const timeMs = BASE + g.timeDay * DAY + g.timeMin * MINUTE
    const recordedMs = g.atMidnight
      ? Date.parse(new Date(timeMs + 8 * 3_600_000).toISOString().slice(0, 10) + 'T00:00:00+08:00') +
        (g.delayDay + 1) * DAY
      : timeMs + g.delayDay * DAY + g.delayMin * MINUTE
    const ev: Ev = {
      key,
      source,
      id,
      type,
      time: new Date(timeMs).toISOString().replace('Z', '+00:00'),
      recordedAt: new Date(recordedMs).toISOString(),
      statuses: [],
    }
    events.set(key, ev)
    const spec = catalogue.get(type)!
    const topic = spec.topic === 'enterprise' ? topics.enterprise : topics.recall
    const envelope: Envelope = {
      specversion: '1.0',
      id,
      source,
      type,
      subject: SUBJECTS[g.subject]!,
      time: ev.time,
      dataversion: 1,
      data: { n: g.id },
    }
    const attempt = (retake: boolean) =>
      toCloudEventRecord(envelope, { topic, key: envelope.subject, recordedAt: new Date(recordedMs), retake })
    // The first attempt (unless it never landed), and the retakes of it (a lease taken over).
    const attempts = [
      ...(g.firstLanded || g.retakes.length === 0
        ? [{ partition: g.partition, prio: g.prio, record: attempt(false) }]
        : []),
      ...g.retakes.map((r) => ({ ...r, record: attempt(true) })),
    ]
    for (const { partition, prio, record } of attempts)
      put(topic, partition, prio, {
        topic,
        partition: partition % partitionsOf(topic),
        key: record.key,
        value: Buffer.from(record.value),
        headers: { ...record.headers },
        timestamp: String(record.timestamp),
      })
    // Outcomes: all on one partition, in the generated order, interleaved with other events' outcomes.
    const prios = g.outcomes.map((o) => o.prio).sort((a, b) => a - b)
    g.outcomes.forEach((o, i) => {
      ev.statuses.push(o.status)
      const out = toOutcomeRecord(topics.outcomes, {
        source,
        id,
        type,
        consumer: spec.consumers[0]!,
        status: o.status,
        at: new Date(recordedMs + (i + 1) * MINUTE),
        recordedAt: ev.recordedAt,
      })
      put(topics.outcomes, g.outcomePartition, prios[i]!, {
        topic: topics.outcomes,
        partition: g.outcomePartition,
        key: out.key,
        value: Buffer.from(out.value),
        headers: { ...out.headers },
        timestamp: String(recordedMs + (i + 1) * MINUTE),
      })
    })
  }
  const logs = new Map<string, InboundMessage[]>()
  for (const [tp, recs] of pending)
    logs.set(
      tp,
      recs
        .sort((a, b) => a.prio - b.prio || a.seq - b.seq)
        .map((r, offset) => ({ ...r.rec, offset: String(offset) })),
    )
  return { events: [...events.values()], logs }
}

// What is compared: per agency, day and type, and per agency and type over all days.
interface Counts {
  events: number
  applied: number
  rejected: number
  lags: Record<number, number>
}
interface View {
  byDay: Record<string, Counts>
  byAgency: Record<string, Counts>
  agencies: string[]
}

const view = (rows: Iterable<{ agency: string; day: string; type: string; counts: Counts }>): View => {
  const byDay: Record<string, Counts> = {}
  const byAgency: Record<string, Counts> = {}
  const add = (into: Record<string, Counts>, k: string, c: Counts) => {
    const t = (into[k] ??= { events: 0, applied: 0, rejected: 0, lags: {} })
    t.events += c.events
    t.applied += c.applied
    t.rejected += c.rejected
    for (const [lag, n] of Object.entries(c.lags))
      if (n !== 0) t.lags[Number(lag)] = (t.lags[Number(lag)] ?? 0) + n
  }
  const agencies = new Set<string>()
  for (const r of rows) {
    if (r.counts.events === 0 && r.counts.applied === 0 && r.counts.rejected === 0) continue
    agencies.add(r.agency)
    add(byDay, `${r.agency}|${r.day}|${r.type}`, r.counts)
    add(byAgency, `${r.agency}|${r.type}`, r.counts)
  }
  return { byDay, byAgency, agencies: [...agencies].sort() }
}

const bucketView = (buckets: readonly Bucket[]): View =>
  view(
    buckets.flatMap((b) =>
      b.types.map((t) => ({
        agency: b.agency,
        day: b.day,
        type: t.type,
        counts: {
          events: t.events,
          applied: t.applied,
          rejected: t.rejected,
          lags: Object.fromEntries(t.lags),
        },
      })),
    ),
  )

/** Computed from the history alone: each agency event once, in its recordedAt day, at its last status. */
const oracle = (events: readonly Ev[]): View =>
  view(
    events
      .filter((e) => isAgencySource(e.source))
      .map((e) => {
        const status: StatsStatus = e.statuses[e.statuses.length - 1] ?? 'pending'
        const lag = workingDaysLag(new Date(e.time), new Date(e.recordedAt)).days
        return {
          agency: e.source,
          day: new Date(Date.parse(e.recordedAt) + 8 * 3_600_000).toISOString().slice(0, 10),
          type: e.type,
          counts: {
            events: 1,
            applied: status === 'applied' ? 1 : 0,
            rejected: status === 'rejected' ? 1 : 0,
            lags: { [lag]: 1 },
          },
        }
      }),
  )

const everything = (fold: StatsFold): Bucket[] => fold.buckets()

const cleanFold = async (logs: Map<string, InboundMessage[]>): Promise<StatsFold> => {
  const fold = await statsFold(memoryStatsStore(), topics)
  // Outcomes first: every outcome before its event's record.
  for (const messages of [...logs.values()].reverse())
    if (messages.length > 0) await fold.handler(messages, ctx)
  return fold
}

/** Delivers every log as a consumer group would, with random chunks, interleaving and crashes. */
const crashyFold = async (
  logs: Map<string, InboundMessage[]>,
  g: fc.GeneratorValue,
): Promise<{ fold: StatsFold; store: MemoryStatsStore; trace: string[] }> => {
  const store = memoryStatsStore()
  let fold = await statsFold(store, topics)
  const committed = new Map([...logs.keys()].map((tp) => [tp, 0]))
  const trace: string[] = []
  let crashes = 0
  for (;;) {
    const open = [...logs.keys()].filter((tp) => committed.get(tp)! < logs.get(tp)!.length)
    if (open.length === 0) break
    const tp = open[g(fc.nat, open.length - 1)]!
    const log = logs.get(tp)!
    const from = committed.get(tp)!
    const size = g(fc.integer, { min: 1, max: log.length - from })
    const chunk = log.slice(from, from + size)
    // 0–2: a fault part-way through the call's writes; 3: a crash after it returned, before the commit.
    const fault = crashes < MAX_CRASHES ? g(fc.nat, 9) : 9
    const at = fault <= 2 ? g(fc.integer, { min: 1, max: 3 * chunk.length + 2 }) : undefined
    store.failAfter(at)
    const writesBefore = store.writes
    let failed = false
    try {
      await fold.handler(chunk, ctx)
    } catch (err) {
      if (!(err instanceof InjectedFault)) throw err
      failed = true
    }
    store.failAfter(undefined)
    const where = `${tp} [${from}..${from + size - 1}]`
    if (failed || fault === 3) {
      crashes++
      // A handler that threw is retried by the same consumer, or the process dies; a crash before
      // the commit is the process dying.
      const restart = failed ? g(fc.boolean) : true
      trace.push(
        `${where}: ${failed ? `fault after ${store.writes - writesBefore} writes` : 'crash before commit'}, ${restart ? 'restart' : 'retry'}`,
      )
      if (restart) fold = await statsFold(store, topics)
      continue
    }
    trace.push(`${where}: committed`)
    committed.set(tp, from + size)
  }
  return { fold, store, trace }
}

describe('statistics fold (property)', () => {
  it('random chunks, interleavings and crashes count each event once at its last status', async () => {
    await fc.assert(
      fc.asyncProperty(historyArb, fc.gen(), async (h, g) => {
        const { events, logs } = materialize(h)
        const expected = oracle(events)
        const clean = await cleanFold(logs)
        expect(bucketView(everything(clean)), 'clean fold vs oracle').toEqual(expected)
        const { fold, store, trace } = await crashyFold(logs, g)
        const why = `delivery:\n${trace.join('\n')}`
        expect(bucketView(everything(fold)), `crashy fold vs oracle; ${why}`).toEqual(expected)
        expect(fold.agencies(), why).toEqual(expected.agencies)
        // What the store holds is what the fold answers from (and what a restart would load).
        expect(bucketView(store.dump().buckets), `store vs oracle; ${why}`).toEqual(expected)
        const reloaded = await statsFold(store, topics)
        expect(bucketView(everything(reloaded)), why).toEqual(expected)
      }),
      { numRuns: 200 },
    )
  })
})
