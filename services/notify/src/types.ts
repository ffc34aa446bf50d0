/**
 * What the parts of notify agree on: the feed's entries (contract §8) and the hook by which the feed
 * tells the deliveries of entries it has just recorded.
 */
import type { Change } from '@ecrs/contracts'

/** One entry of the change feed (contract §8). */
export interface FeedEntry {
  /** Opaque, increasing in feed order: a zero-padded decimal counter. */
  readonly seq: string
  readonly uscc: string
  readonly name: string
  readonly region: string
  readonly enterpriseKind: string
  /** When the changes took effect (ISO). */
  readonly time: string
  /** When the feed learned of them (ISO). */
  readonly recordedAt: string
  readonly changes: readonly Change[]
}

/**
 * Told of entries as the feed records them, before the feed makes them visible: after a crash the
 * feed tells again the entries it had recorded but not yet made visible, so creating their
 * deliveries must be idempotent (deterministic delivery ids).
 */
export interface FanOut {
  entriesRecorded(entries: readonly FeedEntry[]): Promise<void>
}
