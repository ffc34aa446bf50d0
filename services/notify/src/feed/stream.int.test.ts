import type { App } from '@ecrs/http'
import { connectStore, type Store } from '@ecrs/store'
import { randomUscc, waitFor } from '@ecrs/testkit'
import { testInfra, uniqueName } from '@ecrs/testkit/vitest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FeedEntry } from '../types.js'
import { feedStore, type FeedStore } from './store.js'
import { bearer, eventsIn, feedApp, sseReader, type SseItem } from './testing/app.js'
import { abnormalListed, changeRecord, keptFanOut, registered, riskTo } from './testing/records.js'

/** GET /v1/changes/stream (contract §8) on a listening server, read as a client reads it. */
const infra = testInfra()
let store: Store
let feed: FeedStore
let app: App
let base: string
const fanOut = keptFanOut()
// The feed as the routes see it, counting the wake-up subscriptions that streams hold.
let subscribed = 0
let countingFeed: FeedStore

const listen = async (a: App): Promise<string> => {
  await a.listen({ port: 0, host: '127.0.0.1' })
  const address = a.server.address()
  if (address === null || typeof address === 'string') throw new Error('not listening')
  return `http://127.0.0.1:${address.port}`
}

beforeAll(async () => {
  store = await connectStore({ url: infra.mongoUrl, dbName: uniqueName('feedsse').replace(/-/g, '_') })
  feed = await feedStore(store, { now: () => new Date() })
  countingFeed = {
    ...feed,
    onVisible: (listener) => {
      subscribed++
      const off = feed.onVisible(listener)
      return () => {
        subscribed--
        off()
      }
    },
  }
  app = await feedApp({ feed: countingFeed, heartbeatMs: 100, pollMs: 50 })
  base = await listen(app)
})

afterAll(async () => {
  // Node's fetch opens a spare connection after a response it aborted, and never sends a request on
  // it; a closing server no longer times such a connection out, so it would hold close for a minute.
  const closing = app?.close()
  app?.server.closeAllConnections()
  await closing
  await store?.db.dropDatabase()
  await store?.close()
})

const agency = () => bearer({ role: 'agency', agency: 'samr.ln' })

/** Opens a stream; `close()` leaves as a client does (the connection goes). */
const open = async (path: string, headers: Record<string, string>, at = base) => {
  const abort = new AbortController()
  const res = await fetch(`${at}${path}`, { headers, signal: abort.signal })
  if (res.body === null) throw new Error('no body')
  const sse = sseReader(res.body)
  return {
    res,
    ...sse,
    close: () => {
      abort.abort()
      sse.cancel().catch(() => undefined)
    },
  }
}

const entriesIn = (items: readonly SseItem[]): FeedEntry[] =>
  eventsIn(items).map((e) => {
    const entry = JSON.parse(e.data) as FeedEntry
    expect(e.id).toBe(entry.seq)
    return entry
  })

/** Reads until `n` entries have arrived; answers them. */
const nEntries = async (s: Awaited<ReturnType<typeof open>>, n: number) =>
  entriesIn(await s.until((items) => entriesIn(items).length >= n)).slice(0, n)

describe('the change stream', () => {
  it('answers text/event-stream, uncached, and sends the entries recorded from now on as id/data events', async () => {
    const uscc = randomUscc()
    await feed.record([changeRecord({ uscc, changes: [registered] })], fanOut)
    const s = await open(`/v1/changes/stream?uscc=${uscc}`, await agency())
    try {
      expect(s.res.status).toBe(200)
      expect(s.res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
      expect(s.res.headers.get('cache-control')).toBe('no-store')
      expect(s.res.headers.get('x-accel-buffering')).toBe('no')
      expect(s.res.headers.get('x-correlation-id')).toBeTruthy()
      expect(s.res.headers.get('x-content-type-options')).toBe('nosniff')
      const later = await feed.record(
        [
          changeRecord({ uscc, changes: [abnormalListed('L1')] }),
          changeRecord({ uscc, changes: [riskTo('B')] }),
        ],
        fanOut,
      )
      expect(await nEntries(s, 2)).toEqual(later)
    } finally {
      s.close()
    }
  })

  it('resumes after Last-Event-ID (which wins over after), or after `after`', async () => {
    const uscc = randomUscc()
    const recorded = await feed.record(
      [1, 2, 3].map((i) => changeRecord({ uscc, changes: [abnormalListed(`R${i}`)] })),
      fanOut,
    )
    const headers = await agency()
    const resumed = await open(`/v1/changes/stream?uscc=${uscc}&after=${recorded[2]!.seq}`, {
      ...headers,
      'last-event-id': recorded[0]!.seq,
    })
    const fromAfter = await open(`/v1/changes/stream?uscc=${uscc}&after=${recorded[1]!.seq}`, headers)
    try {
      expect(await nEntries(resumed, 2)).toEqual(recorded.slice(1))
      expect(await nEntries(fromAfter, 1)).toEqual(recorded.slice(2))
      // Nothing else came before a heartbeat.
      const items = await fromAfter.until((seen) => seen.some((i) => 'comment' in i))
      expect(entriesIn(items)).toEqual(recorded.slice(2))
    } finally {
      resumed.close()
      fromAfter.close()
    }
  })

  it('sends a heartbeat comment when nothing was sent for heartbeatMs', async () => {
    const s = await open(`/v1/changes/stream?uscc=${randomUscc()}`, await agency())
    try {
      const items = await s.until((seen) => seen.length >= 2)
      expect(items).toEqual([{ comment: 'heartbeat' }, { comment: 'heartbeat' }])
    } finally {
      s.close()
    }
  })

  it('gives a firm its own entries without risk-class-changed', async () => {
    const firm = randomUscc()
    const s = await open('/v1/changes/stream', await bearer({ role: 'firm', uscc: firm }))
    try {
      const recorded = await feed.record(
        [
          changeRecord({ uscc: randomUscc(), changes: [registered] }),
          changeRecord({ uscc: firm, changes: [riskTo('D')] }),
          changeRecord({ uscc: firm, changes: [abnormalListed('F1'), riskTo('C', 'D')] }),
        ],
        fanOut,
      )
      expect(await nEntries(s, 1)).toEqual([{ ...recorded[2]!, changes: [abnormalListed('F1')] }])
    } finally {
      s.close()
    }
  })

  it('sees entries another process recorded (by polling the store)', async () => {
    const uscc = randomUscc()
    const s = await open(`/v1/changes/stream?uscc=${uscc}`, await agency())
    try {
      const elsewhere = await feedStore(store, { now: () => new Date() })
      const recorded = await elsewhere.record([changeRecord({ uscc, changes: [registered] })], keptFanOut())
      expect(await nEntries(s, 1)).toEqual(recorded)
    } finally {
      s.close()
      // This process's feed must learn of the other writer's entries before it records again.
      await feed.recover(fanOut)
    }
  })

  it('refuses no token (401), an admin (403) and a malformed Last-Event-ID (400)', async () => {
    const none = await fetch(`${base}/v1/changes/stream`)
    expect([none.status, ((await none.json()) as { code: string }).code]).toEqual([401, 'UNAUTHORIZED'])
    const admin = await fetch(`${base}/v1/changes/stream`, { headers: await bearer({ role: 'admin' }) })
    expect(admin.status).toBe(403)
    await admin.body?.cancel()
    const bad = await fetch(`${base}/v1/changes/stream`, {
      headers: { ...(await agency()), 'last-event-id': 'yesterday' },
    })
    expect([bad.status, ((await bad.json()) as { code: string }).code]).toEqual([400, 'REQUEST_INVALID'])
  })

  it('lets go of its timers and listeners when the client leaves', async () => {
    await waitFor(() => subscribed === 0, { what: 'no stream open' })
    const streams = await Promise.all([1, 2, 3].map(async () => open('/v1/changes/stream', await agency())))
    await waitFor(() => subscribed === 3, { what: 'three streams subscribed' })
    for (const s of streams) s.close()
    await waitFor(() => subscribed === 0, { what: 'every subscription released' })
  })
})

describe('a stream on a server with short request timeouts', () => {
  it('outlives the headers and body timeouts, and the server closes with streams open', async () => {
    const short = await feedApp({ feed, heartbeatMs: 50, pollMs: 50 }, { headersMs: 100, bodyMs: 200 })
    const at = await listen(short)
    const uscc = randomUscc()
    const s = await open(`/v1/changes/stream?uscc=${uscc}`, await agency(), at)
    let closed = false
    try {
      // 20 heartbeats of 50 ms: the stream has lived five body timeouts.
      await s.until((items) => items.filter((i) => 'comment' in i).length >= 20)
      const recorded = await feed.record([changeRecord({ uscc, changes: [registered] })], fanOut)
      expect(await nEntries(s, 1)).toEqual(recorded)
      await short.close()
      closed = true
      await s.ended()
    } finally {
      s.close()
      if (!closed) await short.close()
    }
  })
})
