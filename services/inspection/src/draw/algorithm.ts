/**
 * The random-inspection draw (contract §9, draw spec v1) as pure functions: given the task, the
 * revealed seed, the frozen population, the rosters and the previous pairs, the `populationHash`,
 * the class counts and the selected enterprises with their inspectors. The population is read twice
 * as a stream (counts and hash, then selection with the quotas from the counts), so a population of
 * a million enterprises is drawn holding only the selected ones.
 */
import {
  assignInspectors,
  checkRosters,
  type AssignedEntry,
  type PreviousPairs,
  type Rosters,
} from './assignment.js'
import {
  forEachEntry,
  populationDigest,
  zeroCounts,
  type ClassCounts,
  type PopulationSource,
  type RiskClass,
} from './population.js'
import { assignInspectorsParallel } from './parallel.js'
import { quotas, topSelector } from './selection.js'

export {
  assignInspectors,
  checkRosters,
  NotEnoughInspectorsError,
  pairKey,
  pairKeys,
  type AssignedEntry,
  type AssignmentInput,
  type InspectorAssignment,
  type PreviousPairs,
  type RosterEntry,
  type Rosters,
} from './assignment.js'
export {
  forEachEntry,
  populationDigest,
  RISK_CLASSES,
  zeroCounts,
  type ClassCounts,
  type PopulationDigest,
  type PopulationEntry,
  type PopulationSource,
  type RiskClass,
} from './population.js'
export { assignInspectorsParallel } from './parallel.js'
export { assignmentRank, selectionRank, sha256hex } from './rank.js'
export { quota, quotas, selectTop, topSelector, type TopSelector } from './selection.js'

/** The parts of an inspection task the draw reads. */
export interface DrawTask {
  taskId: string
  agencies: readonly string[]
  ratios: Readonly<Record<RiskClass, number>>
  inspectorsPerAgency: number
}

/** What a draw needs. */
export interface DrawInput {
  task: DrawTask
  seed: string
  /**
   * The frozen population, sorted by uscc (line order, see `populationDigest`); called twice, and
   * both passes must yield the same entries.
   */
  population: () => PopulationSource
  rosters: Rosters
  previousPairs: PreviousPairs
  /**
   * Worker threads for the assignment ranks (default 0: none). They are used only when at least
   * `parallelFrom` enterprises are selected (default 2000: below that starting them costs more).
   */
  threads?: number
  parallelFrom?: number
  /** Enterprises per message to a worker (default 512; tests make it small). */
  parallelChunk?: number
}

/** The draw's result, as in the draw record's `result`. */
export interface DrawResult {
  populationHash: string
  population: ClassCounts
  selected: AssignedEntry[]
}

/**
 * Draws: checks the rosters (`NotEnoughInspectorsError` even when nothing would be selected) and the
 * ratios before reading the population; pass 1 computes its hash and counts, pass 2 selects with the
 * quotas from those counts and hashes again, so a population that changed between the passes throws
 * instead of giving a result that matches neither; then assigns the inspectors.
 */
export const draw = async ({
  task,
  seed,
  population,
  rosters,
  previousPairs,
  threads = 0,
  parallelFrom = 2000,
  parallelChunk,
}: DrawInput): Promise<DrawResult> => {
  const { taskId, agencies, ratios, inspectorsPerAgency } = task
  checkRosters(agencies, rosters, inspectorsPerAgency)
  quotas(ratios, zeroCounts()) // throws on a ratio outside 0..1 before any reading

  const frozen = populationDigest()
  await forEachEntry(population(), frozen.add)
  const counts = frozen.counts()
  const populationHash = frozen.hash()

  const selector = topSelector(quotas(ratios, counts), seed, taskId)
  const again = populationDigest()
  await forEachEntry(population(), (entry) => {
    again.add(entry)
    selector.offer(entry)
  })
  if (again.hash() !== populationHash) throw new Error('the population changed between the two passes')

  const assignment = {
    selected: selector.selected(),
    agencies,
    rosters,
    previousPairs,
    inspectorsPerAgency,
    seed,
  }
  const selected =
    threads > 0 && assignment.selected.length >= parallelFrom
      ? await assignInspectorsParallel(assignment, threads, parallelChunk)
      : assignInspectors(assignment)
  return { populationHash, population: counts, selected }
}
