/**
 * The register's two handlers: change records (credit-profile's, contract §8) become the register,
 * `inspection.recorded` events (the enterprise topic) become inspections, exclusions and task results.
 */
import { fromChangeRecord, fromCloudEventRecord, isValidUscc, type ChangeRecord } from '@ecrs/contracts'
import { PermanentError, type BatchHandler } from '@ecrs/kafka'
import { foldChangeRecords } from './domain.js'
import type { InspectionDoc, RegisterStore } from './store.js'

/** A random inspection's result for a task, as the tasks slice takes it. */
export interface TaskResult {
  taskId: string
  uscc: string
  agency: string
  time: string
  results: string[]
  eventKey: string
}

/** Where results of random inspections go (the tasks slice). */
export interface ResultSink {
  recordResults(results: readonly TaskResult[]): Promise<void>
}

/**
 * Folds a batch of change records into the register. A value that is not a change record fails the
 * batch with a 422 before anything is written: the consumer loop then retries it one message at a
 * time and dead-letters the bad one.
 */
export const changesHandler =
  (register: Pick<RegisterStore, 'applyChanges'>): BatchHandler =>
  async (messages, ctx) => {
    const records: ChangeRecord[] = messages.map((m) => {
      const record = fromChangeRecord(m.value)
      if (record === undefined)
        throw new PermanentError(
          'CHANGE_RECORD_INVALID',
          `${m.topic}/${m.partition}@${m.offset} is not a change record`,
          { statusCode: 422 },
        )
      return record
    })
    const patches = foldChangeRecords(records)
    await register.applyChanges(patches)
    ctx.log.debug({ records: records.length, enterprises: patches.size }, 'register updated')
  }

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string')

/**
 * Keeps every `inspection.recorded` (other types are skipped) and hands the random ones that name
 * a task to `tasks`. Ingest has validated the events; a record that cannot be read is dead-lettered.
 */
export const inspectionsHandler =
  (register: Pick<RegisterStore, 'recordInspections'>, tasks: ResultSink): BatchHandler =>
  async (messages, ctx) => {
    const inspections: InspectionDoc[] = []
    for (const m of messages) {
      if (m.headers['ce_type'] !== undefined && m.headers['ce_type'] !== 'inspection.recorded') continue
      const e = fromCloudEventRecord(m.headers, m.value, new Date(Number(m.timestamp)).toISOString())
      if (e.type !== 'inspection.recorded') continue
      if (!isValidUscc(e.subject))
        throw new PermanentError('SUBJECT_INVALID', `subject ${e.subject} is not a USCC`)
      const { kind, results, taskId } = e.data
      if (typeof kind !== 'string' || !isStringArray(results)) {
        ctx.log.warn({ source: e.source, id: e.id }, 'inspection without kind or results skipped')
        continue
      }
      inspections.push({
        _id: `${e.source}/${e.id}`,
        uscc: e.subject,
        agency: e.source,
        time: new Date(e.time).toISOString(),
        kind,
        ...(typeof taskId === 'string' ? { taskId } : {}),
        results,
      })
    }
    if (inspections.length === 0) return
    await register.recordInspections(inspections)
    const results: TaskResult[] = inspections.flatMap((i) =>
      i.kind === 'random' && i.taskId !== undefined
        ? [
            {
              taskId: i.taskId,
              uscc: i.uscc,
              agency: i.agency,
              time: i.time,
              results: i.results,
              eventKey: i._id,
            },
          ]
        : [],
    )
    await tasks.recordResults(results)
    ctx.log.debug({ inspections: inspections.length, results: results.length }, 'inspections recorded')
  }
