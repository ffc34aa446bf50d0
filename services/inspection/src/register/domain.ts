/**
 * The register (检查对象名录库, contract §9) as pure functions: change records folded into one
 * patch per enterprise, the latest inspection per agency, and who belongs to a draw's population.
 */
import { addMonthsPeriodEnd, type ChangeRecord } from '@ecrs/contracts'
import type { RiskClass } from '../draw/algorithm.js'

/** What the register keeps of an enterprise (one document, `_id` = uscc). */
export interface RegisterDoc {
  _id: string
  name?: string
  region?: string
  enterpriseKind?: string
  active?: boolean
  /** The current risk class; null until a change record names one (such an enterprise is drawn from no population). */
  riskClass?: RiskClass | null
  updatedAt?: string
  /**
   * The latest inspection by each agency, as `agency|time` (ISO): flat strings, since agency ids
   * hold dots and cannot be keys, and the draw reads this for every enterprise.
   */
  lastInspected?: string[]
}

/** The fields one batch of change records sets on an enterprise, and those set only when it is new. */
export interface RegisterPatch {
  set: Partial<Omit<RegisterDoc, '_id' | 'lastInspected'>>
  setOnInsert: Partial<Pick<RegisterDoc, 'active' | 'riskClass'>>
}

/**
 * One patch per enterprise from change records in partition order: later records overwrite
 * earlier ones, so a replay of a suffix ends in the same state. `registered` makes an enterprise
 * active and `deregistered` inactive; one first seen otherwise is active; its class is the `to`
 * of its latest `risk-class-changed`.
 */
export const foldChangeRecords = (records: readonly ChangeRecord[]): Map<string, RegisterPatch> => {
  const patches = new Map<string, RegisterPatch>()
  for (const r of records) {
    let patch = patches.get(r.uscc)
    if (patch === undefined) patches.set(r.uscc, (patch = { set: {}, setOnInsert: {} }))
    const { set } = patch
    set.name = r.name
    set.region = r.region
    set.enterpriseKind = r.enterpriseKind
    set.updatedAt = new Date(r.time).toISOString()
    for (const c of r.changes) {
      if (c.kind === 'registered') set.active = true
      else if (c.kind === 'deregistered') set.active = false
      else if (c.kind === 'risk-class-changed') set.riskClass = c.to
    }
  }
  for (const patch of patches.values()) {
    patch.setOnInsert = {
      ...(patch.set.active === undefined ? { active: true } : {}),
      ...(patch.set.riskClass === undefined ? { riskClass: null } : {}),
    }
  }
  return patches
}

const entryOf = (entry: string): { agency: string; time: string } => {
  const cut = entry.lastIndexOf('|')
  return { agency: entry.slice(0, cut), time: entry.slice(cut + 1) }
}

/** `lastInspected` with an inspection by `agency` at `time` (ISO) taken in: the latest per agency, sorted. */
export const withInspection = (
  lastInspected: readonly string[] | undefined,
  agency: string,
  time: string,
): string[] => {
  const latest = new Map<string, string>()
  for (const e of lastInspected ?? []) {
    const { agency: a, time: t } = entryOf(e)
    latest.set(a, t)
  }
  const before = latest.get(agency)
  if (before === undefined || before < time) latest.set(agency, time)
  return [...latest].map(([a, t]) => `${a}|${t}`).sort()
}

/** A draw's population filter (contract §9). */
export interface PopulationFilter {
  /** Prefix of the region code. */
  region: string
  kinds?: readonly string[] | undefined
  excludeInspectedWithinMonths: number
  /** The task's agencies: an inspection by any of them within the months excludes. */
  agencies: readonly string[]
}

/**
 * Whether an inspection at `time` still excludes at `now`: the period of `months` months from it
 * (Civil Code Arts. 201–203, contract §3) has not ended. 0 months excludes nothing.
 */
export const inspectedWithin = (time: Date, months: number, now: Date): boolean =>
  months > 0 && addMonthsPeriodEnd(time, months) > now

/** The enterprise's class when it belongs to the population at `now`, else undefined. */
export const populationClass = (doc: RegisterDoc, f: PopulationFilter, now: Date): RiskClass | undefined => {
  if (doc.active !== true || doc.riskClass === null || doc.riskClass === undefined) return undefined
  if (!(doc.region ?? '').startsWith(f.region)) return undefined
  if (f.kinds !== undefined && f.kinds.length > 0 && !f.kinds.includes(doc.enterpriseKind ?? ''))
    return undefined
  for (const e of doc.lastInspected ?? []) {
    const { agency, time } = entryOf(e)
    if (f.agencies.includes(agency) && inspectedWithin(new Date(time), f.excludeInspectedWithinMonths, now))
      return undefined
  }
  return doc.riskClass
}
