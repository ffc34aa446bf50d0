/**
 * The register's collections: `register` (one document per enterprise, what the draw reads in one
 * sorted pass) and `inspections` (every `inspection.recorded`, keyed `source/id`).
 */
import { bulkUpdate, findByIds, type Store } from '@ecrs/store'
import type { AnyBulkWriteOperation, Collection } from 'mongodb'
import type { RegisterDoc, RegisterPatch } from './domain.js'
import { withInspection } from './domain.js'

/** One inspection as recorded (contract §4.1 `inspection.recorded`). */
export interface InspectionDoc {
  /** `source/id` of the event. */
  _id: string
  uscc: string
  agency: string
  time: string
  kind: string
  taskId?: string
  results: string[]
}

export interface RegisterStore {
  /** Applies the patches of a batch of change records (upserts, in the given order). */
  applyChanges(patches: ReadonlyMap<string, RegisterPatch>): Promise<void>
  /** Records inspections (a known `source/id` is skipped) and each enterprise's latest per agency. */
  recordInspections(inspections: readonly InspectionDoc[]): Promise<void>
  /** The active enterprises in `_id` order, one cursor (the draw's single pass over the register). */
  activeInOrder(): AsyncIterable<RegisterDoc>
  get(uscc: string): Promise<RegisterDoc | null>
}

export const registerStore = async (store: Store): Promise<RegisterStore> => {
  const register: Collection<RegisterDoc> = store.db.collection<RegisterDoc>('register')
  const inspections: Collection<InspectionDoc> = store.db.collection<InspectionDoc>('inspections')
  await store.db.createCollection('register').catch(() => undefined)
  await store.db.createCollection('inspections').catch(() => undefined)

  const applyChanges = async (patches: ReadonlyMap<string, RegisterPatch>): Promise<void> => {
    const ops: AnyBulkWriteOperation<RegisterDoc>[] = [...patches].map(([uscc, p]) => ({
      updateOne: {
        filter: { _id: uscc },
        update: {
          $set: p.set,
          ...(Object.keys(p.setOnInsert).length > 0 ? { $setOnInsert: p.setOnInsert } : {}),
        },
        upsert: true,
      },
    }))
    await store.write(() => bulkUpdate(store, register, ops))
  }

  const recordInspections = async (list: readonly InspectionDoc[]): Promise<void> => {
    if (list.length === 0) return
    await store.write(async () => {
      try {
        await inspections.insertMany([...list], { ordered: false })
      } catch (err) {
        const raw = (err as { writeErrors?: unknown }).writeErrors
        const errors = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]) as { code?: number }[]
        if (errors.length === 0 || errors.some((e) => e.code !== 11000)) throw err
      }
    })
    // The latest per agency is a max: taking an inspection in twice changes nothing.
    const usccs = [...new Set(list.map((i) => i.uscc))]
    const docs = await findByIds(store, register, usccs, { projection: { lastInspected: 1 } })
    const ops: AnyBulkWriteOperation<RegisterDoc>[] = usccs.map((uscc) => {
      let last = docs.get(uscc)?.lastInspected
      for (const i of list) if (i.uscc === uscc) last = withInspection(last, i.agency, i.time)
      return {
        updateOne: {
          filter: { _id: uscc },
          update: { $set: { lastInspected: last ?? [] } },
          upsert: true,
        },
      }
    })
    await store.write(() => bulkUpdate(store, register, ops))
  }

  return {
    applyChanges,
    recordInspections,
    activeInOrder: () =>
      register
        .find({ active: true }, { projection: { updatedAt: 0 } })
        .sort({ _id: 1 })
        .batchSize(5000),
    get: (uscc) => register.findOne({ _id: uscc }),
  }
}
