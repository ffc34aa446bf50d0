/**
 * Selection (spec "Quota" and "Selection per class"): in each class the `quota` entries with the
 * smallest selection rank, listed class A to D, then by rank. One pass keeps, per class, a max-heap
 * of the best `quota` seen so far: O(n log k) time and O(k) memory for n entries.
 */
import { maxHeap, type MaxHeap } from './max-heap.js'
import {
  forEachEntry,
  isRiskClass,
  RISK_CLASSES,
  type ClassCounts,
  type PopulationEntry,
  type PopulationSource,
  type RiskClass,
} from './population.js'
import { compareRanked, sha256hex } from './rank.js'

/**
 * The quota of a class of `n` entries at `ratio` (0..1): the exact ceiling of `ratio × n` with the
 * ratio rounded to 6 decimals, never a float ceiling (0.1 × 30 is 3, not 4), at most `n`.
 */
export const quota = (ratio: number, n: number): number => {
  if (!(ratio >= 0 && ratio <= 1)) throw new RangeError(`ratio ${ratio} is not in 0..1`)
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`class size ${n} is not a count`)
  const r = Math.round(ratio * 1_000_000)
  return Math.min(Math.floor((r * n + 999_999) / 1_000_000), n)
}

/** The quota of every class, from the task's ratios and the population counts. */
export const quotas = (ratios: Readonly<Record<RiskClass, number>>, counts: ClassCounts): ClassCounts => ({
  A: quota(ratios.A, counts.A),
  B: quota(ratios.B, counts.B),
  C: quota(ratios.C, counts.C),
  D: quota(ratios.D, counts.D),
})

interface Ranked {
  rank: string
  entry: PopulationEntry
}

// Copies only what is kept: a source's entries may carry more than the three fields.
const ranked = (rank: string, { uscc, name, riskClass }: PopulationEntry): Ranked => ({
  rank,
  entry: { uscc, name, riskClass },
})

const byRank = (a: Ranked, b: Ranked): number => compareRanked(a.rank, a.entry.uscc, b.rank, b.entry.uscc)

// The first 52 bits of a rank, exactly, as the heap's key: ordered as the ranks' prefixes are, so the
// heap orders by key and only on equal keys by `byRank`.
const rankKey = (rank: string): number => parseInt(rank.slice(0, 13), 16)

/** A one-pass selector: `offer` every entry (any order), then read `selected()` once. */
export interface TopSelector {
  readonly offer: (entry: PopulationEntry) => void
  /** The selected entries, class A to D, then by selection rank. */
  readonly selected: () => PopulationEntry[]
}

/** A selector of the `quotas[c]` lowest-ranked entries of each class `c`. */
export const topSelector = (
  quotas: Readonly<Record<RiskClass, number>>,
  seed: string,
  taskId: string,
): TopSelector => {
  const heaps = {} as Record<RiskClass, MaxHeap<Ranked>>
  for (const c of RISK_CLASSES) {
    const k = quotas[c]
    if (!Number.isSafeInteger(k) || k < 0) throw new RangeError(`quota ${k} of class ${c} is not a count`)
    heaps[c] = maxHeap(k, byRank)
  }
  const prefix = `${seed}:${taskId}:`

  const offer = (entry: PopulationEntry): void => {
    const { uscc, riskClass } = entry
    if (!isRiskClass(riskClass)) throw new Error(`population: ${uscc} has no risk class A–D`)
    const k = quotas[riskClass]
    if (k === 0) return // no rank needed: nothing of this class is selected
    const heap = heaps[riskClass]
    const rank = sha256hex(prefix + uscc)
    if (heap.size() < k) return heap.push(rankKey(rank), ranked(rank, entry))
    const worst = heap.peek()!
    if (compareRanked(rank, uscc, worst.rank, worst.entry.uscc) < 0)
      heap.replaceTop(rankKey(rank), ranked(rank, entry))
  }

  const selected = (): PopulationEntry[] =>
    RISK_CLASSES.flatMap((c) => heaps[c].drainAscending().map((r) => r.entry))

  return { offer, selected }
}

/**
 * The selected entries of a population in spec order (class A to D, then by selection rank), in one
 * pass that holds only the selected ones.
 */
export const selectTop = async (
  entries: PopulationSource,
  quotas: Readonly<Record<RiskClass, number>>,
  seed: string,
  taskId: string,
): Promise<PopulationEntry[]> => {
  const selector = topSelector(quotas, seed, taskId)
  await forEachEntry(entries, selector.offer)
  return selector.selected()
}
