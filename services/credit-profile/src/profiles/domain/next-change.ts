/**
 * When a profile changes with time alone (contract §6: stored profiles carry `nextChangeAt` and the
 * scheduler refreshes those due). Every candidate is an instant at which, with no further event, the
 * full or the public profile would read differently.
 */
import { shanghaiDateOf } from '@ecrs/contracts'
import { dueByOf, owedYears, windowOpensAt } from './annual-reports.js'
import { publicityEnd } from './penalties.js'
import { banEndsAt } from './restrictions.js'
import { riskWindowEnds } from './risk.js'
import { premiseHolds } from './rules.js'
import type { FoldState } from './state.js'

const annualReportChanges = (s: FoldState): number[] => {
  const owed = owedYears(s)
  if (owed === undefined) return []
  const out: number[] = []
  // A new row appears when the year in progress ends and its filing window opens.
  const current = shanghaiDateOf(new Date(s.asOf)).year
  if (current >= owed.first && current <= owed.last) out.push(windowOpensAt(current))
  // An unfiled report turns overdue once its deadline has passed (the deadline itself is on time).
  for (let year = owed.first; year <= Math.min(owed.last, current - 1); year++) {
    if (!s.reports.has(year)) out.push(dueByOf(year) + 1)
  }
  return out
}

/** The earliest instant after asOf at which the profile changes with time alone, if any. */
export const nextChangeAt = (s: FoldState): number | undefined => {
  const candidates = [
    ...s.triggers.filter((t) => premiseHolds(s, t)).map((t) => t.at),
    ...[...s.penalties.values()].flatMap((p) => publicityEnd(p, s.params)?.at ?? []),
    ...[...s.serious.values()].map((l) => banEndsAt(s, l.listedAt)),
    ...riskWindowEnds(s),
    ...annualReportChanges(s),
  ].filter((at) => at > s.asOf)
  return candidates.length === 0 ? undefined : Math.min(...candidates)
}
