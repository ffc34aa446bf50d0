/**
 * At the switch to a rebuilt collection, what was published is a fact of the live collection, not
 * something a replay can derive. The rebuild recorded everything it derived as published; a
 * deadline that passed after the live service's last sweep would then never be published, and one
 * the live service published after the rebuild derived would be sent again. So the rebuilt
 * documents take the live documents' record, and those that differ are marked due: the next sweep
 * publishes exactly what the live service had not.
 */
import type { Store } from '@ecrs/store'
import { eventKey, type Ledger } from '../recalls/domain/index.js'
import { recallErrors } from '../recalls/errors.js'
import type { CaseDoc, CaseStore, PublishedOutcome } from '../recalls/store.js'

type PublishedRecord = Pick<CaseDoc, '_id' | 'decisions' | 'outcomes' | 'ledger'>

const RECORD = { projection: { _id: 1, decisions: 1, outcomes: 1, ledger: 1 } } as const

const sameDecisions = (a: readonly string[], b: readonly string[]): boolean => {
  const set = new Set(a)
  return set.size === new Set(b).size && b.every((id) => set.has(id))
}

// Key order differs with the path a ledger took to the same content: compare field by field.
const canonical = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(canonical)
    : typeof v === 'object' && v !== null
      ? Object.fromEntries(
          Object.entries(v)
            .sort(([a], [b]) => (a < b ? -1 : 1))
            .map(([k, x]) => [k, canonical(x)]),
        )
      : v

const sameLedger = (a: Ledger | undefined, b: Ledger | undefined): boolean =>
  JSON.stringify(canonical(a ?? null)) === JSON.stringify(canonical(b ?? null))

const outcomeKey = (o: PublishedOutcome): string => `${eventKey(o)}=${o.status}/${o.reason ?? ''}`

const sameOutcomes = (a: readonly PublishedOutcome[], b: readonly PublishedOutcome[]): boolean =>
  sameDecisions(a.map(outcomeKey), b.map(outcomeKey))

/**
 * Copies the published record of each case from `live` into `rebuilt` (the collection `to` read
 * through its CaseStore); a case whose record changes gets `nextChangeAt = now`. Idempotent while
 * `rebuilt` is not yet live: run it with the consumer stopped and no sweep running. Answers the
 * number of cases whose record changed.
 */
export const handOver = async (
  store: Store,
  live: string,
  to: { name: string; cases: CaseStore },
  now: Date,
): Promise<number> => {
  const before = new Map<string, PublishedRecord>()
  for await (const d of store.db.collection<CaseDoc>(live).find<PublishedRecord>({}, RECORD))
    before.set(d._id, d)
  const differing: string[] = []
  for await (const d of store.db.collection<CaseDoc>(to.name).find<PublishedRecord>({}, RECORD)) {
    const l = before.get(d._id)
    if (
      !sameDecisions(d.decisions, l?.decisions ?? []) ||
      !sameOutcomes(d.outcomes, l?.outcomes ?? []) ||
      !sameLedger(d.ledger, l?.ledger)
    )
      differing.push(d._id)
  }
  for (const id of differing) {
    const doc = await to.cases.get(id)
    if (doc === null) continue
    const l = before.get(id)
    const { ledger: _rebuilt, ...rest } = doc
    const handed: CaseDoc = {
      ...rest,
      version: doc.version + 1,
      decisions: l?.decisions ?? [],
      outcomes: l?.outcomes ?? [],
      ...(l?.ledger === undefined ? {} : { ledger: l.ledger }),
      nextChangeAt: now,
    }
    // Nothing else writes the rebuilt collection yet; should something, the switch is tried again.
    if (!(await to.cases.save(handed))) throw new recallErrors.CASE_CONFLICT(id)
  }
  return differing.length
}
