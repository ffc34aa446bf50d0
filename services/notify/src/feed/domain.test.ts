import { CHANGE_KINDS, type Change, type ChangeKind } from '@ecrs/contracts'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { FeedEntry } from '../types.js'
import {
  FEED_START,
  collectPage,
  parseCursor,
  seqAfter,
  seqOf,
  shownEntry,
  type FeedFilter,
  type FeedPage,
} from './domain.js'

const entry = (n: number, changes: readonly Change[], uscc = 'U1', region = '210102'): FeedEntry => ({
  seq: seqOf(BigInt(n)),
  uscc,
  name: `E ${uscc}`,
  region,
  enterpriseKind: 'company',
  time: '2025-03-01T08:00:00.000Z',
  recordedAt: '2025-03-01T08:00:01.000Z',
  changes,
})
const risk: Change = { kind: 'risk-class-changed', from: 'A', to: 'B' }
const listed: Change = { kind: 'abnormal-listed', listingId: 'L1', reason: 'false-information' }
const registered: Change = { kind: 'registered' }

describe('seqs and cursors', () => {
  it('are zero-padded decimals whose string order is numeric order', () => {
    expect(seqOf(1n)).toBe('0000000000000001')
    expect(seqAfter(FEED_START)).toBe('0000000000000001')
    expect(seqAfter('0000000000000009')).toBe('0000000000000010')
    expect(seqOf(10n) > seqOf(9n)).toBe(true)
  })

  it.each([
    ['0000000000000012', '0000000000000012'],
    ['12', '0000000000000012'],
    ['0', FEED_START],
  ])('reads the cursor %s as %s', (given, seq) => expect(parseCursor(given)).toBe(seq))

  it.each(['', 'abc', '-1', '1.5', '00000000000000001', ' 1'])('refuses the cursor %j', (given) =>
    expect(parseCursor(given)).toBeUndefined(),
  )
})

describe('what a reader is shown of an entry', () => {
  const both = entry(1, [risk, listed], 'U1', '210102')
  const riskOnly = entry(2, [risk], 'U1', '210102')
  it.each<[string, FeedEntry, FeedFilter, readonly ChangeKind[] | undefined]>([
    ['no filter: everything', both, {}, ['risk-class-changed', 'abnormal-listed']],
    ['its uscc', both, { uscc: 'U1' }, ['risk-class-changed', 'abnormal-listed']],
    ['another uscc', both, { uscc: 'U2' }, undefined],
    ['a region prefix', both, { region: '2101' }, ['risk-class-changed', 'abnormal-listed']],
    ['another region', both, { region: '2102' }, undefined],
    [
      'kinds: any of them',
      both,
      { kinds: ['registered', 'abnormal-listed'] },
      ['risk-class-changed', 'abnormal-listed'],
    ],
    ['kinds: none of them', both, { kinds: ['registered'] }, undefined],
    ['kinds: empty = any', both, { kinds: [] }, ['risk-class-changed', 'abnormal-listed']],
    ['a firm: without risk-class-changed', both, { firm: true }, ['abnormal-listed']],
    ['a firm: an entry left empty is skipped', riskOnly, { firm: true }, undefined],
    ['a firm asking for risk-class-changed', both, { firm: true, kinds: ['risk-class-changed'] }, undefined],
  ])('%s', (_what, e, filter, kinds) => {
    expect(shownEntry(e, filter)?.changes.map((c) => c.kind)).toEqual(kinds)
  })
})

// ---- paging: every later matching entry exactly once, in order, from any cursor ----

async function* scanOf(entries: readonly FeedEntry[], after: string, watermark: string) {
  for (const e of entries) if (e.seq > after && e.seq <= watermark) yield e
}

const pageOf = (
  entries: readonly FeedEntry[],
  watermark: string,
  after: string,
  limit: number,
  budget: number,
  filter: FeedFilter,
) => collectPage(scanOf(entries, after, watermark), { after, watermark, limit, budget, filter })

/** Follows `next` from `after` until a page ends at the watermark; answers the items and the cursors seen. */
const follow = async (
  read: (after: string) => Promise<FeedPage>,
  after: string,
  watermark: string,
): Promise<{ items: FeedEntry[]; cursors: string[] }> => {
  const items: FeedEntry[] = []
  const cursors: string[] = []
  let cursor = after
  for (let guard = 0; guard < 10_000; guard++) {
    const page = await read(cursor)
    items.push(...page.items)
    if (page.next < cursor) throw new Error(`next ${page.next} went back from ${cursor}`)
    cursors.push(page.next)
    if (page.next >= watermark) return { items, cursors }
    if (page.next === cursor) throw new Error(`no progress at ${cursor}`)
    cursor = page.next
  }
  throw new Error('paging did not end')
}

const kindsArb = fc.subarray([...CHANGE_KINDS], { minLength: 1, maxLength: 3 })
// The other kinds' fields play no part in what a reader is shown.
const changeOf = (kind: ChangeKind): Change =>
  kind === 'risk-class-changed' ? risk : kind === 'abnormal-listed' ? listed : ({ kind } as Change)
const feedArb = fc
  .array(
    fc.record({
      uscc: fc.constantFrom('U1', 'U2', 'U3'),
      region: fc.constantFrom('210102', '210203', '110101'),
      kinds: kindsArb,
    }),
    { maxLength: 40 },
  )
  .map((rows) => rows.map((r, i) => entry(i + 1, r.kinds.map(changeOf), r.uscc, r.region)))
const filterArb: fc.Arbitrary<FeedFilter> = fc.record(
  {
    uscc: fc.constantFrom('U1', 'U2', 'U9'),
    region: fc.constantFrom('2', '2101', '210203', '3'),
    kinds: fc.subarray([...CHANGE_KINDS], { minLength: 1, maxLength: 4 }),
    firm: fc.boolean(),
  },
  { requiredKeys: [] },
)

describe('collectPage', () => {
  it('from any cursor, pages give every later matching entry exactly once, in order', async () => {
    await fc.assert(
      fc.asyncProperty(
        feedArb,
        filterArb,
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 12 }),
        fc.nat(),
        fc.nat(),
        fc.nat(),
        async (entries, filter, limit, budget, wmPick, startPick, firstLimit) => {
          const watermark = seqOf(BigInt(entries.length === 0 ? 0 : wmPick % (entries.length + 1)))
          const read = (l: number) => (after: string) => pageOf(entries, watermark, after, l, budget, filter)
          // Cursors a reader may hold: the start, any entry's seq, any `next` of a walk with another limit.
          const { cursors } = await follow(read((firstLimit % 5) + 1), FEED_START, watermark)
          const candidates = [FEED_START, ...entries.map((e) => e.seq), ...cursors]
          const start = candidates[startPick % candidates.length]!
          const { items } = await follow(read(limit), start, watermark)
          const expected = entries
            .filter((e) => e.seq > start && e.seq <= watermark)
            .flatMap((e) => shownEntry(e, filter) ?? [])
          expect(items).toEqual(expected)
        },
      ),
      { numRuns: 500 },
    )
  })

  it('answers an empty page with next at the watermark, never before the cursor', async () => {
    const entries = [entry(1, [registered]), entry(2, [listed])]
    expect(await pageOf(entries, seqOf(2n), FEED_START, 10, 100, { uscc: 'U9' })).toEqual({
      items: [],
      next: seqOf(2n),
    })
    expect(await pageOf(entries, seqOf(2n), seqOf(2n), 10, 100, {})).toEqual({ items: [], next: seqOf(2n) })
    expect(await pageOf(entries, seqOf(2n), seqOf(7n), 10, 100, {})).toEqual({ items: [], next: seqOf(7n) })
    expect(await pageOf([], FEED_START, FEED_START, 10, 100, {})).toEqual({ items: [], next: FEED_START })
  })

  it('ends a full page at its last item and a page whose budget ran out where the scan stopped', async () => {
    const entries = [1, 2, 3, 4, 5].map((n) => entry(n, [n % 2 === 0 ? listed : registered]))
    const wm = seqOf(5n)
    const full = await pageOf(entries, wm, FEED_START, 2, 100, {})
    expect([full.items.map((e) => e.seq), full.next]).toEqual([[seqOf(1n), seqOf(2n)], seqOf(2n)])
    const short = await pageOf(entries, wm, FEED_START, 10, 3, { kinds: ['abnormal-listed'] })
    expect([short.items.map((e) => e.seq), short.next]).toEqual([[seqOf(2n)], seqOf(3n)])
  })
})
