import { fromCloudEventRecord, RecordUnreadable } from '@ecrs/contracts'
import { PermanentError, type BatchHandler, type InboundMessage, type Producer } from '@ecrs/kafka'
import type { CaseLock } from './case-lock.js'
import type { CaseEvent } from './domain/index.js'
import { recallErrors } from './errors.js'
import { mergeEvents, settle, type SettleContext, type Settled } from './settle.js'
import { eventsOf, type CaseStore } from './store.js'

/** What the consumer and the rules sweep need to bring cases up to date. */
export interface CaseDeps extends SettleContext {
  readonly cases: CaseStore
  readonly producer: Producer
  readonly lock: CaseLock
  readonly now: () => Date
  /**
   * Whether this instance owns a case now (its partition of the recall topic is assigned to this
   * instance's consumer): with several instances the sweep of each goes over the cases it owns,
   * under the case lock its consumer takes too, so no two write one case. Default: all.
   */
  readonly owns?: (recallId: string) => boolean
  /** Resolves once this instance may own anything (its consumer joined); sweeps wait for it. */
  readonly joined?: Promise<void>
}

/** Reads a recall-topic record as a case event with its case id; unreadable records are dead-lettered. */
export const decodeRecallEvent = (m: InboundMessage): { recallId: string; event: CaseEvent } => {
  let r
  try {
    r = fromCloudEventRecord(m.headers, m.value, new Date(Number(m.timestamp)).toISOString())
  } catch (err) {
    if (err instanceof RecordUnreadable) throw new PermanentError(err.code, err.message, { cause: err })
    throw err
  }
  const named = r.data['recallId']
  const recallId = typeof named === 'string' && named !== '' ? named : m.key
  if (recallId === null || recallId === '')
    throw new PermanentError('RECORD_UNREADABLE', 'the record names no recallId')
  const event: CaseEvent = {
    source: r.source,
    id: r.id,
    type: r.type,
    subject: r.subject,
    time: r.time,
    recordedAt: r.recordedAt,
    data: r.data,
  }
  return { recallId, event }
}

const byRecall = (messages: readonly InboundMessage[]): Map<string, CaseEvent[]> => {
  const groups = new Map<string, CaseEvent[]>()
  for (const m of messages) {
    const { recallId, event } = decodeRecallEvent(m)
    const list = groups.get(recallId) ?? []
    list.push(event)
    groups.set(recallId, list)
  }
  return groups
}

/**
 * Applies recall events to their cases: per case, the new events join the history (deduplicated by
 * source and id), the case is derived again at now, and what changed is published in one send for
 * the batch (outcomes, `ecrs.recall` decisions) before the documents are written. A crash between
 * the two republishes the same deterministic ids, which downstream consumers deduplicate.
 */
export const projectRecalls =
  (deps: CaseDeps): BatchHandler =>
  async (messages, ctx) => {
    const groups = byRecall(messages)
    await deps.lock(async () => {
      const now = deps.now()
      const settled: Settled[] = []
      for (const [recallId, fresh] of groups) {
        const prev = await deps.cases.get(recallId)
        const { events, added } = mergeEvents(eventsOf(prev), fresh)
        if (added === 0 && prev !== null) continue
        settled.push(settle(prev, recallId, events, now, deps))
        // A chunk of updates can outlast the session on the local store (a conditional replace
        // scans the collection there): the group must not drop this member meanwhile.
        await ctx.heartbeat()
      }
      await deps.producer.send(settled.flatMap((s) => s.records))
      for (const s of settled) {
        // Only another process can have written meanwhile; the batch is retried and derived again.
        if (!(await deps.cases.save(s.doc))) throw new recallErrors.CASE_CONFLICT(s.doc._id)
        await ctx.heartbeat()
      }
      ctx.log.debug({ cases: settled.length, events: messages.length }, 'recall events applied')
    })
  }
