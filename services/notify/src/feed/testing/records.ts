/** Test helpers of the feed: change records as `credit-profile` publishes them, and a fan-out that remembers. */
import { fromChangeRecord, toChangeRecord, type Change, type ChangeRecord } from '@ecrs/contracts'
import type { FanOut, FeedEntry } from '../../types.js'

export interface RecordInput {
  readonly uscc: string
  readonly changes: readonly Change[]
  readonly region?: string
  readonly name?: string
  readonly time?: string
}

/** A change record exactly as read from the changes topic (deterministic change ids included). */
export const changeRecord = (r: RecordInput): ChangeRecord => {
  const kafka = toChangeRecord(
    'changes',
    {
      uscc: r.uscc,
      name: r.name ?? `Enterprise ${r.uscc.slice(-4)}`,
      region: r.region ?? '210102',
      enterpriseKind: 'company',
      time: r.time ?? '2025-03-01T08:00:00.000Z',
      changes: r.changes,
    },
    new Date(),
  )
  const parsed = fromChangeRecord(kafka.value)
  if (parsed === undefined) throw new Error('the test built an invalid change record')
  return parsed
}

export const registered: Change = { kind: 'registered' }
export const riskTo = (to: 'A' | 'B' | 'C' | 'D', from: 'A' | 'B' | 'C' | 'D' | null = null): Change => ({
  kind: 'risk-class-changed',
  from,
  to,
})
export const abnormalListed = (listingId: string): Change => ({
  kind: 'abnormal-listed',
  listingId,
  reason: 'unreachable-at-address',
})

/**
 * A fan-out that keeps what it was told, in order, and fails (as a crash or an outage would) while
 * `failing` is set; `during` runs inside each call, before the feed goes on.
 */
export const keptFanOut = (
  during?: (entries: readonly FeedEntry[]) => Promise<void>,
): FanOut & { told: FeedEntry[][]; failing: Error | undefined } => {
  const fanOut = {
    told: [] as FeedEntry[][],
    failing: undefined as Error | undefined,
    async entriesRecorded(entries: readonly FeedEntry[]): Promise<void> {
      if (fanOut.failing !== undefined) throw fanOut.failing
      await during?.(entries)
      fanOut.told.push([...entries])
    },
  }
  return fanOut
}
