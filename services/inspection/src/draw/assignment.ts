/**
 * Assignment (spec "Before assigning" and "Assignment"): enterprise by enterprise in selection order,
 * for each agency in task order, the `inspectorsPerAgency` active inspectors with the smallest
 * assignment rank, leaving out those assigned to that enterprise in the agency's previous drawn task
 * (回避) and those already at the agency's load cap in this task.
 */
import type { PopulationEntry } from './population.js'
import { compareRanked, sha256hex } from './rank.js'

/** One inspector of an agency's roster. */
export interface RosterEntry {
  inspectorId: string
  active: boolean
}

/** Every agency's roster (active or not), by agency. */
export type Rosters = Readonly<Record<string, readonly RosterEntry[]>>

/**
 * Per agency, the (uscc, inspector) pairs of its previous drawn task, as `pairKey`s; an agency
 * without a previous task may be absent.
 */
export type PreviousPairs = Readonly<Record<string, ReadonlySet<string>>>

/** An inspector assigned to an enterprise. */
export interface InspectorAssignment {
  agency: string
  inspectorId: string
}

/** A selected enterprise with its inspectors: agencies in task order, then by assignment rank. */
export interface AssignedEntry extends PopulationEntry {
  inspectors: InspectorAssignment[]
}

/** The key of a previous (uscc, inspector) pair in `PreviousPairs`. */
export const pairKey = (uscc: string, inspectorId: string): string => `${uscc}\u0000${inspectorId}`

/** The `PreviousPairs` entry of one agency from its previous task's pairs (as in the draw record). */
export const pairKeys = (pairs: Iterable<{ uscc: string; inspectorId: string }>): ReadonlySet<string> => {
  const keys = new Set<string>()
  for (const { uscc, inspectorId } of pairs) keys.add(pairKey(uscc, inspectorId))
  return keys
}

/** NOT_ENOUGH_INSPECTORS: an agency's active roster is smaller than p, or an enterprise ran out of candidates. */
export class NotEnoughInspectorsError extends Error {
  readonly code = 'NOT_ENOUGH_INSPECTORS'
  readonly agency: string
  /** The enterprise that ran out of candidates; absent when the roster itself is too small. */
  readonly uscc?: string

  constructor(agency: string, uscc?: string) {
    super(
      uscc === undefined
        ? `agency ${agency} has fewer active inspectors than inspectorsPerAgency`
        : `agency ${agency} has fewer than inspectorsPerAgency candidate inspectors for ${uscc}`,
    )
    this.name = 'NotEnoughInspectorsError'
    this.agency = agency
    if (uscc !== undefined) this.uscc = uscc
  }
}

const activeIds = (roster: readonly RosterEntry[] | undefined): string[] =>
  (roster ?? []).filter((i) => i.active).map((i) => i.inspectorId)

/**
 * Checks what the spec checks before any assignment, even when nothing is selected: p is a whole
 * number ≥ 1 and every agency of the task has at least p active inspectors (else
 * `NotEnoughInspectorsError`, the first such agency in task order). Also rejects a repeated agency
 * or a repeated inspector in a roster, which would assign someone twice.
 */
export const checkRosters = (
  agencies: readonly string[],
  rosters: Rosters,
  inspectorsPerAgency: number,
): void => {
  if (!Number.isSafeInteger(inspectorsPerAgency) || inspectorsPerAgency < 1)
    throw new RangeError(`inspectorsPerAgency ${inspectorsPerAgency} is not a whole number ≥ 1`)
  if (new Set(agencies).size !== agencies.length) throw new Error('the task lists an agency twice')
  for (const agency of agencies) {
    const ids = activeIds(rosters[agency])
    if (new Set(ids).size !== ids.length) throw new Error(`agency ${agency} lists an inspector twice`)
    if (ids.length < inspectorsPerAgency) throw new NotEnoughInspectorsError(agency)
  }
}

/** One agency's state during an assignment. */
export interface AgencyPool {
  agency: string
  ids: string[]
  loads: number[]
  cap: number
  /** Previous inspectors by uscc. */
  avoid: Map<string, Set<string>>
}

const avoidIndex = (keys: ReadonlySet<string> | undefined): Map<string, Set<string>> => {
  const byUscc = new Map<string, Set<string>>()
  for (const key of keys ?? []) {
    const cut = key.indexOf('\u0000')
    if (cut < 0) throw new Error(`previous pair "${key}" is not a pairKey`)
    const uscc = key.slice(0, cut)
    let ids = byUscc.get(uscc)
    if (ids === undefined) byUscc.set(uscc, (ids = new Set()))
    ids.add(key.slice(cut + 1))
  }
  return byUscc
}

const agencyPool = (
  agency: string,
  roster: readonly RosterEntry[] | undefined,
  previous: ReadonlySet<string> | undefined,
  selectedCount: number,
  p: number,
): AgencyPool => {
  const ids = activeIds(roster)
  const size = ids.length
  return {
    agency,
    ids,
    loads: ids.map(() => 0),
    cap: Math.floor((selectedCount * p + size - 1) / size),
    avoid: avoidIndex(previous),
  }
}

/** Every agency's pool, in task order, for an assignment of `selectedCount` enterprises. */
export const agencyPools = (
  agencies: readonly string[],
  rosters: Rosters,
  previousPairs: PreviousPairs,
  selectedCount: number,
  p: number,
): AgencyPool[] => agencies.map((a) => agencyPool(a, rosters[a], previousPairs[a], selectedCount, p))

/**
 * The p best candidates of `pool` for `uscc` (by assignment rank, a tie by inspectorId), their
 * loads raised. Keeps a sorted list of at most p while ranking, so nothing is sorted whole.
 */
const pick = (pool: AgencyPool, uscc: string, seed: string, p: number): InspectorAssignment[] => {
  const { agency, ids, loads, cap } = pool
  const avoid = pool.avoid.get(uscc)
  const prefix = `${seed}:${uscc}:${agency}:`
  const ranks: string[] = []
  const best: number[] = []
  let candidates = 0
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!
    if (loads[i]! >= cap || avoid?.has(id) === true) continue
    candidates++
    const rank = sha256hex(prefix + id)
    let at = ranks.length
    while (at > 0 && compareRanked(rank, id, ranks[at - 1]!, ids[best[at - 1]!]!) < 0) at--
    if (at >= p) continue
    ranks.splice(at, 0, rank)
    best.splice(at, 0, i)
    if (ranks.length > p) {
      ranks.pop()
      best.pop()
    }
  }
  if (candidates < p) throw new NotEnoughInspectorsError(agency, uscc)
  return best.map((i) => {
    loads[i]!++
    return { agency, inspectorId: ids[i]! }
  })
}

/** What `assignInspectors` needs. */
export interface AssignmentInput {
  /** The selected enterprises in selection order. */
  selected: readonly PopulationEntry[]
  agencies: readonly string[]
  rosters: Rosters
  previousPairs: PreviousPairs
  inspectorsPerAgency: number
  seed: string
}

/**
 * The selected enterprises, in the same order, each with its inspectors; throws
 * `NotEnoughInspectorsError` as the spec says (a roster smaller than p, or an enterprise left with
 * fewer than p candidates).
 */
export const assignInspectors = ({
  selected,
  agencies,
  rosters,
  previousPairs,
  inspectorsPerAgency: p,
  seed,
}: AssignmentInput): AssignedEntry[] => {
  checkRosters(agencies, rosters, p)
  const pools = agencyPools(agencies, rosters, previousPairs, selected.length, p)
  return selected.map(({ uscc, name, riskClass }) => ({
    uscc,
    name,
    riskClass,
    inspectors: pools.flatMap((pool) => pick(pool, uscc, seed, p)),
  }))
}
