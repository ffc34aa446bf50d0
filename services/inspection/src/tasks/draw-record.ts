/**
 * The draw record (draw spec v1, "The draw record"): everything a recomputation needs, as JSON text
 * streamed piece by piece, so a population of a million lines is never one string.
 */
import { definitionOf, type TaskDoc } from './domain.js'
import { pairsOf } from './draw.js'
import type { TaskStore } from './store.js'

export const DRAW_RECORD_FORMAT = 'ecrs.draw-record/1'

/** The record's text in pieces, keys in the spec's order; `task` must be drawn. */
export async function* drawRecord(
  task: TaskDoc,
  tasks: Pick<TaskStore, 'get' | 'readChunk'>,
): AsyncGenerator<string> {
  const j = JSON.stringify
  yield `{"format":${j(DRAW_RECORD_FORMAT)},"task":${j(definitionOf(task))},"seed":${j(task.seed)},"drawnAt":${j(task.drawnAt)},"population":[`
  let first = true
  for (let n = 0; n < (task.populationChunks ?? 0); n++) {
    const text = await tasks.readChunk(task.taskId, n)
    const inner = text.slice(1, -1) // a chunk is a JSON array: its entries join the record's
    if (inner.length === 0) continue
    yield first ? inner : `,${inner}`
    first = false
  }
  const rosters: Record<string, { inspectorId: string; active: boolean }[]> = {}
  for (const r of task.rosters ?? []) rosters[r.agency] = r.inspectors
  const previousAssignments: Record<
    string,
    { taskId: string | null; pairs: { uscc: string; inspectorId: string }[] }
  > = {}
  for (const { agency, taskId } of task.previousTasks ?? []) {
    const prev = taskId === null ? null : await tasks.get(taskId)
    previousAssignments[agency] =
      prev === null ? { taskId: null, pairs: [] } : { taskId, pairs: pairsOf(prev, agency) }
  }
  const result = {
    populationHash: task.populationHash,
    population: task.populationCounts,
    selected: (task.selected ?? []).map(({ uscc, name, inspectors }) => ({ uscc, name, inspectors })),
  }
  yield `],"rosters":${j(rosters)},"previousAssignments":${j(previousAssignments)},"result":${j(result)}}`
}
