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
import { propertyRuns, type NamedEvent } from '@ecrs/testkit/histories'
import { defaultProfileParams, derive } from './domain/index.js'
import { emptyDoc } from './project.js'
import { toHistory, type EnterpriseDoc } from './store.js'
import { DAY, UNTIL, USCC, arrivalOrder, ms, project, scenario, stored } from './testing/arrivals.js'

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

describe('credit profiles whatever the arrival order (property)', () => {
  it('one by one in any order, with rule runs and recall corrections between, equals all at once', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { arrivals, recallOnce } = arrivalOrder(s)
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
        for (const e of arrivals) arrive(e)
        const end = Math.max(now, UNTIL.getTime()) + DAY
        doc = project(doc, [], end)

        let once = emptyDoc(USCC, new Date(0))
        once = project(
          once,
          [...s.events, ...recallOnce].map((e) => stored(e, end)),
          end,
        )
        expect(finalView(doc, end)).toEqual(finalView(once, end))
      }),
      propertyRuns(60),
    )
  })
})
