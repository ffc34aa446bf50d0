import { PermanentError, type BatchHandler } from '@ecrs/kafka'
import type { Outcome } from './domain.js'
import type { OutcomeStore } from './store.js'

const CONSUMER = /^[a-z][a-z0-9-]{0,40}$/

/** Decodes an outcome record: `{source, id, type, consumer, status, reason?, at}` (see /asyncapi.json). */
export const decodeOutcome = (
  value: Buffer | null,
): Outcome & { source: string; id: string; type: string; recordedAt?: string } => {
  let o: Record<string, unknown>
  try {
    o = JSON.parse(value?.toString('utf8') ?? '') as Record<string, unknown>
  } catch (err) {
    throw new PermanentError('OUTCOME_UNPARSEABLE', 'outcome is not JSON', { cause: err })
  }
  const str = (k: string, max = 256): string => {
    const v = o[k]
    if (typeof v !== 'string' || v.length === 0 || v.length > max)
      throw new PermanentError('OUTCOME_INVALID', `outcome.${k} is missing or invalid`)
    return v
  }
  const consumer = str('consumer')
  if (!CONSUMER.test(consumer)) throw new PermanentError('OUTCOME_INVALID', 'outcome.consumer is invalid')
  const status = str('status')
  if (status !== 'applied' && status !== 'rejected')
    throw new PermanentError('OUTCOME_INVALID', 'outcome.status is invalid')
  const reason = o['reason'] === undefined ? undefined : str('reason', 200)
  const recordedAt = o['recordedAt'] === undefined ? undefined : str('recordedAt', 40)
  return {
    source: str('source'),
    id: str('id', 128),
    type: str('type', 128),
    consumer,
    status,
    at: str('at', 40),
    ...(reason === undefined ? {} : { reason }),
    ...(recordedAt === undefined ? {} : { recordedAt }),
  }
}

/** The type of the event an outcome record is about, for metrics labels (undefined when unreadable). */
export const outcomeType = (m: { value?: Buffer | string | null }): string | undefined => {
  try {
    const t = (JSON.parse(String(m.value)) as { type?: unknown } | null)?.type
    return typeof t === 'string' ? t : undefined
  } catch {
    return undefined
  }
}

/** Keeps the latest outcome per consumer of each event, for GET /v1/events/{source}/{id}. */
export const projectOutcomes =
  (store: OutcomeStore): BatchHandler =>
  async (messages) => {
    await store.record(messages.map((m) => decodeOutcome(m.value)))
  }
