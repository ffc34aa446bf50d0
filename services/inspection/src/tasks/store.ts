/**
 * The tasks' collections: `tasks` (one document per task), `draws` (the per-task claim a draw
 * takes first) and `draw_population` (the frozen population of each draw, in chunk documents
 * `taskId|n` of up to CHUNK entries, each one JSON string).
 */
import { isDuplicateKey, type Store } from '@ecrs/store'
import type { Collection } from 'mongodb'
import type { TaskResult } from '../register/consumer.js'
import { isComplete, type TaskDefinition, type TaskDoc, type TaskStatus } from './domain.js'

/** Entries per population chunk. */
export const CHUNK = 5000

/** One line of the frozen population, as the draw record has it. */
export interface PopulationLine {
  uscc: string
  name: string
  class: string
}

interface ChunkDoc {
  _id: string
  taskId: string
  n: number
  entries: string
}

interface ClaimDoc {
  _id: string
  claimId: string
  claimedAt: string
}

/** What a listing asks for. */
export interface TaskQuery {
  /** Tasks this agency is part of. */
  agency?: string | undefined
  status?: TaskStatus | undefined
  /** Tasks after this taskId. */
  after?: string | undefined
  limit: number
  /** A further filter on the (light) task. */
  where?: (t: TaskDoc) => boolean
}

export interface TaskStore {
  /** Inserts a task; the existing one when its taskId is known. */
  create(task: TaskDoc): Promise<{ created: true } | { created: false; existing: TaskDoc }>
  get(taskId: string): Promise<TaskDoc | null>
  /** Tasks by taskId, without the selection (the views of a listing need only the counts). */
  list(q: TaskQuery): Promise<TaskDoc[]>
  /** The most recently drawn task that `agency` was part of, other than `except`. */
  previousDrawn(agency: string, except: string): Promise<TaskDoc | null>
  /**
   * Takes the draw of a task: false when another attempt holds it (a claim younger than
   * `leaseMs`); an older claim (a crashed attempt) is taken over.
   */
  claim(taskId: string, claimId: string, now: Date, leaseMs: number): Promise<boolean>
  release(taskId: string, claimId: string): Promise<void>
  writeChunk(taskId: string, n: number, entries: readonly PopulationLine[]): Promise<void>
  readChunk(taskId: string, n: number): Promise<string>
  /** Marks a planned task drawn with its result; false when it was not planned any more. */
  markDrawn(taskId: string, fields: Partial<TaskDoc>): Promise<boolean>
  /** Takes in results of random inspections: selected enterprises of drawn tasks, first result each. */
  recordResults(results: readonly TaskResult[]): Promise<void>
}

const LIGHT = { selected: 0, rosters: 0, inspected: 0 } as const

export const taskStore = async (store: Store, now: () => Date = () => new Date()): Promise<TaskStore> => {
  const tasks: Collection<TaskDoc> = store.db.collection<TaskDoc>('tasks')
  const draws: Collection<ClaimDoc> = store.db.collection<ClaimDoc>('draws')
  const chunks: Collection<ChunkDoc> = store.db.collection<ChunkDoc>('draw_population')
  for (const name of ['tasks', 'draws', 'draw_population'])
    await store.db.createCollection(name).catch(() => undefined)

  const insertClaim = async (taskId: string, claimId: string, at: Date): Promise<boolean> => {
    try {
      await store.write(() => draws.insertOne({ _id: taskId, claimId, claimedAt: at.toISOString() }))
      return true
    } catch (err) {
      if (isDuplicateKey(err)) return false
      throw err
    }
  }

  const recordOne = async (r: TaskResult, task: TaskDoc): Promise<void> => {
    if (task.status === 'planned' || !task.agencies.includes(r.agency)) return
    if (!(task.selected ?? []).some((s) => s.uscc === r.uscc)) return
    if (task.inspected?.[r.uscc] !== undefined) return
    const field = `inspected.${r.uscc}`
    const value = { agency: r.agency, time: r.time, results: r.results, eventKey: r.eventKey }
    await store.write(() =>
      tasks.updateOne({ _id: task._id, [field]: { $exists: false } }, { $set: { [field]: value } }),
    )
    task.inspected = { ...task.inspected, [r.uscc]: value }
    if (task.status === 'drawn' && isComplete(task)) {
      const completedAt = now().toISOString()
      await store.write(() =>
        tasks.updateOne({ _id: task._id, status: 'drawn' }, { $set: { status: 'completed', completedAt } }),
      )
      task.status = 'completed'
      task.completedAt = completedAt
    }
  }

  return {
    create: async (task) => {
      try {
        await store.write(() => tasks.insertOne(task))
        return { created: true }
      } catch (err) {
        if (!isDuplicateKey(err)) throw err
        const existing = await tasks.findOne({ _id: task._id })
        if (existing === null) throw err
        return { created: false, existing }
      }
    },
    get: (taskId) => tasks.findOne({ _id: taskId }),
    list: async (q) => {
      const filter = {
        ...(q.agency === undefined ? {} : { agencies: q.agency }),
        ...(q.status === undefined ? {} : { status: q.status }),
        ...(q.after === undefined ? {} : { _id: { $gt: q.after } }),
      }
      const found: TaskDoc[] = []
      for await (const t of tasks.find(filter, { projection: LIGHT }).sort({ _id: 1 })) {
        if (q.where !== undefined && !q.where(t)) continue
        found.push(t)
        if (found.length >= q.limit) break
      }
      return found
    },
    previousDrawn: async (agency, except) => {
      const docs = await tasks
        .find({ agencies: agency, drawnAt: { $exists: true } }, { projection: { _id: 1, drawnAt: 1 } })
        .toArray()
      const latest = docs
        .filter((d) => d._id !== except)
        .sort((a, b) =>
          (a.drawnAt ?? '') < (b.drawnAt ?? '') ? 1 : (a.drawnAt ?? '') > (b.drawnAt ?? '') ? -1 : 0,
        )[0]
      return latest === undefined ? null : tasks.findOne({ _id: latest._id })
    },
    claim: async (taskId, claimId, at, leaseMs) => {
      if (await insertClaim(taskId, claimId, at)) return true
      const held = await draws.findOne({ _id: taskId })
      if (held === null) return insertClaim(taskId, claimId, at)
      if (Date.parse(held.claimedAt) > at.getTime() - leaseMs) return false
      // A claim older than the lease is a crashed attempt: only one taker removes it.
      const removed = await store.write(() => draws.deleteOne({ _id: taskId, claimId: held.claimId }))
      return removed.deletedCount === 1 && insertClaim(taskId, claimId, at)
    },
    release: async (taskId, claimId) => {
      await store.write(() => draws.deleteOne({ _id: taskId, claimId }))
    },
    writeChunk: async (taskId, n, entries) => {
      const doc: ChunkDoc = { _id: `${taskId}|${n}`, taskId, n, entries: JSON.stringify(entries) }
      await store.write(() => chunks.replaceOne({ _id: doc._id }, doc, { upsert: true }))
    },
    readChunk: async (taskId, n) => {
      const doc = await chunks.findOne({ _id: `${taskId}|${n}` })
      if (doc === null) throw new Error(`population chunk ${taskId}|${n} is missing`)
      return doc.entries
    },
    markDrawn: async (taskId, fields) => {
      const r = await store.write(() =>
        tasks.updateOne({ _id: taskId, status: 'planned' }, { $set: { ...fields, status: 'drawn' } }),
      )
      return r.modifiedCount === 1
    },
    recordResults: async (results) => {
      const byTask = new Map<string, TaskDoc | null>()
      for (const r of results) {
        let task = byTask.get(r.taskId)
        if (task === undefined) byTask.set(r.taskId, (task = await tasks.findOne({ _id: r.taskId })))
        if (task !== null) await recordOne(r, task)
      }
    },
  }
}

export type { TaskDefinition }
