/**
 * Arrival order and timing do not matter (issue 10, contract §7 "Decisions on partial history are
 * voided"): a recall history that arrives one event at a time, in any order, with sweeps at random
 * moments in between, leaves the same case and — read the way the credit profile reads them — the
 * same live overdue obligations and statuses at every instant as the same history derived at once.
 *
 * The reading of the published decisions is written here again, apart from the credit profile's, as
 * the oracle: per obligation the latest generation that says overdue counts until it is fulfilled or
 * voided (and only once its due instant has passed); per case the status said last (by time, then
 * generation).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { instantiate, propertyRuns, recallHistory, type HistoryItem } from '@ecrs/testkit/histories'
import { derive } from './fold.js'
import { defaultRecallParams } from './params.js'
import { EMPTY_LEDGER, reconcile, type Ledger } from './reconcile.js'
import { AGENCY, FIRM, step } from './testing/case-events.js'
import type { CaseEvent, RecallCase, RecallDecision } from './types.js'

const UNTIL = new Date('2026-12-01T00:00:00+08:00')
const DAY = 86_400_000
const params = defaultRecallParams

const ms = (s: string): number => Date.parse(s)

const caseEvents = (items: readonly HistoryItem[], recordedAt: (i: number) => number): CaseEvent[] =>
  instantiate(items, { uscc: FIRM, tag: 'p', agency: AGENCY, agency2: 'samr.sy' }).map((e, i) => ({
    ...e,
    recordedAt: new Date(recordedAt(i)).toISOString(),
  }))

interface Run {
  readonly case: RecallCase | undefined
  readonly published: RecallDecision[]
  readonly ledger: Ledger
}

/** One settle: derive at `now` from everything known, publish what reconciles the ledger. */
const settle = (events: readonly CaseEvent[], now: number, ledger: Ledger): Run => {
  const d = derive(events, new Date(now), params)
  const r = reconcile(d.case, d.statuses, ledger)
  return { case: d.case, published: r.decisions, ledger: r.ledger }
}

/** Every event at once, derived at `now`: what a fresh service (or a rebuild) publishes. */
const allAtOnce = (events: readonly CaseEvent[], now: number): Run => settle(events, now, EMPTY_LEDGER)

interface Arrival {
  readonly order: readonly number[]
  /** Days between arrivals (on top of the event's own time: nothing arrives before it happened). */
  readonly delays: readonly number[]
  /** A sweep (time alone) after this arrival, this many days later; undefined for none. */
  readonly sweeps: readonly (number | undefined)[]
  /** Arrivals delivered twice (a retry). */
  readonly twice: readonly boolean[]
}

/** The same events one at a time in `a.order`, a settle after each and sweeps in between. */
const oneByOne = (events: readonly CaseEvent[], a: Arrival): { run: Run; now: number } => {
  let known: CaseEvent[] = []
  let ledger = EMPTY_LEDGER
  const published: RecallDecision[] = []
  let now = 0
  let last: Run | undefined
  a.order.forEach((index, k) => {
    const e = events[index]
    if (e === undefined) return
    now = Math.max(now, ms(e.time)) + (a.delays[k] ?? 0) * DAY
    const copies = a.twice[k] === true ? [e, e] : [e]
    for (const copy of copies) {
      if (!known.some((x) => x.source === copy.source && x.id === copy.id)) known = [...known, copy]
      last = settle(known, now, ledger)
      ledger = last.ledger
      published.push(...last.published)
    }
    const sweep = a.sweeps[k]
    if (sweep !== undefined) {
      now += sweep * DAY
      last = settle(known, now, ledger)
      ledger = last.ledger
      published.push(...last.published)
    }
  })
  return { run: { case: last?.case, published, ledger }, now }
}

const num = (v: unknown, fallback: number): number => (typeof v === 'number' ? v : fallback)

/** The obligations overdue and unsettled at `t` by the published decisions (`obligationId|dueAt`). */
const liveOverdueAt = (published: readonly RecallDecision[], t: number): string[] => {
  type Gen = { dueAt?: string; fulfilled: boolean; voided: boolean }
  const byObligation = new Map<string, Map<number, Gen>>()
  for (const d of published) {
    if (ms(d.time) > t || d.type === 'recall.status-changed') continue
    const obligationId = String(d.data['obligationId'])
    const gens = byObligation.get(obligationId) ?? new Map<number, Gen>()
    byObligation.set(obligationId, gens)
    const n = num(d.data['generation'], 1)
    const g = gens.get(n) ?? { fulfilled: false, voided: false }
    gens.set(n, g)
    if (d.type === 'recall.obligation-overdue') g.dueAt = String(d.data['dueAt'])
    if (d.type === 'recall.obligation-fulfilled') g.fulfilled = true
    if (d.type === 'recall.obligation-voided') g.voided = true
  }
  const live: string[] = []
  for (const [obligationId, gens] of byObligation) {
    const latest = [...gens.entries()]
      .filter(([, g]) => g.dueAt !== undefined)
      .sort(([a], [b]) => b - a)[0]?.[1]
    if (latest?.dueAt === undefined || latest.fulfilled || latest.voided || ms(latest.dueAt) >= t) continue
    live.push(`${obligationId}|${new Date(latest.dueAt).toISOString()}`)
  }
  return live.sort()
}

/** What the profile shows of the case at `t`: the status said last (time, then generation). */
const statusAt = (published: readonly RecallDecision[], t: number): string | undefined => {
  let best: RecallDecision | undefined
  for (const d of published) {
    if (d.type !== 'recall.status-changed' || ms(d.time) > t) continue
    const later =
      best === undefined ||
      ms(d.time) > ms(best.time) ||
      (ms(d.time) === ms(best.time) && num(d.data['generation'], 1) > num(best.data['generation'], 1))
    if (later) best = d
  }
  if (best === undefined) return undefined
  const { generation: _g, step: _s, ...data } = best.data
  return JSON.stringify(data)
}

/** The instants at which the two readings are compared: every event and decision time, ±1 ms. */
const instants = (events: readonly CaseEvent[], runs: readonly Run[], now: number): number[] => {
  const at = new Set<number>([now])
  for (const t of [...events.map((e) => e.time), ...runs.flatMap((r) => r.published.map((d) => d.time))]) {
    const x = ms(t)
    at.add(x - 1)
    at.add(x)
    at.add(x + 1)
  }
  return [...at].filter((x) => x <= now).sort((a, b) => a - b)
}

const arrivals = (items: readonly HistoryItem[]): fc.Arbitrary<Arrival> => {
  const n = items.length
  const indices = items.map((_, i) => i)
  return fc.record({
    order: fc.shuffledSubarray(indices, { minLength: n, maxLength: n }),
    delays: fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 60 })), {
      minLength: n,
      maxLength: n,
    }),
    sweeps: fc.array(fc.option(fc.integer({ min: 0, max: 120 }), { nil: undefined }), {
      minLength: n,
      maxLength: n,
    }),
    twice: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
  })
}

const scenario = recallHistory({ until: UNTIL }).chain((items) =>
  fc.tuple(fc.constant(items), arrivals(items), fc.integer({ min: 0, max: 400 })),
)

/** Checks one scenario; returns nothing, fails by expectation. */
const checkScenario = (items: readonly HistoryItem[], a: Arrival, extraDays: number): void => {
  const events = caseEvents(items, (i) => ms(items[i]?.time ?? '') + 1)
  const inc = oneByOne(events, a)
  const now = Math.max(inc.now, UNTIL.getTime()) + extraDays * DAY
  // A last sweep at the common `now`, as the scheduler would run.
  const final = settle(events, now, inc.run.ledger)
  const incremental: Run = { ...final, published: [...inc.run.published, ...final.published] }
  const once = allAtOnce(events, now)

  // The case is a fold of the history: the same whatever the arrival order.
  expect(incremental.case).toEqual(once.case)
  // One id names one decision: the profile keeps the first copy of an id.
  const byId = new Map<string, string>()
  for (const d of incremental.published) {
    const text = JSON.stringify(d)
    expect(byId.get(d.id) ?? text, d.id).toBe(text)
    byId.set(d.id, text)
  }
  // Read as the profile reads them, both streams say the same at every instant.
  for (const t of instants(events, [incremental, once], now)) {
    const when = new Date(t).toISOString()
    expect(liveOverdueAt(incremental.published, t), `live overdue at ${when}`).toEqual(
      liveOverdueAt(once.published, t),
    )
    expect(statusAt(incremental.published, t), `status at ${when}`).toEqual(statusAt(once.published, t))
  }
  // …and what they say now is the case's own overdue obligations.
  const overdue = (once.case?.obligations ?? [])
    .filter((o) => o.status === 'overdue')
    .map((o) => `${o.obligationId}|${new Date(o.dueAt).toISOString()}`)
    .sort()
  expect(liveOverdueAt(incremental.published, now)).toEqual(overdue)
  // Another sweep, or a rebuild handed the live ledger, publishes nothing more.
  expect(settle(events, now, incremental.ledger).published).toEqual([])
}

describe('recall decisions whatever the arrival order (property)', () => {
  it('one by one in any order, with sweeps between, says what all at once says, at every instant', () => {
    fc.assert(
      fc.property(scenario, ([items, a, extraDays]) => checkScenario(items, a, extraDays)),
      propertyRuns(150),
    )
  })
})

describe('recall decisions whatever the arrival order (examples found or feared)', () => {
  // The migration of issue 10: every step on time, sent one at a time in event order, a sweep after
  // each. It once left nine overdue decisions standing and branded the producer class D.
  const migration: CaseEvent[] = [
    step('recall.initiated', '2025-04-07T10:00:00+08:00'),
    step('recall.plan-submitted', '2025-04-10T10:00:00+08:00'),
    step('recall.plan-accepted', '2025-04-14T10:00:00+08:00'),
    step('recall.notice-published', '2025-04-15T10:00:00+08:00'),
    step('recall.progress-reported', '2025-06-30T10:00:00+08:00', { data: { unitsRemedied: 400 } }),
    step('recall.progress-reported', '2025-09-15T10:00:00+08:00', { data: { unitsRemedied: 900 } }),
    step('recall.completed', '2025-10-20T10:00:00+08:00', { data: { unitsRemedied: 900 } }),
    step('recall.summary-submitted', '2025-10-27T10:00:00+08:00'),
    step('recall.closed', '2025-11-10T10:00:00+08:00'),
  ]
  const NOW = ms('2026-12-06T12:00:00+08:00')

  it('the migrated history step by step: every overdue voided, none live, the case as it went', () => {
    let ledger = EMPTY_LEDGER
    const published: RecallDecision[] = []
    for (let k = 1; k <= migration.length; k++) {
      const r = settle(migration.slice(0, k), NOW, ledger)
      ledger = r.ledger
      published.push(...r.published)
    }
    const overdue = published
      .filter((d) => d.type === 'recall.obligation-overdue')
      .map((d) => d.data['obligationId'])
    // Judged on prefixes: the plan, the notice, six progress periods and the summary were overdue…
    expect(overdue).toHaveLength(9)
    // …and each is voided once the rest arrived: fulfilled on time, or never owed (periods 4–6).
    const voided = published.filter((d) => d.type === 'recall.obligation-voided')
    expect(voided.map((d) => d.data['obligationId']).sort()).toEqual([...overdue].sort())
    expect(voided.filter((d) => d.data['reason'] === 'not-owed').map((d) => d.data['obligationId'])).toEqual(
      [4, 5, 6].map((n) => `R-2025-001:progress-report:${n}`),
    )
    for (const v of voided) {
      const o = published.find(
        (d) => d.type === 'recall.obligation-overdue' && d.data['obligationId'] === v.data['obligationId'],
      )
      expect(ms(v.time)).toBeLessThanOrEqual(ms(String(o?.data['dueAt'])))
    }
    expect(liveOverdueAt(published, NOW)).toEqual([])
    const c = derive(migration, new Date(NOW), params).case
    expect(c?.status).toBe('closed')
    expect(c?.obligations.every((o) => o.status === 'fulfilled' && o.fulfilledLate === false)).toBe(true)
    // Said once: nothing more to publish on another sweep.
    expect(settle(migration, NOW, ledger).published).toEqual([])
  })

  it('a step at its due instant itself is on time: no overdue, no voiding', () => {
    // Initiated Monday 3 March 2025: 10 WD end at 24:00 on Monday 17 March.
    const history = [
      step('recall.initiated', '2025-03-03T10:00:00+08:00'),
      step('recall.plan-submitted', '2025-03-18T00:00:00+08:00'),
    ]
    const d = derive(history, new Date(NOW), params)
    expect(d.case?.obligations[0]).toMatchObject({ status: 'fulfilled', fulfilledLate: false })
    expect(d.decisions.filter((x) => x.type !== 'recall.status-changed')).toEqual([])
  })

  it('an overdue voided and then true again is published anew as its next generation', () => {
    // Period 2's report arrives first and fulfils period 2; then an earlier report with more units
    // arrives: the first in time stands, the other is rejected (units decreased), period 2 is missed.
    const base = migration.slice(0, 4)
    const p2 = step('recall.progress-reported', '2025-08-01T10:00:00+08:00', { data: { unitsRemedied: 300 } })
    const p1 = step('recall.progress-reported', '2025-06-01T10:00:00+08:00', { data: { unitsRemedied: 500 } })
    // Sweeps after period 2 ended (15 October 24:00): periods 1 and 2 are overdue on the notice alone.
    const first = settle(base, ms('2025-11-01T00:00:00+08:00'), EMPTY_LEDGER)
    const second = settle([...base, p2], ms('2025-11-02T00:00:00+08:00'), first.ledger)
    const third = settle([...base, p2, p1], ms('2025-11-03T00:00:00+08:00'), second.ledger)
    const all = [...first.published, ...second.published, ...third.published]
    const period2 = all.filter((d) => d.data['obligationId'] === 'R-2025-001:progress-report:2')
    expect(period2.map((d) => [d.id, d.data['generation'], d.data['reason']])).toEqual([
      ['overdue:R-2025-001:progress-report:2', 1, undefined],
      ['voided:R-2025-001:progress-report:2', 1, 'fulfilled-on-time'],
      ['overdue:R-2025-001:progress-report:2:g2', 2, undefined],
    ])
    expect(liveOverdueAt(all, NOW)).toEqual([
      `R-2025-001:progress-report:2|${new Date(Date.parse('2025-10-16T00:00:00+08:00')).toISOString()}`,
    ])
    const period1 = all.filter((d) => d.data['obligationId'] === 'R-2025-001:progress-report:1')
    expect(period1.map((d) => [d.type, d.data['generation']])).toEqual([
      ['recall.obligation-overdue', 1],
      ['recall.obligation-fulfilled', 1],
      ['recall.obligation-voided', 1],
    ])
  })
})
