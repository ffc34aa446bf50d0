import { connectStore, type Store } from '@ecrs/store'
import { randomUscc } from '@ecrs/testkit'
import { testInfra, uniqueName } from '@ecrs/testkit/vitest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { profileStore, regionPrefixes, type EnterpriseDoc, type ProfileStore } from './store.js'

const infra = testInfra()
let store: Store

beforeAll(async () => {
  store = await connectStore({
    url: infra.mongoUrl,
    dbName: uniqueName('cp_store').replace(/[^A-Za-z0-9_]/g, '_'),
  })
})
afterAll(async () => {
  await store?.close()
})

type Summary = Partial<Pick<EnterpriseDoc, 'riskClass' | 'abnormalActive' | 'seriousActive'>> & {
  region?: string
}
/** A stored enterprise as the projector writes it (the history stands in for a long one). */
const doc = (uscc: string, version: number, s: Summary | undefined): EnterpriseDoc => ({
  _id: uscc,
  version,
  events: [
    {
      source: 'samr.ln',
      id: `e-${uscc}`,
      type: 'enterprise.registered',
      subject: uscc,
      time: '2020-01-02T09:00:00+08:00',
      recordedAt: '2020-01-02T01:00:00.000Z',
      data: JSON.stringify({ pad: 'x'.repeat(2000) }),
    },
  ],
  outcomes: [],
  decisions: [],
  registered: s !== undefined,
  updatedAt: new Date(),
  ...(s === undefined
    ? {}
    : {
        name: `Co ${uscc}`,
        region: s.region ?? '210102',
        regionPrefixes: regionPrefixes(s.region ?? '210102'),
        riskClass: s.riskClass ?? 'A',
        abnormalActive: s.abnormalActive ?? false,
        seriousActive: s.seriousActive ?? false,
      }),
})
const stats = (enterprises: number, A: number, B: number, C: number, D: number, ab: number, se: number) => ({
  enterprises,
  byRiskClass: { A, B, C, D },
  abnormalActive: ab,
  seriousActive: se,
})

describe('search and stats beside the profiles', () => {
  let profiles: ProfileStore
  const [a, b, c] = [randomUscc(), randomUscc(), randomUscc()].sort()
  const collection = 'enterprises_counted'

  beforeAll(async () => {
    profiles = await profileStore(store, collection)
  })

  it('keeps the counters with every write: new, changed, registered later', async () => {
    expect(await profiles.stats()).toEqual(stats(0, 0, 0, 0, 0, 0, 0))
    expect(await profiles.put(doc(a!, 1, { riskClass: 'A' }), 0)).toBe(true)
    expect(await profiles.put(doc(b!, 1, undefined), 0)).toBe(true) // events before registration
    expect(await profiles.stats()).toEqual(stats(1, 1, 0, 0, 0, 0, 0))
    await Promise.all([
      profiles.put(doc(a!, 2, { riskClass: 'D', abnormalActive: true, seriousActive: true }), 1),
      profiles.put(doc(b!, 2, { riskClass: 'C', abnormalActive: true, region: '110105' }), 1),
      profiles.put(doc(c!, 1, { riskClass: 'B', region: '210203' }), 0),
    ])
    expect(await profiles.stats()).toEqual(stats(3, 0, 1, 1, 1, 2, 1))
    await profiles.put(doc(a!, 3, { riskClass: 'B' }), 2)
    expect(await profiles.stats()).toEqual(stats(3, 0, 2, 1, 0, 1, 0))
  })

  it('answers search from the summaries: class, listing, region prefix, limit and cursor', async () => {
    const ids = async (q: Parameters<ProfileStore['search']>[0]) =>
      (await profiles.search(q)).map((r) => r._id)
    expect(await ids({ limit: 10 })).toEqual([a, b, c])
    expect(await ids({ riskClass: 'B', limit: 10 })).toEqual([a, c])
    expect(await ids({ listed: 'abnormal', limit: 10 })).toEqual([b])
    expect(await ids({ listed: 'serious', limit: 10 })).toEqual([])
    expect(await ids({ region: '21', limit: 10 })).toEqual([a, c])
    expect(await ids({ region: '2101', limit: 10 })).toEqual([a])
    expect(await ids({ limit: 1 })).toEqual([a])
    expect(await ids({ after: a!, limit: 10 })).toEqual([b, c])
    expect(await profiles.search({ region: '1101', limit: 10 })).toEqual([
      { _id: b, name: `Co ${b}`, region: '110105', riskClass: 'C' },
    ])
  })

  it('never reads the profile documents to search or count (written behind its back: not seen)', async () => {
    const hidden = randomUscc()
    await store.db
      .collection<EnterpriseDoc>(collection)
      .insertOne(doc(hidden, 1, { riskClass: 'D', seriousActive: true }))
    expect(await profiles.stats()).toEqual(stats(3, 0, 2, 1, 0, 1, 0))
    expect((await profiles.search({ riskClass: 'D', limit: 10 })).map((r) => r._id)).toEqual([])
    await store.db.collection<EnterpriseDoc>(collection).deleteOne({ _id: hidden })
  })

  it('keeps summaries lean: no history, no profile', async () => {
    const s = await store.db.collection(`${collection}_summary`).findOne({ _id: a as never })
    expect(Object.keys(s ?? {}).sort()).toEqual(
      [
        '_id',
        'abnormalActive',
        'name',
        'region',
        'regionPrefixes',
        'registered',
        'riskClass',
        'seriousActive',
        'version',
      ].sort(),
    )
  })
})

describe('a collection projected before the counters existed', () => {
  it('is summarised and counted once, when the store opens it', async () => {
    const collection = 'enterprises_legacy'
    const [x, y, z] = [randomUscc(), randomUscc(), randomUscc()].sort()
    await store.db
      .collection<EnterpriseDoc>(collection)
      .insertMany([
        doc(x!, 4, { riskClass: 'C', abnormalActive: true }),
        doc(y!, 2, { riskClass: 'D', seriousActive: true, region: '110105' }),
        doc(z!, 1, undefined),
      ])
    const profiles = await profileStore(store, collection)
    expect(await profiles.stats()).toEqual(stats(2, 0, 0, 1, 1, 1, 1))
    expect((await profiles.search({ region: '11', limit: 10 })).map((r) => r._id)).toEqual([y])
    expect(await profiles.all(undefined, 10)).toEqual([x, y, z])
    // Opened again (a restart): counted already, not again; later writes move the counters.
    const reopened = await profileStore(store, collection)
    await reopened.put(doc(x!, 5, { riskClass: 'A' }), 4)
    expect(await reopened.stats()).toEqual(stats(2, 1, 0, 0, 1, 0, 1))
  })
})
