/**
 * Inspection tasks (contract §9) as pure functions: a request with its defaults applied, whether two
 * definitions are the same, progress and overdue, and the views each reader gets.
 */
import { canonicalJson, endOfShanghaiDay, parseDate } from '@ecrs/contracts'
import type { ClassCounts, InspectorAssignment, RiskClass } from '../draw/algorithm.js'
import type { Ratios } from '../ratios.js'

export type TaskStatus = 'planned' | 'drawn' | 'completed'

/** What a task is, as its creator defined it (with defaults): the draw record's `task`. */
export interface TaskDefinition {
  taskId: string
  title: string
  items: string[]
  agencies: string[]
  population: { region: string; kinds?: string[]; excludeInspectedWithinMonths: number }
  ratios: Record<RiskClass, number>
  inspectorsPerAgency: number
  dueBy: string
  seedCommitment: string
}

/** A recorded result of a selected enterprise. */
export interface TaskInspection {
  agency: string
  time: string
  results: string[]
  eventKey: string
}

export interface SelectedEnterprise {
  uscc: string
  name: string
  riskClass: RiskClass
  inspectors: InspectorAssignment[]
}

/** The agency's previous drawn task when this one was drawn (its pairs were avoided). */
export interface PreviousTask {
  agency: string
  taskId: string | null
}

/** A task as stored (`_id` = taskId). */
export interface TaskDoc extends TaskDefinition {
  _id: string
  /** The agency that created it and may draw it. */
  lead: string
  status: TaskStatus
  createdAt: string
  drawnAt?: string
  completedAt?: string
  seed?: string
  populationHash?: string
  populationCounts?: ClassCounts
  /** How many chunk documents hold the frozen population. */
  populationChunks?: number
  selectedCount?: number
  selected?: SelectedEnterprise[]
  rosters?: { agency: string; inspectors: { inspectorId: string; active: boolean }[] }[]
  previousTasks?: PreviousTask[]
  /** Results by uscc (USCCs are `[0-9A-Z]`, safe as keys). */
  inspected?: Record<string, TaskInspection>
}

/** The body of `POST /v1/inspection-tasks`. */
export interface TaskRequest {
  taskId: string
  title: string
  items: string[]
  agencies?: string[]
  population: { region: string; kinds?: string[]; excludeInspectedWithinMonths?: number }
  ratios?: Partial<Record<RiskClass, number>>
  inspectorsPerAgency?: number
  dueBy: string
  seedCommitment: string
}

export type DefinitionResult =
  { ok: true; task: TaskDefinition } | { ok: false; path: string; message: string }

/** The definition a request asks for, defaults applied (contract §9), or what is wrong with it. */
export const defineTask = (req: TaskRequest, lead: string, defaults: Ratios): DefinitionResult => {
  const given = req.agencies ?? []
  if (new Set(given).size !== given.length)
    return { ok: false, path: '/agencies', message: 'must not list an agency twice' }
  if (given.some((a) => a.startsWith('ecrs.')))
    return {
      ok: false,
      path: '/agencies',
      message: "agencies starting with 'ecrs.' are reserved for the system",
    }
  const agencies = given.includes(lead) ? [...given] : [lead, ...given]
  const inspectorsPerAgency = req.inspectorsPerAgency ?? 2
  if (agencies.length * inspectorsPerAgency < 2)
    return {
      ok: false,
      path: '/inspectorsPerAgency',
      message: 'each enterprise needs at least 2 inspectors in all (agencies × inspectorsPerAgency)',
    }
  if (parseDate(req.dueBy) === undefined) return { ok: false, path: '/dueBy', message: 'must be a date' }
  const { kinds } = req.population
  return {
    ok: true,
    task: {
      taskId: req.taskId,
      title: req.title,
      items: [...req.items],
      agencies,
      population: {
        region: req.population.region,
        ...(kinds === undefined ? {} : { kinds: [...kinds] }),
        excludeInspectedWithinMonths: req.population.excludeInspectedWithinMonths ?? 12,
      },
      ratios: {
        A: req.ratios?.A ?? defaults.A,
        B: req.ratios?.B ?? defaults.B,
        C: req.ratios?.C ?? defaults.C,
        D: req.ratios?.D ?? defaults.D,
      },
      inspectorsPerAgency,
      dueBy: req.dueBy,
      seedCommitment: req.seedCommitment,
    },
  }
}

/** The definition part of a task, in the draw record's key order. */
export const definitionOf = (t: TaskDefinition): TaskDefinition => ({
  taskId: t.taskId,
  title: t.title,
  items: t.items,
  agencies: t.agencies,
  population: {
    region: t.population.region,
    ...(t.population.kinds === undefined ? {} : { kinds: t.population.kinds }),
    excludeInspectedWithinMonths: t.population.excludeInspectedWithinMonths,
  },
  ratios: { A: t.ratios.A, B: t.ratios.B, C: t.ratios.C, D: t.ratios.D },
  inspectorsPerAgency: t.inspectorsPerAgency,
  dueBy: t.dueBy,
  seedCommitment: t.seedCommitment,
})

/** Whether two definitions are the same content (whatever the key order). */
export const sameDefinition = (a: TaskDefinition, b: TaskDefinition): boolean =>
  canonicalJson(definitionOf(a)) === canonicalJson(definitionOf(b))

/** The instant a task is due: `dueBy` 24:00 Asia/Shanghai. */
export const dueAt = (dueBy: string): Date => {
  const date = parseDate(dueBy)
  if (date === undefined) throw new RangeError(`dueBy ${dueBy} is not a date`)
  return endOfShanghaiDay(date)
}

export interface Progress {
  selected: number
  inspected: number
  overdue: number
}

/** Selected, inspected, and overdue (not inspected and `now` past `dueBy` 24:00). */
export const progressOf = (
  t: Pick<TaskDoc, 'selectedCount' | 'inspected' | 'dueBy'>,
  now: Date,
): Progress => {
  const selected = t.selectedCount ?? 0
  const inspected = Object.keys(t.inspected ?? {}).length
  return { selected, inspected, overdue: now > dueAt(t.dueBy) ? selected - inspected : 0 }
}

/** Whether every selected enterprise has a result (a task with none selected is complete once drawn). */
export const isComplete = (t: Pick<TaskDoc, 'selectedCount' | 'inspected'>): boolean =>
  Object.keys(t.inspected ?? {}).length >= (t.selectedCount ?? 0)

/** The answer of the draw (contract §9): no risk class. */
export const drawView = (t: TaskDoc) => ({
  taskId: t.taskId,
  status: t.status,
  drawnAt: t.drawnAt,
  seed: t.seed,
  populationHash: t.populationHash,
  population: t.populationCounts,
  selected: (t.selected ?? []).map(({ uscc, name, inspectors }) => ({ uscc, name, inspectors })),
})

/** A task as its agencies and regulators see it; `withSelection` adds the selected with their results. */
export const taskView = (t: TaskDoc, now: Date, withSelection: boolean) => ({
  ...definitionOf(t),
  lead: t.lead,
  status: t.status,
  createdAt: t.createdAt,
  progress: progressOf(t, now),
  ...(t.drawnAt === undefined
    ? {}
    : {
        drawnAt: t.drawnAt,
        seed: t.seed,
        populationHash: t.populationHash,
        // The filter the task was planned with and, once drawn, the counts the draw answered.
        population: { ...definitionOf(t).population, ...t.populationCounts },
        ...(t.completedAt === undefined ? {} : { completedAt: t.completedAt }),
        ...(withSelection
          ? {
              selected: (t.selected ?? []).map(({ uscc, name, inspectors }) => {
                const done = t.inspected?.[uscc]
                return {
                  uscc,
                  name,
                  inspectors,
                  ...(done === undefined
                    ? {}
                    : { inspected: { agency: done.agency, time: done.time, results: done.results } }),
                }
              }),
            }
          : {}),
      }),
})

const total = (c: ClassCounts | undefined): number => (c === undefined ? 0 : c.A + c.B + c.C + c.D)

/** 一公开: what anyone may read. Never a class of an enterprise, never an inspector. */
export const publicView = (t: TaskDoc, withSelection: boolean) => ({
  taskId: t.taskId,
  title: t.title,
  items: t.items,
  agencies: t.agencies,
  region: t.population.region,
  dueBy: t.dueBy,
  status: t.status,
  seedCommitment: t.seedCommitment,
  ...(t.drawnAt === undefined
    ? {}
    : {
        seed: t.seed,
        drawnAt: t.drawnAt,
        populationHash: t.populationHash,
        populationSize: total(t.populationCounts),
        selectedCount: t.selectedCount ?? 0,
        ...(withSelection
          ? {
              selected: (t.selected ?? []).map(({ uscc, name }) => {
                const done = t.inspected?.[uscc]
                return { uscc, name, ...(done === undefined ? {} : { result: done.results }) }
              }),
            }
          : {}),
      }),
})
