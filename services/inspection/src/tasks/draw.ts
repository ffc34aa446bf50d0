/**
 * A task's draw (contract §9) around the pure draw: the claim that keeps a second attempt out, the
 * population read once from the register in uscc order and frozen into chunk documents as it
 * streams (the second pass reads the chunks, so both passes see the same population whatever the
 * register does meanwhile), the rosters and previous pairs, then the task marked drawn.
 */
import { randomUUID } from 'node:crypto'
import {
  draw,
  NotEnoughInspectorsError,
  pairKeys,
  sha256hex,
  type PopulationEntry,
  type RiskClass,
} from '../draw/algorithm.js'
import type { RegisterStore } from '../register/store.js'
import { populationClass, type PopulationFilter } from '../register/domain.js'
import type { RosterStore } from '../rosters/store.js'
import type { PreviousTask, TaskDoc } from './domain.js'
import { taskErrors } from './errors.js'
import { CHUNK, type PopulationLine, type TaskStore } from './store.js'

export interface DrawDeps {
  tasks: TaskStore
  register: Pick<RegisterStore, 'activeInOrder'>
  rosters: Pick<RosterStore, 'ofAgency'>
  leaseMs: number
  now: () => Date
  /** Worker threads for the assignment ranks of a large draw (0: none). */
  threads?: number
}

/** The previous pairs of each agency: those of its most recently drawn task. */
const previousOf = async (tasks: TaskStore, task: TaskDoc) => {
  const previousTasks: PreviousTask[] = []
  const previousPairs: Record<string, ReadonlySet<string>> = {}
  for (const agency of task.agencies) {
    const prev = await tasks.previousDrawn(agency, task.taskId)
    previousTasks.push({ agency, taskId: prev?.taskId ?? null })
    if (prev !== null) previousPairs[agency] = pairKeys(pairsOf(prev, agency))
  }
  return { previousTasks, previousPairs }
}

/** The (uscc, inspector) pairs of `agency` in a drawn task. */
export const pairsOf = (task: TaskDoc, agency: string): { uscc: string; inspectorId: string }[] =>
  (task.selected ?? []).flatMap((s) =>
    s.inspectors
      .filter((i) => i.agency === agency)
      .map((i) => ({ uscc: s.uscc, inspectorId: i.inspectorId })),
  )

/** Draws a planned task with a revealed seed; answers the task as drawn. */
export const drawTask = async (deps: DrawDeps, taskId: string, seed: string): Promise<TaskDoc> => {
  const { tasks, register, rosters } = deps
  const task = await tasks.get(taskId)
  if (task === null) throw new taskErrors.TASK_NOT_FOUND(taskId)
  if (task.status !== 'planned') throw new taskErrors.TASK_ALREADY_DRAWN(taskId)
  if (sha256hex(seed) !== task.seedCommitment) throw new taskErrors.SEED_MISMATCH(taskId)

  const drawnAt = deps.now()
  const claimId = randomUUID()
  if (!(await tasks.claim(taskId, claimId, drawnAt, deps.leaseMs)))
    throw new taskErrors.TASK_ALREADY_DRAWN(taskId)
  let marked = false
  try {
    const snapshot: Record<string, { inspectorId: string; active: boolean }[]> = {}
    for (const agency of task.agencies)
      snapshot[agency] = (await rosters.ofAgency(agency)).map(({ inspectorId, active }) => ({
        inspectorId,
        active,
      }))
    const { previousTasks, previousPairs } = await previousOf(tasks, task)
    const filter: PopulationFilter = { ...task.population, agencies: task.agencies }

    let chunkCount = 0
    let pass = 0
    // Pass 1 reads the register and freezes what it yields into chunks; pass 2 reads the chunks.
    async function* fromRegister(): AsyncGenerator<PopulationEntry> {
      let buffer: PopulationLine[] = []
      const flush = async () => {
        await tasks.writeChunk(taskId, chunkCount++, buffer)
        buffer = []
      }
      for await (const doc of register.activeInOrder()) {
        const riskClass = populationClass(doc, filter, drawnAt)
        if (riskClass === undefined) continue
        const entry = { uscc: doc._id, name: doc.name ?? '', riskClass }
        buffer.push({ uscc: entry.uscc, name: entry.name, class: riskClass })
        yield entry
        if (buffer.length >= CHUNK) await flush()
      }
      if (buffer.length > 0 || chunkCount === 0) await flush()
    }
    async function* fromChunks(): AsyncGenerator<PopulationEntry> {
      for (let n = 0; n < chunkCount; n++) {
        const lines = JSON.parse(await tasks.readChunk(taskId, n)) as PopulationLine[]
        for (const l of lines) yield { uscc: l.uscc, name: l.name, riskClass: l.class as RiskClass }
      }
    }

    const result = await draw({
      task,
      seed,
      population: () => (pass++ === 0 ? fromRegister() : fromChunks()),
      rosters: snapshot,
      previousPairs,
      threads: deps.threads ?? 0,
    })
    const fields: Partial<TaskDoc> = {
      drawnAt: drawnAt.toISOString(),
      seed,
      populationHash: result.populationHash,
      populationCounts: result.population,
      populationChunks: chunkCount,
      selectedCount: result.selected.length,
      selected: result.selected.map(({ uscc, name, riskClass, inspectors }) => ({
        uscc,
        name,
        riskClass,
        inspectors,
      })),
      rosters: task.agencies.map((agency) => ({ agency, inspectors: snapshot[agency] ?? [] })),
      previousTasks,
    }
    marked = await tasks.markDrawn(taskId, fields)
    if (!marked) throw new taskErrors.TASK_ALREADY_DRAWN(taskId)
    return { ...task, ...fields, status: 'drawn' }
  } catch (err) {
    if (err instanceof NotEnoughInspectorsError) throw new taskErrors.NOT_ENOUGH_INSPECTORS(err.message)
    throw err
  } finally {
    // The claim stays with a drawn task; any failure before that frees it for a retry.
    if (!marked) await tasks.release(taskId, claimId).catch(() => undefined)
  }
}
