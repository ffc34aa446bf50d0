/** One consumer's latest word on an event. */
export interface Outcome {
  consumer: string
  status: 'applied' | 'rejected'
  reason?: string
  /** When the consumer decided (it may decide again: a back-dated event can turn rejected into applied). */
  at: string
}

export type EventStatus = 'accepted' | 'applied' | 'rejected'

/**
 * Contract §5: `rejected` when one consumer rejected the event, `applied` when every consumer of
 * its type applied it, else `accepted` (durable in Kafka, not yet applied everywhere).
 */
export const combineStatus = (consumers: readonly string[], outcomes: readonly Outcome[]): EventStatus => {
  if (outcomes.some((o) => o.status === 'rejected')) return 'rejected'
  const applied = new Set(outcomes.filter((o) => o.status === 'applied').map((o) => o.consumer))
  return consumers.length > 0 && consumers.every((c) => applied.has(c)) ? 'applied' : 'accepted'
}
