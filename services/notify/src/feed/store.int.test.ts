import { randomUscc } from '@ecrs/testkit'
import { testInfra, uniqueName } from '@ecrs/testkit/vitest'
import { connectStore, type Store } from '@ecrs/store'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FeedEntry } from '../types.js'
import { FEED_START, seqAfter, shownEntry, type FeedFilter } from './domain.js'
import { FEED_COLLECTIONS, feedStore, type EntryDoc, type FeedStore } from './store.js'
import { abnormalListed, changeRecord, keptFanOut, registered, riskTo } from './testing/records.js'

const infra = testInfra()
const now = () => new Date('2025-03-02T00:00:00.000Z')
let store: Store
let feed: FeedStore

beforeAll(async () => {
  store = await connectStore({ url: infra.mongoUrl, dbName: uniqueName('feed').replace(/-/g, '_') })
  feed = await feedStore(store, { now })
})

afterAll(async () => {
  await store?.db.dropDatabase()
  await store?.close()
})

/** Every visible entry of one enterprise, by paging (each test owns its enterprises). */
const entriesOf = async (f: FeedStore, uscc: string): Promise<FeedEntry[]> => {
  const items: FeedEntry[] = []
  let after = FEED_START
  for (;;) {
    const page = await f.page({ after, limit: 1000, uscc })
    items.push(...page.items)
    if (page.items.length < 1000) return items
    after = page.next
  }
}

describe('recording', () => {
  it('makes one entry per record, with seqs after the watermark, increasing and visible once recorded', async () => {
    const [a, b] = [randomUscc(), randomUscc()]
    const before = await feed.watermark()
    const fanOut = keptFanOut()
    const recorded = await feed.record(
      [
        changeRecord({ uscc: a, changes: [registered, riskTo('B')] }),
        changeRecord({ uscc: b, changes: [registered] }),
      ],
      fanOut,
    )
    expect(recorded.map((e) => e.seq)).toEqual([seqAfter(before), seqAfter(seqAfter(before))])
    expect(recorded[0]).toMatchObject({
      uscc: a,
      enterpriseKind: 'company',
      region: '210102',
      time: '2025-03-01T08:00:00.000Z',
      recordedAt: now().toISOString(),
      changes: [registered, riskTo('B')],
    })
    expect(fanOut.told).toEqual([recorded])
    expect(await feed.watermark()).toBe(recorded[1]!.seq)
    expect(await entriesOf(feed, a)).toEqual([recorded[0]])
    const more = await feed.record([changeRecord({ uscc: a, changes: [abnormalListed('L1')] })], fanOut)
    expect(more[0]!.seq > recorded[1]!.seq).toBe(true)
  })

  it('drops changes recorded before: the same record again makes no entry, a half-new one only its new changes', async () => {
    const uscc = randomUscc()
    const fanOut = keptFanOut()
    const first = changeRecord({ uscc, changes: [registered, riskTo('A')] })
    const [entry] = await feed.record([first], fanOut)
    expect(await feed.record([first], fanOut)).toEqual([])
    const half = changeRecord({ uscc, changes: [riskTo('A'), abnormalListed('L2')] })
    const [second] = await feed.record([half], fanOut)
    expect(second!.changes).toEqual([abnormalListed('L2')])
    expect(await entriesOf(feed, uscc)).toEqual([entry, second])
    expect(fanOut.told.flat()).toEqual([entry, second])
  })

  it('drops a record delivered twice within one batch', async () => {
    const uscc = randomUscc()
    const r = changeRecord({ uscc, changes: [abnormalListed('L3')] })
    const recorded = await feed.record([r, r], keptFanOut())
    expect(recorded).toHaveLength(1)
    expect(await entriesOf(feed, uscc)).toEqual(recorded)
  })

  it('tells the fan-out before readers can see the entries, and wakes listeners once they can', async () => {
    const uscc = randomUscc()
    const other = await feedStore(store, { now }) // a reader in another process
    let woken = 0
    const off = feed.onVisible(() => woken++)
    const seen: { watermark: string; visible: FeedEntry[] }[] = []
    const fanOut = keptFanOut(async () => {
      seen.push({ watermark: await other.watermark(), visible: await entriesOf(other, uscc) })
    })
    const before = await feed.watermark()
    const recorded = await feed.record([changeRecord({ uscc, changes: [registered] })], fanOut)
    off()
    expect(seen).toEqual([{ watermark: before, visible: [] }])
    expect(woken).toBe(1)
    expect(await entriesOf(other, uscc)).toEqual(recorded)
  })
})

describe('crash recovery', () => {
  it('an entry whose fan-out or watermark did not happen is made visible at start and told again, once', async () => {
    const uscc = randomUscc()
    const r = changeRecord({ uscc, changes: [registered, riskTo('C')] })
    const crashing = keptFanOut()
    crashing.failing = new Error('the process died here')
    const before = await feed.watermark()
    await expect(feed.record([r], crashing)).rejects.toThrow('the process died here')
    // Written, but no reader sees it.
    expect(await feed.watermark()).toBe(before)
    expect(await entriesOf(feed, uscc)).toEqual([])

    const restarted = await feedStore(store, { now })
    const fanOut = keptFanOut()
    await restarted.recover(fanOut)
    const expected = { seq: seqAfter(before), uscc, changes: [registered, riskTo('C')] }
    expect(fanOut.told).toMatchObject([[expected]])
    expect(await entriesOf(restarted, uscc)).toMatchObject([expected])
    // Kafka redelivers the record whose offset was not committed: no second entry, no second fan-out.
    expect(await restarted.record([r], fanOut)).toEqual([])
    expect(fanOut.told).toHaveLength(1)
    expect(await entriesOf(restarted, uscc)).toHaveLength(1)
    feed = restarted
  })

  it('entries written without their change ids (a torn batch) are recovered and the redelivery fills in the rest', async () => {
    const uscc = randomUscc()
    const r1 = changeRecord({ uscc, changes: [registered] })
    const r2 = changeRecord({ uscc, changes: [abnormalListed('L4')] })
    const before = await feed.watermark()
    // What record() had written when the process died: the first entry of the batch, nothing else.
    const torn: EntryDoc = {
      _id: seqAfter(before),
      uscc,
      name: r1.name,
      region: r1.region,
      enterpriseKind: r1.enterpriseKind,
      time: r1.time,
      recordedAt: now().toISOString(),
      changes: r1.changes,
      changeIds: r1.changeIds,
    }
    await store.db.collection<EntryDoc>(FEED_COLLECTIONS.entries).insertOne(torn)
    expect(await entriesOf(feed, uscc)).toEqual([])

    const restarted = await feedStore(store, { now })
    const fanOut = keptFanOut()
    // The redelivered batch, without an explicit recover(): record() recovers first.
    const recorded = await restarted.record([r1, r2], fanOut)
    expect(recorded.map((e) => [e.seq, e.changes])).toEqual([[seqAfter(seqAfter(before)), r2.changes]])
    expect(fanOut.told.map((batch) => batch.map((e) => e.seq))).toEqual([[torn._id], [recorded[0]!.seq]])
    expect((await entriesOf(restarted, uscc)).map((e) => [e.seq, e.changes])).toEqual([
      [torn._id, r1.changes],
      [recorded[0]!.seq, r2.changes],
    ])
    feed = restarted
  })

  it('after a failure in the same process, the next record() recovers before it records', async () => {
    const uscc = randomUscc()
    const r = changeRecord({ uscc, changes: [abnormalListed('L5')] })
    const fanOut = keptFanOut()
    fanOut.failing = new Error('deliveries unavailable')
    await expect(feed.record([r], fanOut)).rejects.toThrow('deliveries unavailable')
    fanOut.failing = undefined
    // The consumer retries the same batch.
    expect(await feed.record([r], fanOut)).toEqual([])
    expect(fanOut.told.flat().map((e) => e.changes)).toEqual([r.changes])
    expect(await entriesOf(feed, uscc)).toHaveLength(1)
  })

  it('a second writer with a stale counter overwrites nothing, and its retry records after the highest entry', async () => {
    const uscc = randomUscc()
    const second = await feedStore(store, { now })
    await second.recover(keptFanOut())
    const [first] = await feed.record([changeRecord({ uscc, changes: [registered] })], keptFanOut())
    const r = changeRecord({ uscc, changes: [abnormalListed('L8')] })
    await expect(second.record([r], keptFanOut())).rejects.toMatchObject({ code: 11000 })
    // Not a 4xx: the consumer retries, and the retry starts with a recovery.
    const [retried] = await second.record([r], keptFanOut())
    expect(retried!.seq).toBe(seqAfter(first!.seq))
    expect(await entriesOf(second, uscc)).toEqual([first, retried])
    feed = second
  })
})

describe('paging the stored feed', () => {
  it('answers range queries on _id in seq order on this store', async () => {
    const uscc = randomUscc()
    const recorded = await feed.record(
      Array.from({ length: 12 }, (_, i) => changeRecord({ uscc, changes: [abnormalListed(`R${i}`)] })),
      keptFanOut(),
    )
    const page = await feed.page({ after: recorded[2]!.seq, limit: 5, uscc })
    expect(page.items.map((e) => e.seq)).toEqual(recorded.slice(3, 8).map((e) => e.seq))
    expect(page.next).toBe(recorded[7]!.seq)
  })

  it('from any cursor, with any filter and limit, gives every later matching entry exactly once, in order', async () => {
    // A small scan budget, so that short pages (budget spent before the page filled) happen too.
    const paged = await feedStore(store, { now, scanBudget: 7 })
    const usccs = [randomUscc(), randomUscc(), randomUscc()] as const
    const recordArb = fc.record({
      uscc: fc.constantFrom(...usccs),
      region: fc.constantFrom('210102', '210203', '110101'),
      changes: fc.subarray([registered, riskTo('D'), abnormalListed('L6'), abnormalListed('L7')], {
        minLength: 1,
      }),
      time: fc
        .integer({ min: 0, max: 1e6 })
        .map((s) => new Date(Date.UTC(2025, 0, 1) + s * 1000).toISOString()),
    })
    const filterArb: fc.Arbitrary<FeedFilter> = fc.record(
      {
        uscc: fc.constantFrom(...usccs),
        region: fc.constantFrom('21', '210203', '11'),
        kinds: fc.subarray(['registered', 'risk-class-changed', 'abnormal-listed'] as const, {
          minLength: 1,
        }),
        firm: fc.boolean(),
      },
      { requiredKeys: [] },
    )
    const entries = store.db.collection<EntryDoc>(FEED_COLLECTIONS.entries)
    await fc.assert(
      fc.asyncProperty(
        fc.array(recordArb, { maxLength: 6 }),
        filterArb,
        fc.integer({ min: 1, max: 6 }),
        fc.nat(),
        async (records, filter, limit, pick) => {
          await paged.record(records.map(changeRecord), keptFanOut())
          const watermark = await paged.watermark()
          // The truth: the stored entries (read apart from page()), as the reader may see them.
          const all = (await entries.find({}).sort({ _id: 1 }).toArray()).map(
            ({ _id, changeIds: _ids, ...e }): FeedEntry => ({ seq: _id, ...e }),
          )
          const cursors = [FEED_START, ...all.slice(-20).map((e) => e.seq)]
          const start = cursors[pick % cursors.length]!
          const items: FeedEntry[] = []
          let after = start
          for (;;) {
            const page = await paged.page({ ...filter, after, limit })
            items.push(...page.items)
            expect(page.next >= after).toBe(true)
            if (page.next >= watermark) break
            after = page.next
          }
          const expected = all
            .filter((e) => e.seq > start && e.seq <= watermark)
            .flatMap((e) => shownEntry(e, filter) ?? [])
          expect(items).toEqual(expected)
          // An empty page at the end still says where to resume.
          expect(await paged.page({ ...filter, after: watermark, limit })).toEqual({
            items: [],
            next: watermark,
          })
        },
      ),
      { numRuns: 15 },
    )
    feed = paged
  })
})
