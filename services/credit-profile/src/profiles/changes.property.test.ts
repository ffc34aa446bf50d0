/**
 * The change records of the projection (contract §8) whatever the batching: a generated history
 * (the one of arrival-order.property.test.ts) arrives in a shuffled order, cut into random batches,
 * with rule runs, duplicate deliveries of earlier batches and crashes between publishing and
 * writing. Then
 * (a) a batch delivered again adds no change that a refresh by time alone at that instant would not
 *     (none at all at the same instant), and a crashed attempt retried publishes the same ids;
 * (b) a refresh right after a write, at the same instant, publishes nothing;
 * (c) folding the published changes, each change id once (as `notify` keeps them), gives the final
 *     profile's current facts: status, active listings, restrictions and their terms, risk class,
 *     publicly published penalties, overdue obligations — no change is lost.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fromChangeRecord, type Change, type ChangeRecord } from '@ecrs/contracts'
import { propertyRuns, type NamedEvent } from '@ecrs/testkit/histories'
import type { FullProfile, ObligationFact } from './domain/index.js'
import { emptyDoc, reproject, type Projection } from './project.js'
import type { EnterpriseDoc, StoredEvent } from './store.js'
import {
  DAY,
  UNTIL,
  USCC,
  arrivalOrder,
  ms,
  projectWithDecisions,
  scenario,
  stored,
  topics,
} from './testing/arrivals.js'
import { defaultProfileParams } from './domain/index.js'

const batched = scenario.chain((s) => {
  const n = arrivalOrder(s).arrivals.length
  const perArrival = <T>(arb: fc.Arbitrary<T>) => fc.array(arb, { minLength: n, maxLength: n })
  return fc.record({
    s: fc.constant(s),
    /** Cut a batch after this arrival. */
    cuts: perArrival(fc.boolean()),
    /** After a batch: deliver an earlier one again, so many days later (0: at once). */
    replays: perArrival(
      fc.option(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 30 })), { nil: undefined, freq: 3 }),
    ),
    /** A batch whose first attempt is published but not written (a crash): delivered again. */
    crashes: perArrival(fc.boolean()),
  })
})

const records = (projections: readonly Projection[]): ChangeRecord[] =>
  projections.flatMap((p) =>
    p.changes.map((r) => {
      expect(r.topic).toBe(topics.changes)
      expect(r.key).toBe(USCC)
      const record = fromChangeRecord(r.value)
      expect(record, String(r.value)).toBeDefined()
      return record as ChangeRecord
    }),
  )
const idsOf = (projections: readonly Projection[]): string[] =>
  records(projections).flatMap((r) => r.changeIds)

/** What a subscriber knows from the feed: the current facts, folded in feed order. */
interface Current {
  status?: string
  abnormal: Set<string>
  serious: Set<string>
  restrictions: Map<string, { since: string; until?: string }>
  risk?: string
  publicPenalties: Map<string, string>
  overdue: Set<string>
  recalls: Set<string>
}

const emptyCurrent = (): Current => ({
  abnormal: new Set(),
  serious: new Set(),
  restrictions: new Map(),
  publicPenalties: new Map(),
  overdue: new Set(),
  recalls: new Set(),
})

const fold = (into: Current, c: Change): void => {
  switch (c.kind) {
    case 'registered':
      into.status = 'active'
      return
    case 'deregistered':
      into.status = 'deregistered'
      return
    case 'abnormal-listed':
      into.abnormal.add(c.listingId)
      return
    case 'abnormal-removed':
      into.abnormal.delete(c.listingId)
      return
    case 'serious-listed':
      into.serious.add(c.listingId)
      return
    case 'serious-removed':
      into.serious.delete(c.listingId)
      return
    case 'restriction-started':
      into.restrictions.set(c.measure, {
        since: c.since,
        ...(c.until === undefined ? {} : { until: c.until }),
      })
      return
    case 'restriction-ended':
      into.restrictions.delete(c.measure)
      return
    case 'risk-class-changed':
      into.risk = c.to
      return
    case 'penalty-published':
      into.publicPenalties.set(c.decisionNo, c.until)
      return
    case 'penalty-publicity-ended':
      into.publicPenalties.delete(c.decisionNo)
      return
    case 'recall-published':
      into.recalls.add(c.recallId)
      return
    case 'recall-obligation-overdue':
      into.overdue.add(`${c.recallId}/${c.obligationId}`)
      return
    case 'recall-obligation-settled':
      into.overdue.delete(`${c.recallId}/${c.obligationId}`)
      return
  }
}

/** The same facts read from a profile: a measure's terms are the union of its rows. */
const currentOf = (p: FullProfile, overdue: readonly ObligationFact[]): Omit<Current, 'recalls'> => {
  const restrictions = new Map<string, { since: string; until?: string }>()
  for (const r of p.restrictions) {
    const t = restrictions.get(r.measure)
    const since = t === undefined || ms(r.since) < ms(t.since) ? r.since : t.since
    const untils = [t === undefined ? r.until : t.until, r.until]
    const until = untils.every((u) => u !== undefined)
      ? untils.reduce((a, b) => (ms(b) > ms(a) ? b : a))
      : undefined
    restrictions.set(r.measure, { since, ...(until === undefined ? {} : { until }) })
  }
  return {
    status: p.status,
    abnormal: new Set(p.abnormalListings.filter((l) => l.active).map((l) => l.listingId)),
    serious: new Set(p.seriousListings.filter((l) => l.active).map((l) => l.listingId)),
    restrictions,
    risk: p.risk.class,
    publicPenalties: new Map(
      p.penalties.flatMap((x) =>
        x.publicity.published && !x.publicity.ended && x.publicity.until !== undefined
          ? [[x.decisionNo, x.publicity.until] as const]
          : [],
      ),
    ),
    overdue: new Set(overdue.map((o) => `${o.recallId}/${o.obligationId}`)),
  }
}

describe('change records whatever the batching (property)', () => {
  it('duplicates add nothing, a refresh after a write publishes nothing, and no change is lost', () => {
    fc.assert(
      fc.property(batched, ({ s, cuts, replays, crashes }) => {
        const { arrivals } = arrivalOrder(s)
        const feed: ChangeRecord[] = []
        const published = new Set<string>()
        let now = 0
        let doc: EnterpriseDoc = emptyDoc(USCC, new Date(0))
        const publish = (projections: readonly Projection[]): void => {
          for (const r of records(projections)) {
            // A change takes effect by the time it is seen, never later.
            expect(ms(r.time)).toBeLessThanOrEqual(now)
            feed.push(r)
            for (const id of r.changeIds) published.add(id)
          }
        }
        const commit = (fresh: readonly StoredEvent[]): void => {
          const c = projectWithDecisions(doc, fresh, now)
          publish(c.projections)
          doc = c.doc
          // (b) Right after the write, at the same instant: nothing.
          expect(reproject(doc, [], new Date(now), defaultProfileParams, topics).changes).toEqual([])
        }

        const batches: StoredEvent[][] = []
        let pending: NamedEvent[] = []
        let b = 0
        arrivals.forEach((e, k) => {
          pending.push(e)
          if (cuts[k] !== true && k < arrivals.length - 1) return
          // Nothing arrives before it happened.
          now = Math.max(now, ...pending.map((x) => ms(x.time))) + (s.delays[b] ?? 0) * DAY
          const fresh = pending.map((x) => stored(x, now))
          pending = []
          if (crashes[k] === true) {
            // Published, then the process died before the write: the batch comes again.
            const lost = reproject(doc, fresh, new Date(now), defaultProfileParams, topics)
            publish([lost])
            const retry = reproject(doc, fresh, new Date(now), defaultProfileParams, topics)
            expect(idsOf([retry])).toEqual(idsOf([lost]))
          }
          commit(fresh)
          const replay = replays[k]
          const again = replay === undefined ? undefined : batches[replay[0] % Math.max(1, batches.length)]
          if (replay !== undefined && again !== undefined) {
            // (a) A duplicate delivery, perhaps later: only what time alone brings by then.
            now += replay[1] * DAY
            const refresh = reproject(doc, [], new Date(now), defaultProfileParams, topics)
            const dup = reproject(doc, again, new Date(now), defaultProfileParams, topics)
            expect(idsOf([dup])).toEqual(idsOf([refresh]))
            if (replay[1] === 0) expect(dup.changes).toEqual([])
            publish([dup])
            doc = dup.doc
          }
          batches.push(fresh)
          if (s.runs[b++] === true) {
            now += DAY
            commit([])
          }
        })
        now = Math.max(now, UNTIL.getTime()) + DAY
        commit([])

        // (c) Each change id once, in feed order.
        const seen = new Set<string>()
        const current = emptyCurrent()
        for (const r of feed) {
          r.changes.forEach((c, i) => {
            const id = r.changeIds[i] ?? ''
            if (seen.has(id)) return
            seen.add(id)
            fold(current, c)
          })
        }
        const p = doc.profile
        if (p === undefined) {
          expect(feed).toEqual([])
          return
        }
        const { recalls, ...facts } = current
        expect(facts).toEqual(currentOf(p, doc.overdue ?? []))
        for (const r of p.recalls) if (r.published) expect(recalls).toContain(r.recallId)
      }),
      propertyRuns(40),
    )
  })
})
