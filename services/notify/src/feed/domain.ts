/**
 * The change feed's pure rules (contract §8): what a seq looks like, what a reader is shown of an
 * entry, and how a page and its `next` cursor are cut from entries read in seq order.
 */
import { FIRM_HIDDEN_KINDS, type ChangeKind } from '@ecrs/contracts'
import type { FeedEntry } from '../types.js'

/** Digits of a seq: zero-padded, so that string order (`_id` order in the store) is numeric order. */
export const SEQ_DIGITS = 16

/** The cursor before the first entry: the watermark of an empty feed. */
export const FEED_START = '0'.repeat(SEQ_DIGITS)

/** What a cursor (`after`, `Last-Event-ID`) may look like: a seq, leading zeros optional. */
export const CURSOR_PATTERN = `^[0-9]{1,${SEQ_DIGITS}}$`
const CURSOR = new RegExp(CURSOR_PATTERN)

/** The seq of the n-th entry (1-based). */
export const seqOf = (n: bigint): string => n.toString().padStart(SEQ_DIGITS, '0')

/** The seq after `seq`. */
export const seqAfter = (seq: string): string => seqOf(BigInt(seq) + 1n)

/** A cursor as the store compares it (padded); undefined when it is not one. */
export const parseCursor = (cursor: string): string | undefined =>
  CURSOR.test(cursor) ? cursor.padStart(SEQ_DIGITS, '0') : undefined

/** The later of two seqs. */
export const laterSeq = (a: string, b: string): string => (a > b ? a : b)

/** What a reader asks to see; every field narrows. */
export interface FeedFilter {
  /** Entries of this enterprise only. */
  readonly uscc?: string | undefined
  /** Entries whose region starts with this (a division-code prefix). */
  readonly region?: string | undefined
  /** Entries with at least one change of these kinds (after the firm's cut); absent or empty = any. */
  readonly kinds?: readonly ChangeKind[] | undefined
  /** The reader is a firm: it never sees FIRM_HIDDEN_KINDS, and an entry left without changes is skipped. */
  readonly firm?: boolean | undefined
}

/** The entry as the reader may see it, or undefined when the filter leaves it out. */
export const shownEntry = (entry: FeedEntry, filter: FeedFilter): FeedEntry | undefined => {
  if (filter.uscc !== undefined && entry.uscc !== filter.uscc) return undefined
  if (filter.region !== undefined && !entry.region.startsWith(filter.region)) return undefined
  let shown = entry
  if (filter.firm === true && entry.changes.some((c) => FIRM_HIDDEN_KINDS.has(c.kind))) {
    const changes = entry.changes.filter((c) => !FIRM_HIDDEN_KINDS.has(c.kind))
    if (changes.length === 0) return undefined
    shown = { ...entry, changes }
  }
  const kinds = filter.kinds
  if (kinds !== undefined && kinds.length > 0 && !shown.changes.some((c) => kinds.includes(c.kind)))
    return undefined
  return shown
}

/** One page of the feed: `next` is where the following page starts (exclusive). */
export interface FeedPage {
  readonly items: FeedEntry[]
  readonly next: string
}

/** What {@link collectPage} cuts a page by. */
export interface PageCut {
  /** The cursor the page starts after. */
  readonly after: string
  /** The watermark the scanned entries were read up to (inclusive). */
  readonly watermark: string
  /** Most items. */
  readonly limit: number
  /**
   * Most entries scanned for one page: a filter that matches few entries (a firm's own) answers a
   * short page with `next` where the scan stopped, instead of reading the whole feed in one request.
   */
  readonly budget: number
  readonly filter: FeedFilter
}

/**
 * Cuts a page from `scan`: the entries with `after` < seq ≤ `watermark`, in seq order (it stops
 * reading as soon as the page is decided, so the caller may hand over a lazy store cursor).
 * `next` is the last item's seq when the page is full, the last scanned seq when the budget ran
 * out, otherwise the watermark (never earlier than `after`): every entry up to `next` has been
 * judged, and none at or below the watermark can appear later, so resuming from `next` neither
 * misses nor repeats an entry.
 */
export const collectPage = async (scan: AsyncIterable<FeedEntry>, cut: PageCut): Promise<FeedPage> => {
  const items: FeedEntry[] = []
  let scanned = 0
  for await (const entry of scan) {
    scanned++
    const shown = shownEntry(entry, cut.filter)
    if (shown !== undefined) items.push(shown)
    if (items.length >= cut.limit || scanned >= cut.budget) return { items, next: entry.seq }
  }
  return { items, next: laterSeq(cut.after, cut.watermark) }
}
