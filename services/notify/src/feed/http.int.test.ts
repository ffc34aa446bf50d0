import type { App } from '@ecrs/http'
import { connectStore, type Store } from '@ecrs/store'
import { randomUscc } from '@ecrs/testkit'
import { testInfra, uniqueName } from '@ecrs/testkit/vitest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FeedEntry } from '../types.js'
import { FEED_START } from './domain.js'
import { feedStore, type FeedStore } from './store.js'
import { bearer, feedApp } from './testing/app.js'
import { abnormalListed, changeRecord, keptFanOut, registered, riskTo } from './testing/records.js'

/** GET /v1/changes (contract §8): who sees what, paging, and what is refused. */
const infra = testInfra()
let store: Store
let feed: FeedStore
let app: App
const firm = randomUscc()
const other = randomUscc()
let recorded: FeedEntry[]

beforeAll(async () => {
  store = await connectStore({ url: infra.mongoUrl, dbName: uniqueName('feedhttp').replace(/-/g, '_') })
  feed = await feedStore(store, { now: () => new Date() })
  app = await feedApp({ feed, heartbeatMs: 1000 })
  recorded = await feed.record(
    [
      changeRecord({ uscc: firm, region: '210102', changes: [registered, riskTo('B')] }),
      changeRecord({ uscc: firm, region: '210102', changes: [riskTo('C', 'B')] }),
      changeRecord({ uscc: other, region: '110101', changes: [registered, riskTo('A')] }),
      changeRecord({ uscc: firm, region: '210102', changes: [abnormalListed('L1')] }),
    ],
    keptFanOut(),
  )
})

afterAll(async () => {
  await app?.close()
  await store?.db.dropDatabase()
  await store?.close()
})

const get = async (url: string, headers: Record<string, string> = {}) => {
  const res = await app.inject({ method: 'GET', url, headers })
  return { status: res.statusCode, body: res.json<Record<string, unknown>>() }
}
const page = async (url: string, headers: Record<string, string>) => {
  const res = await get(url, headers)
  expect(res.status).toBe(200)
  return res.body as { items: FeedEntry[]; next: string }
}

describe('rights', () => {
  it.each(['/v1/changes', '/v1/changes/stream'])(
    '%s: no token → 401, a bad token → 401, admin → 403',
    async (url) => {
      expect((await get(url)).body).toMatchObject({ statusCode: 401, code: 'UNAUTHORIZED' })
      expect((await get(url, { authorization: 'Bearer nonsense' })).status).toBe(401)
      expect((await get(url, await bearer({ role: 'admin' }))).body).toMatchObject({
        statusCode: 403,
        code: 'FORBIDDEN',
      })
    },
  )

  it.each(['/v1/changes', '/v1/changes/stream'])(
    '%s: a firm asking for another enterprise → 403',
    async (url) => {
      const res = await get(`${url}?uscc=${other}`, await bearer({ role: 'firm', uscc: firm }))
      expect(res.body).toMatchObject({ statusCode: 403, code: 'FORBIDDEN' })
    },
  )

  it('agencies and regulators see every entry, whole', async () => {
    for (const role of [{ role: 'agency', agency: 'samr.ln' }, { role: 'regulator' }] as const) {
      const { items } = await page('/v1/changes', await bearer(role))
      expect(items).toEqual(recorded)
    }
  })

  it('a firm sees its own entries only, never risk-class-changed, and not an entry left without changes', async () => {
    const headers = await bearer({ role: 'firm', uscc: firm })
    const own = await page('/v1/changes', headers)
    expect(own.items.map((e) => [e.seq, e.changes])).toEqual([
      [recorded[0]!.seq, [registered]],
      [recorded[3]!.seq, [abnormalListed('L1')]],
    ])
    expect(await page(`/v1/changes?uscc=${firm}`, headers)).toEqual(own)
    expect((await page('/v1/changes?kinds=risk-class-changed', headers)).items).toEqual([])
  })
})

describe('filters and paging', () => {
  const agency = () => bearer({ role: 'agency', agency: 'samr.ln' })

  it('filters by uscc, region prefix and kinds', async () => {
    const headers = await agency()
    expect((await page(`/v1/changes?uscc=${other}`, headers)).items).toEqual([recorded[2]])
    expect((await page('/v1/changes?region=11', headers)).items).toEqual([recorded[2]])
    expect((await page('/v1/changes?kinds=abnormal-listed,registered', headers)).items).toEqual([
      recorded[0],
      recorded[2],
      recorded[3],
    ])
  })

  it('pages by limit and next, exclusive, and an empty page still returns next', async () => {
    const headers = await agency()
    const first = await page('/v1/changes?limit=3', headers)
    expect(first).toEqual({ items: recorded.slice(0, 3), next: recorded[2]!.seq })
    const second = await page(`/v1/changes?limit=3&after=${first.next}`, headers)
    expect(second).toEqual({ items: [recorded[3]], next: recorded[3]!.seq })
    expect(await page(`/v1/changes?after=${second.next}`, headers)).toEqual({ items: [], next: second.next })
    expect(await page(`/v1/changes?after=${recorded[1]!.seq}`, headers)).toEqual({
      items: recorded.slice(2),
      next: recorded[3]!.seq,
    })
    // No match at all: next is still the end of what was read, so the caller does not read it again.
    expect(await page(`/v1/changes?uscc=${randomUscc()}`, headers)).toEqual({
      items: [],
      next: recorded[3]!.seq,
    })
    expect(await page(`/v1/changes?after=${FEED_START}&limit=1`, headers)).toEqual({
      items: [recorded[0]],
      next: recorded[0]!.seq,
    })
  })

  it.each([
    'limit=0',
    'limit=1001',
    'limit=ten',
    'kinds=banned',
    'kinds=registered,banned',
    'kinds=registered,,abnormal-listed',
    'kinds=',
    'after=abc',
    'after=-1',
    'after=00000000000000001',
    'uscc=123',
    `uscc=${firm.slice(0, 17)}${firm.endsWith('0') ? '1' : '0'}`, // a wrong check character
    'region=21a',
    'colour=red',
    'limit=1&limit=2',
  ])('?%s → 400 QUERY_INVALID', async (query) => {
    const res = await get(`/v1/changes?${query}`, await agency())
    expect(res.body).toMatchObject({ statusCode: 400, code: 'QUERY_INVALID' })
  })

  it('refuses HEAD on the stream (it would open a stream without a body)', async () => {
    const res = await app.inject({ method: 'HEAD', url: '/v1/changes/stream', headers: await agency() })
    expect(res.statusCode).toBe(405)
  })

  it('documents both routes in /openapi.json', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<{
      paths: Record<string, Record<string, unknown>>
    }>()
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/changes', '/v1/changes/stream']))
    expect(doc.paths['/v1/changes']!['get']).toMatchObject({ parameters: expect.any(Array) })
  })
})
