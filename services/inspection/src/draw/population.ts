/**
 * The frozen population of a draw and its digest (spec "Population"): the counts per risk class and
 * `populationHash = sha256hex(lines.sort().join("\n"))` with lines `${uscc}:${class}`, computed in one
 * streaming pass over entries that arrive already sorted, so a population of millions is never held.
 */
import { createHash } from 'node:crypto'

/** A risk class, A to D. */
export type RiskClass = 'A' | 'B' | 'C' | 'D'

/** The risk classes in draw order. */
export const RISK_CLASSES: readonly RiskClass[] = ['A', 'B', 'C', 'D']

/** One enterprise of the frozen population, with its class at draw time. */
export interface PopulationEntry {
  uscc: string
  name: string
  riskClass: RiskClass
}

/** A number per risk class. */
export type ClassCounts = Record<RiskClass, number>

/** The population, synchronous (tests, small inputs) or streamed (a store cursor). */
export type PopulationSource = AsyncIterable<PopulationEntry> | Iterable<PopulationEntry>

/** An accumulator of `populationHash` and the class counts over sorted entries. */
export interface PopulationDigest {
  /** Adds the next entry; throws unless its line sorts strictly after the previous one. */
  readonly add: (entry: PopulationEntry) => void
  /** The counts so far (a copy). */
  readonly counts: () => ClassCounts
  /** The hex `populationHash`; ends the digest (a later `add` throws). */
  readonly hash: () => string
}

/** Zero per class. */
export const zeroCounts = (): ClassCounts => ({ A: 0, B: 0, C: 0, D: 0 })

/** Whether `c` is one of A–D. */
export const isRiskClass = (c: unknown): c is RiskClass => c === 'A' || c === 'B' || c === 'C' || c === 'D'

// Lines are handed to the native hash in chunks of about this many UTF-16 units: one native call per
// line costs more than the hashing itself.
const CHUNK = 1 << 15

/**
 * A streaming `populationHash` and counts. The spec sorts the *lines*; this takes them in that order
 * and checks it instead of sorting, so it needs no memory but the previous line. For USCCs of one
 * length (18 characters, as validated USCCs are) line order is uscc order, which is how a store hands
 * them out; with USCCs of mixed lengths the two can differ (`"AB0:A" < "AB:A"` since `'0' < ':'`), and
 * this throws rather than hash a different order than the spec's. A uscc may not contain `:` or a
 * line break, so that lines are unambiguous and a repeated uscc always arrives next to itself.
 */
export const populationDigest = (): PopulationDigest => {
  const hasher = createHash('sha256')
  const counts = zeroCounts()
  let previousUscc: string | undefined
  let previousClass: RiskClass = 'A'
  let pending = ''
  let result: string | undefined

  const checkOrder = (uscc: string, riskClass: RiskClass, before: string): void => {
    if (uscc === before) throw new Error(`population: duplicate uscc ${uscc}`)
    // Distinct usccs of equal length differ before the ':', so their lines order as they do.
    const ascending =
      uscc.length === before.length ? uscc > before : `${uscc}:${riskClass}` > `${before}:${previousClass}`
    if (!ascending) throw new Error(`population: ${uscc} out of order after ${before}`)
  }

  const add = (entry: PopulationEntry): void => {
    if (result !== undefined) throw new Error('population digest already ended')
    const { uscc, riskClass } = entry
    if (!isRiskClass(riskClass)) throw new Error(`population: ${uscc} has no risk class A–D`)
    if (uscc.length === 0 || uscc.includes(':') || uscc.includes('\n'))
      throw new Error(`population: invalid uscc "${uscc}"`)
    if (previousUscc !== undefined) {
      checkOrder(uscc, riskClass, previousUscc)
      pending += '\n'
    }
    pending += `${uscc}:${riskClass}`
    if (pending.length >= CHUNK) {
      hasher.update(pending)
      pending = ''
    }
    previousUscc = uscc
    previousClass = riskClass
    counts[riskClass]++
  }

  const hash = (): string => {
    if (result === undefined) {
      hasher.update(pending)
      pending = ''
      result = hasher.digest('hex')
    }
    return result
  }

  return { add, counts: () => ({ ...counts }), hash }
}

/** Calls `fn` on each entry, without the per-item promise of `for await` on a synchronous source. */
export const forEachEntry = async (
  entries: PopulationSource,
  fn: (entry: PopulationEntry) => void,
): Promise<void> => {
  if (Symbol.asyncIterator in entries) {
    for await (const entry of entries) fn(entry)
  } else {
    for (const entry of entries) fn(entry)
  }
}
