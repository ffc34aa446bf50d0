import { fromCloudEventRecord } from '@ecrs/contracts'
import type { BatchHandler } from '@ecrs/kafka'
import type { ProducerName, ProducerNames } from './store.js'

const NAMING_TYPES = new Set(['enterprise.registered', 'enterprise.changed'])

/**
 * Reads the enterprise topic for producers' names only (the public recall shape names the producer,
 * contract §7). Every other record is skipped; an unreadable one too, since dead-lettering it is the
 * credit-profile consumer's job (that topic's owner), and a second dead letter would only repeat it.
 */
export const learnProducerNames =
  (names: ProducerNames): BatchHandler =>
  async (messages, ctx) => {
    const latest = new Map<string, ProducerName>()
    for (const m of messages) {
      const type = m.headers['ce_type']
      if (type === undefined || !NAMING_TYPES.has(type)) continue
      let r
      try {
        r = fromCloudEventRecord(m.headers, m.value, new Date(Number(m.timestamp)).toISOString())
      } catch (err) {
        ctx.log.debug({ err, offset: m.offset }, 'enterprise record skipped')
        continue
      }
      const name = r.data['name']
      if (typeof name !== 'string' || name.trim() === '') continue
      const next: ProducerName = { _id: r.subject, name, time: r.time, event: `${r.source}/${r.id}` }
      const prev = latest.get(r.subject)
      if (prev === undefined || Date.parse(prev.time) <= Date.parse(next.time)) latest.set(r.subject, next)
    }
    for (const n of latest.values()) {
      await names.put(n)
      await ctx.heartbeat()
    }
  }
