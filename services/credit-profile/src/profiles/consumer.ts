import { fromCloudEventRecord, isValidUscc } from '@ecrs/contracts'
import { PermanentError, type BatchHandler } from '@ecrs/kafka'
import type { Projector } from './projector.js'
import type { StoredEvent } from './store.js'

/**
 * The enterprise topic's handler: every event of a batch is decoded and grouped by enterprise,
 * so that many events of one enterprise cost one read and one write.
 */
export const projectEnterpriseEvents =
  (projector: Projector): BatchHandler =>
  async (messages) => {
    const byUscc = new Map<string, StoredEvent[]>()
    for (const m of messages) {
      const e = fromCloudEventRecord(m.headers, m.value, new Date(Number(m.timestamp)).toISOString())
      if (!isValidUscc(e.subject))
        throw new PermanentError('SUBJECT_INVALID', `subject ${e.subject} is not a USCC`)
      const list = byUscc.get(e.subject) ?? []
      list.push({
        source: e.source,
        id: e.id,
        type: e.type,
        subject: e.subject,
        time: e.time,
        recordedAt: e.recordedAt,
        data: JSON.stringify(e.data),
      })
      byUscc.set(e.subject, list)
    }
    await projector.apply(byUscc)
  }
