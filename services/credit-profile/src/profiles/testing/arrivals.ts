/**
 * What the properties of the projection share (arrival-order.property.test.ts,
 * changes.property.test.ts): a generated enterprise history arriving in a shuffled order, with a
 * model of what the recall service publishes about it (overdue decisions later voided, said again as
 * a next generation, statuses corrected at the same instant), and the projection fed as the
 * consumer feeds it.
 */
import fc from 'fast-check'
import { fromCloudEventRecord, topicNames } from '@ecrs/contracts'
import { enterpriseHistory, instantiate, type NamedEvent } from '@ecrs/testkit/histories'
import { defaultProfileParams } from '../domain/index.js'
import { reproject, type Projection } from '../project.js'
import type { EnterpriseDoc, StoredEvent } from '../store.js'

export const UNTIL = new Date('2026-12-01T00:00:00+08:00')
export const USCC = '91350100M000100Y43'
export const DAY = 86_400_000
export const topics = topicNames('prop')
export const ms = (s: string): number => Date.parse(s)
export const iso = (n: number): string => new Date(n).toISOString()

export const stored = (
  e: NamedEvent | (Omit<StoredEvent, 'data'> & { data: unknown }),
  recordedAt: number,
): StoredEvent => ({
  source: e.source,
  id: e.id,
  type: e.type,
  subject: e.subject,
  time: e.time,
  recordedAt: iso(recordedAt),
  data: JSON.stringify(e.data),
})

// ---- the recall service's side, as a model of what it publishes (its own property checks it does) ----

export type ObligationTruth =
  | { readonly kind: 'none' }
  | { readonly kind: 'overdue'; readonly dueAt: number }
  | { readonly kind: 'late'; readonly dueAt: number; readonly fulfilledAt: number }

interface Said {
  generation: number
  truth: ObligationTruth
  voided: boolean
}

const recallId = 'p-R1'

const obligationEvent = (
  obligationId: string,
  type: 'overdue' | 'fulfilled' | 'voided',
  generation: number,
  time: number,
  extra: Record<string, unknown>,
): NamedEvent => ({
  specversion: '1.0',
  id: `${type}:${obligationId}${generation === 1 ? '' : `:g${generation}`}`,
  source: 'ecrs.recall',
  type: `recall.obligation-${type}`,
  subject: USCC,
  time: iso(time),
  data: { recallId, obligationId, ...extra, generation },
})

/** What moves what was said (`said`) to `truth`, as the recall service's ledger does. */
const transition = (
  obligationId: string,
  said: Said | undefined,
  truth: ObligationTruth,
): { events: NamedEvent[]; said: Said | undefined } => {
  const live = said !== undefined && !said.voided && said.truth.kind !== 'none'
  const dueOf = (t: ObligationTruth): number => (t.kind === 'none' ? 0 : t.dueAt)
  const events: NamedEvent[] = []
  if (truth.kind === 'none') {
    if (!live) return { events, said }
    events.push(
      obligationEvent(obligationId, 'voided', said.generation, dueOf(said.truth) - DAY, {
        reason: 'not-owed',
      }),
    )
    return { events, said: { ...said, voided: true } }
  }
  const stands =
    live &&
    dueOf(said.truth) === truth.dueAt &&
    (said.truth.kind === 'overdue' ||
      (said.truth.kind === 'late' && truth.kind === 'late' && said.truth.fulfilledAt === truth.fulfilledAt))
  if (stands) {
    if (truth.kind === 'late' && said.truth.kind === 'overdue')
      events.push(
        obligationEvent(obligationId, 'fulfilled', said.generation, truth.fulfilledAt, {
          kind: 'submit-plan',
          late: true,
        }),
      )
    return { events, said: { ...said, truth } }
  }
  if (live)
    events.push(
      obligationEvent(obligationId, 'voided', said.generation, dueOf(said.truth), { reason: 'not-owed' }),
    )
  const generation = (said?.generation ?? 0) + 1
  events.push(
    obligationEvent(obligationId, 'overdue', generation, truth.dueAt, {
      kind: 'submit-plan',
      dueAt: iso(truth.dueAt),
    }),
  )
  if (truth.kind === 'late')
    events.push(
      obligationEvent(obligationId, 'fulfilled', generation, truth.fulfilledAt, {
        kind: 'submit-plan',
        late: true,
      }),
    )
  return { events, said: { generation, truth, voided: false } }
}

export const truthArb = (from: number, to: number): fc.Arbitrary<ObligationTruth> =>
  fc.oneof(
    fc.constant<ObligationTruth>({ kind: 'none' }),
    fc
      .integer({ min: from, max: to })
      .map((d): ObligationTruth => ({ kind: 'overdue', dueAt: d - (d % 60_000) })),
    fc
      .tuple(fc.integer({ min: from, max: to }), fc.integer({ min: 1, max: 90 }))
      .map(([d, late]): ObligationTruth => ({
        kind: 'late',
        dueAt: d - (d % 60_000),
        fulfilledAt: d - (d % 60_000) + late * DAY,
      })),
  )

/** A recall's status steps: the truth at each step, and words said earlier at those instants. */
export interface StatusStep {
  readonly at: number
  /** What was said at this instant, generation by generation; the last is what holds. */
  readonly said: readonly string[]
}

const STATUSES = [
  'initiated',
  'plan-submitted',
  'plan-accepted',
  'in-progress',
  'completed',
  'closed',
] as const

export const statusArb = (from: number, to: number): fc.Arbitrary<StatusStep[]> =>
  fc
    .uniqueArray(
      fc.integer({ min: from, max: to }).map((t) => t - (t % 60_000)),
      { maxLength: 4 },
    )
    .chain((times) =>
      fc.tuple(
        ...times
          .sort((a, b) => a - b)
          .map((at, i) =>
            fc
              .array(fc.tuple(fc.constantFrom(...STATUSES), fc.boolean(), fc.boolean()), {
                minLength: 1,
                maxLength: 3,
              })
              .map((words) => ({
                at,
                said: words.map(([status, published, ordered]) =>
                  JSON.stringify({
                    recallId,
                    status: i === 0 ? 'initiated' : status,
                    published,
                    ordered,
                    productName: 'K1',
                  }),
                ),
              })),
          ),
      ),
    )

const statusEvent = (s: StatusStep, generation: number): NamedEvent => ({
  specversion: '1.0',
  id: `status:firm:${USCC}:s${s.at}${generation === 1 ? '' : `:g${generation}`}`,
  source: 'ecrs.recall',
  type: 'recall.status-changed',
  subject: USCC,
  time: iso(s.at),
  data: {
    ...(JSON.parse(s.said[generation - 1] ?? '{}') as Record<string, unknown>),
    step: `s${s.at}`,
    generation,
  },
})

/** The recall decisions in publishing order (with their turns), and what a fresh service publishes. */
export const recallStreams = (
  obligations: readonly (readonly ObligationTruth[])[],
  statuses: readonly StatusStep[],
): { incremental: NamedEvent[][]; once: NamedEvent[] } => {
  const incremental: NamedEvent[][] = []
  const once: NamedEvent[] = []
  obligations.forEach((states, i) => {
    const id = `${recallId}:submit-plan:${i + 1}`
    let said: Said | undefined
    for (const truth of states) {
      const t = transition(id, said, truth)
      said = t.said
      incremental.push(t.events)
    }
    const last = states[states.length - 1] ?? { kind: 'none' }
    once.push(...transition(id, undefined, last).events)
  })
  for (const s of statuses) {
    incremental.push(s.said.map((_, g) => statusEvent(s, g + 1)))
    // A fresh service says what holds, once, as the first generation.
    const holds = JSON.parse(s.said[s.said.length - 1] ?? '{}') as Record<string, unknown>
    once.push({ ...statusEvent(s, 1), data: { ...holds, step: `s${s.at}`, generation: 1 } })
  }
  return { incremental, once }
}

// ---- the projection, fed as the consumer feeds it ----

/**
 * Reprojects and feeds the `ecrs.rules` decisions it publishes back into the history, as the
 * consumer does once they come back from the topic; gives both projections (what was published).
 */
export const projectWithDecisions = (
  doc: EnterpriseDoc,
  fresh: readonly StoredEvent[],
  now: number,
): { doc: EnterpriseDoc; projections: Projection[] } => {
  const p = reproject(doc, fresh, new Date(now), defaultProfileParams, topics)
  const back = p.records
    .filter((r) => r.topic === topics.enterprise)
    .map((r) => {
      const value = typeof r.value === 'string' ? Buffer.from(r.value) : r.value
      const e = fromCloudEventRecord(r.headers ?? {}, value, iso(now))
      return stored({ ...e, data: e.data }, now)
    })
  if (back.length === 0) return { doc: p.doc, projections: [p] }
  const q = reproject(p.doc, back, new Date(now), defaultProfileParams, topics)
  return { doc: q.doc, projections: [p, q] }
}

/** Reprojects and feeds the `ecrs.rules` decisions it publishes back into the history. */
export const project = (doc: EnterpriseDoc, fresh: readonly StoredEvent[], now: number): EnterpriseDoc =>
  projectWithDecisions(doc, fresh, now).doc

/** A history, its arrival order, the recall service's words and when they come, delays and rule runs. */
export const scenario = enterpriseHistory({ until: UNTIL }).chain((items) => {
  const events = instantiate(items, { uscc: USCC, tag: 'p', agency: 'samr.ln', agency2: 'samr.sy' }).filter(
    (e) => !e.type.startsWith('recall.'),
  )
  const from = Math.min(...events.map((e) => ms(e.time)))
  const to = UNTIL.getTime() - DAY
  return fc.record({
    events: fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }),
    obligations: fc.array(fc.array(truthArb(from, to - 100 * DAY), { minLength: 1, maxLength: 4 }), {
      maxLength: 3,
    }),
    statuses: statusArb(from, to),
    delays: fc.array(fc.integer({ min: 0, max: 40 }), {
      minLength: events.length + 12,
      maxLength: events.length + 12,
    }),
    runs: fc.array(fc.boolean(), { minLength: events.length + 12, maxLength: events.length + 12 }),
    recallTurns: fc.array(fc.nat(), { maxLength: 20 }),
  })
})

export type Scenario = typeof scenario extends fc.Arbitrary<infer S> ? S : never

/**
 * The order in which a scenario's events arrive: its enterprise events as shuffled, with the recall
 * service's words (in its own order) falling between them at the scenario's turns; and what a fresh
 * recall service would publish at once.
 */
export const arrivalOrder = (s: Scenario): { arrivals: NamedEvent[]; recallOnce: NamedEvent[] } => {
  const recall = recallStreams(s.obligations, s.statuses)
  // Where the recall service's words fall among the enterprise events: in its own order.
  const slots = recall.incremental.map((_, i) => (s.recallTurns[i] ?? i) % (s.events.length + 1))
  const turns: { events: NamedEvent[]; after: number }[] = []
  slots
    .map((slot, i) => ({ slot, i }))
    .sort((a, b) => a.slot - b.slot || a.i - b.i)
    .forEach(({ slot, i }) => turns.push({ events: recall.incremental[i] ?? [], after: slot }))
  const arrivals: NamedEvent[] = []
  for (let i = 0; i <= s.events.length; i++) {
    for (const t of turns.filter((x) => x.after === i)) arrivals.push(...t.events)
    const e = s.events[i]
    if (e !== undefined) arrivals.push(e)
  }
  return { arrivals, recallOnce: recall.once }
}
