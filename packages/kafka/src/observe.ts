import type { InboundMessage } from './message.js'
import type { OutboundRecord } from './producer.js'

/** What a consumer reports after each chunk it handled and committed. */
export interface ChunkReport {
  groupId: string
  topic: string
  partition: number
  /** The chunk's last offset (offset + 1 was committed). */
  offset: string
  /** Every message of the chunk, in offset order. */
  messages: readonly InboundMessage[]
  /** Those of `messages` that went to the dead-letter topic. */
  deadLettered: readonly InboundMessage[]
}

/**
 * Watches a consumer loop (for metrics): called synchronously, after the commit, so a report
 * never counts work that a restart would do again. It must not throw and must stay cheap.
 */
export interface ConsumerObserver {
  committed(report: ChunkReport): void
  /** A handler attempt failed with a transient error (it is retried, or rethrown when spent). */
  transientFailure?(e: { groupId: string; topic: string; partition: number }): void
}

/** Watches a producer (for metrics). Must not throw. */
export interface ProducerObserver {
  /** Records acknowledged by the brokers (acks=all). */
  sent?(records: readonly OutboundRecord[]): void
  /**
   * Records not acknowledged: `error` when the produce request failed, `timeout` when the caller
   * stopped waiting (such a record may still be written; callers treat it as not accepted).
   */
  failed?(records: readonly OutboundRecord[], reason: 'error' | 'timeout'): void
}
