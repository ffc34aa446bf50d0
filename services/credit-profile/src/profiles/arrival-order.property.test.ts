/**
 * The profile of any arrival order equals the profile of all at once (issue 10, contract §6 rule 6
 * and §7): a generated enterprise history arrives one event at a time in a shuffled order, the
 * projection (`reproject`, as the consumer runs it) derives and publishes its own `ecrs.rules`
 * decisions at each arrival and at rule runs at random moments, and those decisions come back into
 * the history; the recall service's decisions arrive as it publishes them while its own history
 * arrives: overdue decisions later voided, said again as a next generation, statuses corrected at
 * the same instant. Once everything has arrived, the profile (less ids, `recordedAt` and `asOf`) and
 * the outcome of every agency and firm event are those of the same history projected at once.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fromCloudEventRecord, topicNames } from '@ecrs/contracts'
import { enterpriseHistory, instantiate, propertyRuns, type NamedEvent } from '@ecrs/testkit/histories'
import { defaultProfileParams, derive } from './domain/index.js'
import { emptyDoc, reproject } from './project.js'
import { toHistory, type EnterpriseDoc, type StoredEvent } from './store.js'

const UNTIL = new Date('2026-12-01T00:00:00+08:00')
const USCC = '91350100M000100Y43'
const DAY = 86_400_000
const topics = topicNames('prop')
const ms = (s: string): number => Date.parse(s)
const iso = (n: number): string => new Date(n).toISOString()

const stored = (
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

type ObligationTruth =
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

const truthArb = (from: number, to: number): fc.Arbitrary<ObligationTruth> =>
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
interface StatusStep {
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

const statusArb = (from: number, to: number): fc.Arbitrary<StatusStep[]> =>
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
const recallStreams = (
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

/** Reprojects and feeds the `ecrs.rules` decisions it publishes back into the history. */
const project = (doc: EnterpriseDoc, fresh: readonly StoredEvent[], now: number): EnterpriseDoc => {
  const p = reproject(doc, fresh, new Date(now), defaultProfileParams, topics)
  const back = p.records
    .filter((r) => r.topic === topics.enterprise)
    .map((r) => {
      const value = typeof r.value === 'string' ? Buffer.from(r.value) : r.value
      const e = fromCloudEventRecord(r.headers ?? {}, value, iso(now))
      return stored({ ...e, data: e.data }, now)
    })
  return back.length === 0 ? p.doc : reproject(p.doc, back, new Date(now), defaultProfileParams, topics).doc
}

const strip = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(strip)
  if (typeof v !== 'object' || v === null) return v
  return Object.fromEntries(
    Object.entries(v)
      .filter(([k]) => k !== 'id' && k !== 'recordedAt' && k !== 'asOf')
      .map(([k, x]) => [k, strip(x)]),
  )
}

const finalView = (doc: EnterpriseDoc, now: number) => {
  const d = derive(toHistory(doc.events), new Date(now), defaultProfileParams)
  const outcomes = [...d.outcomes.entries()]
    .filter(([k]) => !k.startsWith('ecrs.'))
    .sort(([a], [b]) => (a < b ? -1 : 1))
  return { profile: strip(d.profile), outcomes }
}

const scenario = enterpriseHistory({ until: UNTIL }).chain((items) => {
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

describe('credit profiles whatever the arrival order (property)', () => {
  it('one by one in any order, with rule runs and recall corrections between, equals all at once', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const recall = recallStreams(s.obligations, s.statuses)
        // Where the recall service's words fall among the enterprise events: in its own order.
        const slots = recall.incremental.map((_, i) => (s.recallTurns[i] ?? i) % (s.events.length + 1))
        const turns: { events: NamedEvent[]; after: number }[] = []
        slots
          .map((slot, i) => ({ slot, i }))
          .sort((a, b) => a.slot - b.slot || a.i - b.i)
          .forEach(({ slot, i }) => turns.push({ events: recall.incremental[i] ?? [], after: slot }))
        // Nothing arrives before it happened.
        let now = 0
        let doc = emptyDoc(USCC, new Date(0))
        let k = 0
        const arrive = (e: NamedEvent): void => {
          now = Math.max(now, ms(e.time)) + (s.delays[k] ?? 0) * DAY
          doc = project(doc, [stored(e, now)], now)
          if (s.runs[k++] === true) {
            now += DAY
            doc = project(doc, [], now)
          }
        }
        for (let i = 0; i <= s.events.length; i++) {
          for (const t of turns.filter((x) => x.after === i)) for (const e of t.events) arrive(e)
          const e = s.events[i]
          if (e !== undefined) arrive(e)
        }
        const end = Math.max(now, UNTIL.getTime()) + DAY
        doc = project(doc, [], end)

        let once = emptyDoc(USCC, new Date(0))
        once = project(
          once,
          [...s.events, ...recall.once].map((e) => stored(e, end)),
          end,
        )
        expect(finalView(doc, end)).toEqual(finalView(once, end))
      }),
      propertyRuns(60),
    )
  })
})
