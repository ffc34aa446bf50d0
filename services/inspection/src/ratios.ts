/**
 * `INSPECTION_RATIOS` (contract §9): the default share of each risk class a task draws, as
 * `A=0.01,B=0.03,C=0.1,D=0.3`. Every class once, each a number from 0 to 1.
 */
import type { RiskClass } from './draw/algorithm.js'

/** A ratio per risk class. */
export type Ratios = Readonly<Record<RiskClass, number>>

const CLASSES: readonly RiskClass[] = ['A', 'B', 'C', 'D']
const NUMBER = /^(?:\d+(?:\.\d*)?|\.\d+)$/

/** The ratios of an `INSPECTION_RATIOS` text; throws an Error naming the first problem. */
export const parseRatios = (text: string): Ratios => {
  const found: Partial<Record<RiskClass, number>> = {}
  const parts = text.split(',').map((p) => p.trim())
  for (const part of parts) {
    const eq = part.indexOf('=')
    if (eq < 0) throw new Error(`INSPECTION_RATIOS: "${part}" is not CLASS=ratio`)
    const cls = part.slice(0, eq).trim()
    const value = part.slice(eq + 1).trim()
    if (!CLASSES.includes(cls as RiskClass))
      throw new Error(`INSPECTION_RATIOS: unknown class "${cls}" (classes are A, B, C, D)`)
    if (found[cls as RiskClass] !== undefined)
      throw new Error(`INSPECTION_RATIOS: class ${cls} is given twice`)
    const ratio = Number(value)
    if (!NUMBER.test(value) || !Number.isFinite(ratio) || ratio < 0 || ratio > 1)
      throw new Error(`INSPECTION_RATIOS: ${cls}=${value} is not a number from 0 to 1`)
    found[cls as RiskClass] = ratio
  }
  const missing = CLASSES.filter((c) => found[c] === undefined)
  if (missing.length > 0) throw new Error(`INSPECTION_RATIOS: class ${missing.join(', ')} missing`)
  return Object.freeze(found as Record<RiskClass, number>)
}
