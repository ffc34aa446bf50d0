/**
 * Risk model v1 (contract §6): factors, score and class A–D. Weights, caps and windows come from the
 * parameters; `modelVersion` names them.
 *
 * "In the last N years" counts an event at T while asOf is before the end of the N-year Civil-Code
 * period that starts at T (24:00 +08:00 of the corresponding date): a decision exactly three years
 * before asOf still counts, and stops counting at the end of that day.
 */
import { addYearsPeriodEnd } from '@ecrs/contracts'
import { onTimeFor } from './annual-reports.js'
import { ANNUAL_REPORT_REASON } from './listings.js'
import type { RiskParams } from './params.js'
import { HEAVY_MEASURES, heaviestMeasure } from './penalties.js'
import { overdueObligations } from './recalls.js'
import type { FoldState } from './state.js'
import type { EventRef, RiskFactor, RiskView } from './types.js'

const BENIGN_RESULTS: ReadonlySet<string> = new Set([
  'no-problem',
  'no-relevant-business',
  'problem-corrected',
])

/** The order factors are reported in. */
export const FACTOR_CODES = [
  'serious-list-active',
  'abnormal-list-active',
  'penalty-heavy',
  'penalty',
  'inspection-failed',
  'recall-obligation-overdue',
  'recall-ordered',
  'annual-report-late',
] as const

/** One counted unit of a factor; `windowEnd` is when it slides out of its window. */
interface Unit {
  readonly code: (typeof FACTOR_CODES)[number]
  readonly points: number
  readonly ref: EventRef
  readonly windowEnd?: number
}

const windowEnd = (at: number, years: number): number => addYearsPeriodEnd(new Date(at), years).getTime()

const penaltyUnits = (s: FoldState): Unit[] => {
  const r = s.params.risk
  return [...s.penalties.values()].flatMap((p): Unit[] => {
    const end = windowEnd(p.decidedAt, r.penaltyWindowYears)
    if (p.revokedAt !== undefined || end <= s.asOf) return []
    if (p.aggravated || p.measures.some((m) => HEAVY_MEASURES.has(m))) {
      return [{ code: 'penalty-heavy', points: r.penaltyHeavy, ref: p.ref, windowEnd: end }]
    }
    if (heaviestMeasure(p.measures) === 'warning') return []
    return [{ code: 'penalty', points: r.penalty, ref: p.ref, windowEnd: end }]
  })
}

const otherUnits = (s: FoldState): Unit[] => {
  const r = s.params.risk
  const units: Unit[] = []
  for (const i of s.inspections.values()) {
    const end = windowEnd(i.inspectedAt, r.inspectionWindowYears)
    if (end <= s.asOf || i.results.every((x) => BENIGN_RESULTS.has(x))) continue
    const points = i.results.includes('non-cooperation') ? r.inspectionNonCooperation : r.inspectionFailed
    units.push({ code: 'inspection-failed', points, ref: i.ref, windowEnd: end })
  }
  for (const o of overdueObligations(s))
    units.push({ code: 'recall-obligation-overdue', points: r.recallObligationOverdue, ref: o.overdue })
  for (const c of s.recalls.values()) {
    if (c.orderedAt === undefined || c.orderedRef === undefined) continue
    const end = windowEnd(c.orderedAt, r.recallOrderedWindowYears)
    if (end > s.asOf)
      units.push({ code: 'recall-ordered', points: r.recallOrdered, ref: c.orderedRef, windowEnd: end })
  }
  for (const report of s.reports.values()) {
    const first = report.versions[0]
    if (first === undefined || onTimeFor(report.year, first.filedAt)) continue
    const end = windowEnd(first.filedAt, r.annualReportLateWindowYears)
    const listed = [...s.abnormal.values()].some(
      (l) => l.reason === ANNUAL_REPORT_REASON && l.year === report.year && l.removedAt === undefined,
    )
    if (end > s.asOf && !listed) {
      units.push({ code: 'annual-report-late', points: r.annualReportLate, ref: first.ref, windowEnd: end })
    }
  }
  return units
}

const listingUnits = (s: FoldState): Unit[] => {
  const r = s.params.risk
  const serious = [...s.serious.values()].filter((l) => l.removedAt === undefined)
  const abnormal = [...s.abnormal.values()].filter((l) => l.removedAt === undefined)
  const units: Unit[] = serious.map((l) => ({ code: 'serious-list-active', points: 0, ref: l.ref }))
  // 30 for the first, 10 for each further, at most 50: the cap is applied to the factor's total.
  abnormal.forEach((l, n) => {
    units.push({
      code: 'abnormal-list-active',
      points: n === 0 ? r.abnormalFirst : r.abnormalFurther,
      ref: l.ref,
    })
  })
  return units
}

const units = (s: FoldState): Unit[] => [...listingUnits(s), ...penaltyUnits(s), ...otherUnits(s)]

/** When each counted unit leaves its window, for the next change. */
export const riskWindowEnds = (s: FoldState): number[] =>
  units(s).flatMap((u) => (u.windowEnd === undefined ? [] : [u.windowEnd]))

/** The risk class at asOf. */
export const riskAt = (s: FoldState): RiskView => {
  const r = s.params.risk
  const all = units(s)
  const factors: RiskFactor[] = []
  for (const code of FACTOR_CODES) {
    const mine = all.filter((u) => u.code === code)
    if (mine.length === 0) continue
    const sum = mine.reduce((total, u) => total + u.points, 0)
    const points = code === 'abnormal-list-active' ? Math.min(sum, r.abnormalMax) : sum
    factors.push({ code, points, because: mine.map((u) => u.ref) })
  }
  const score = factors.reduce((total, f) => total + f.points, 0)
  const seriousActive = factors.some((f) => f.code === 'serious-list-active')
  return { class: classOf(score, seriousActive, r), score, modelVersion: s.params.modelVersion, factors }
}

/** The class of a score: D from the D threshold or with a serious listing active, then C, B, A. */
export const classOf = (score: number, seriousActive: boolean, r: RiskParams): RiskView['class'] =>
  seriousActive || score >= r.classFrom.D
    ? 'D'
    : score >= r.classFrom.C
      ? 'C'
      : score >= r.classFrom.B
        ? 'B'
        : 'A'
