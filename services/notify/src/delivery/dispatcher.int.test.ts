import { connectStore, type Store } from '@ecrs/store'
import { metricValue, randomUscc, waitFor } from '@ecrs/testkit'
import { testInfra, uniqueName } from '@ecrs/testkit/vitest'
import { pino } from 'pino'
import { Registry } from 'prom-client'
import { Webhook } from 'standardwebhooks'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  newSecret,
  newSubscriptionId,
  subscriptionStore,
  type DeliveryListing,
  type Subscription,
  type SubscriptionStore,
} from '../subscriptions/index.js'
import { dispatcher, type Dispatcher, type DispatcherDeps } from './dispatcher.js'
import { feedEntry, listed, receiver, riskChanged, type Receiver } from './testing/receiver.js'
import { urlGuard } from './url-guard.js'

const infra = testInfra()
const dbName = uniqueName('notify_dispatch').replace(/[^A-Za-z0-9_]/g, '_')
const log = pino({ level: 'silent' })
const guard = urlGuard({ production: false })
let store: Store
let fileTests = 0

// What each test starts, stopped and closed after it.
const running: Dispatcher[] = []
const receivers: Receiver[] = []

beforeAll(async () => {
  store = await connectStore({ url: infra.mongoUrl, dbName })
})

afterEach(async () => {
  await Promise.all(running.splice(0).map((d) => d.stop()))
  await Promise.all(receivers.splice(0).map((r) => r.close()))
})

afterAll(async () => {
  await store?.db.dropDatabase().catch(() => undefined)
  await store?.close()
})

/** Collections of the test's own, and a factory of dispatchers on them. */
const setup = async (over: Partial<DispatcherDeps> = {}) => {
  const n = ++fileTests
  const subscriptions = await subscriptionStore(store, `subscriptions_${n}`)
  const make = (more: Partial<DispatcherDeps> = {}): Dispatcher & { registry: Registry } => {
    const registry = new Registry()
    const d = dispatcher({
      store,
      subscriptions,
      guard,
      log,
      metrics: registry,
      retryScheduleMs: [50, 100],
      timeoutMs: 5000,
      receiverConcurrency: 4,
      concurrency: 16,
      reloadMs: 200,
      collection: `deliveries_${n}`,
      ...over,
      ...more,
    })
    running.push(d)
    return Object.assign(d, { registry })
  }
  return { subscriptions, make }
}

const listen = async (...args: Parameters<typeof receiver>): Promise<Receiver> => {
  const r = await receiver(...args)
  receivers.push(r)
  return r
}

const subscribe = async (
  subscriptions: SubscriptionStore,
  url: string,
  over: Partial<Subscription> = {},
): Promise<Subscription> => {
  const at = new Date()
  const s: Subscription = {
    _id: newSubscriptionId(),
    owner: { role: 'agency', sub: 'agency-user', agency: 'samr.ln' },
    url,
    kinds: [],
    status: 'active',
    secrets: [{ secret: newSecret() }],
    createdAt: at,
    updatedAt: at,
    ...over,
  }
  await subscriptions.insert(s)
  return s
}

const listing = async (d: Dispatcher, subscriptionId: string): Promise<DeliveryListing[]> =>
  d.deliveries(subscriptionId, { limit: 1000 })

const verified = (s: Subscription, r: Receiver['received'][number]) =>
  new Webhook(s.secrets[0]!.secret).verify(r.body, r.headers as Record<string, string>)

describe('the dispatcher', () => {
  it('retries a 500 with the same webhook-id, and the delivery ends delivered after 2 attempts', async () => {
    const { subscriptions, make } = await setup()
    const r = await listen((_r, n) => (n === 0 ? 500 : 200))
    const s = await subscribe(subscriptions, r.url)
    const d = make()
    await d.start()
    const entry = feedEntry(randomUscc(), [listed()])
    await d.entriesRecorded([entry])
    const [item] = await waitFor(
      async () => {
        const items = await listing(d, s._id)
        return items[0]?.status === 'delivered' && items
      },
      { what: 'the delivery delivered' },
    )
    expect(item).toMatchObject({ seq: entry.seq, status: 'delivered', attempts: 2, lastStatusCode: 200 })
    expect(item?.nextAttemptAt).toBeUndefined()
    expect(r.received).toHaveLength(2)
    expect(r.received[0]!.id).toBe(item!.deliveryId)
    expect(r.received[1]!.id).toBe(item!.deliveryId)
    for (const got of r.received) {
      expect(got.headers['content-type']).toBe('application/json')
      expect(got.headers['webhook-timestamp']).toMatch(/^\d{10}$/)
      expect(verified(s, got)).toEqual({ type: 'profile.changed', timestamp: entry.recordedAt, data: entry })
    }
    const text = await d.registry.metrics()
    expect(metricValue(text, 'ecrs_notify_deliveries_total', { result: 'retry' })).toBe(1)
    expect(metricValue(text, 'ecrs_notify_deliveries_total', { result: 'delivered' })).toBe(1)
    expect(metricValue(text, 'ecrs_notify_attempt_seconds_count')).toBe(2)
    expect(metricValue(text, 'ecrs_notify_pending')).toBe(0)
    expect(metricValue(text, 'ecrs_notify_oldest_pending_seconds')).toBe(0)
  })

  it('creates each delivery once, however often the feed tells an entry', async () => {
    const { subscriptions, make } = await setup()
    const r = await listen()
    const s = await subscribe(subscriptions, r.url)
    const d = make()
    const entry = feedEntry(randomUscc(), [listed()])
    await d.entriesRecorded([entry])
    await d.entriesRecorded([entry, entry])
    await d.start()
    await waitFor(async () => (await listing(d, s._id))[0]?.status === 'delivered', { what: 'delivered' })
    await d.entriesRecorded([entry])
    expect(await listing(d, s._id)).toHaveLength(1)
    expect(r.received).toHaveLength(1)
  })

  it('fails a delivery after the schedule; retryNow makes it pending and it is delivered once the receiver recovers', async () => {
    const { subscriptions, make } = await setup()
    const r = await listen(() => 503)
    const s = await subscribe(subscriptions, r.url)
    const d = make()
    await d.start()
    await d.entriesRecorded([feedEntry(randomUscc(), [listed()])])
    const [failed] = await waitFor(
      async () => {
        const items = await listing(d, s._id)
        return items[0]?.status === 'failed' && items
      },
      { what: 'the delivery failed' },
    )
    // One attempt and one per wait of the schedule (50ms, 100ms).
    expect(failed).toMatchObject({ status: 'failed', attempts: 3, lastStatusCode: 503 })
    expect(failed?.nextAttemptAt).toBeUndefined()
    expect(r.received).toHaveLength(3)
    expect(
      metricValue(await d.registry.metrics(), 'ecrs_notify_deliveries_total', { result: 'failed' }),
    ).toBe(1)

    r.answer = () => 204
    expect(await d.retryNow(s._id, failed!.deliveryId)).toBe(true)
    await waitFor(async () => (await listing(d, s._id))[0]?.status === 'delivered', {
      what: 'delivered by hand',
    })
    expect((await listing(d, s._id))[0]).toMatchObject({ attempts: 4, lastStatusCode: 204 })
    expect(new Set(r.received.map((x) => x.id))).toEqual(new Set([failed!.deliveryId]))
    expect(await d.retryNow(s._id, 'msg_none')).toBe(false)
    expect(await d.retryNow('sub_other', failed!.deliveryId)).toBe(false)
  })

  it('delivers one enterprise’s entries in seq order: a later one waits while an earlier one waits for its retry', async () => {
    const { subscriptions, make } = await setup({ retryScheduleMs: Array.from({ length: 20 }, () => 50) })
    const uscc = randomUscc()
    const first = feedEntry(uscc, [listed('L-1')])
    const second = feedEntry(uscc, [listed('L-2')])
    const third = feedEntry(uscc, [listed('L-3')])
    const elsewhere = feedEntry(randomUscc(), [listed('L-9')])
    // The first entry is refused once, and until the other enterprise's entry has arrived: were that
    // one held behind the retries, the first would never get through and would end failed.
    let firstTries = 0
    const r = await listen((got) =>
      got.entry.seq === first.seq &&
      (++firstTries === 1 || !r.received.some((x) => x.entry.seq === elsewhere.seq))
        ? 500
        : 200,
    )
    const s = await subscribe(subscriptions, r.url)
    const d = make()
    await d.start()
    await d.entriesRecorded([first, second, elsewhere])
    await d.entriesRecorded([third])
    await waitFor(async () => (await listing(d, s._id)).every((x) => x.status === 'delivered'), {
      what: 'all four delivered',
    })
    const mine = r.received.filter((x) => x.entry.uscc === uscc).map((x) => x.entry.seq)
    const tries = mine.filter((seq) => seq === first.seq).length
    expect(tries).toBeGreaterThanOrEqual(2)
    expect(mine).toEqual([...Array<string>(tries).fill(first.seq), second.seq, third.seq])
    expect((await listing(d, s._id)).find((x) => x.seq === first.seq)).toMatchObject({ attempts: tries })
  })

  it('a receiver that never answers does not delay another receiver’s deliveries', async () => {
    const { subscriptions, make } = await setup({ timeoutMs: 60_000, receiverConcurrency: 2, concurrency: 8 })
    const hanging = await listen(() => 'hang')
    const fast = await listen()
    const h = await subscribe(subscriptions, hanging.url)
    const f = await subscribe(subscriptions, fast.url)
    const d = make()
    await d.start()
    const entries = Array.from({ length: 6 }, () => feedEntry(randomUscc(), [listed()]))
    await d.entriesRecorded(entries)
    await waitFor(() => fast.received.length === entries.length && hanging.hanging === 2, {
      what: 'every entry at the fast receiver, two held by the hanging one',
    })
    expect(new Set(fast.received.map((x) => x.entry.seq))).toEqual(new Set(entries.map((e) => e.seq)))
    // Meanwhile the hanging receiver holds its two slots, still unanswered, and nothing else went there.
    expect(hanging.hanging).toBe(2)
    expect(hanging.received).toHaveLength(2)
    expect((await listing(d, h._id)).every((x) => x.status === 'pending' && x.attempts === 0)).toBe(true)
    expect((await listing(d, f._id)).length).toBe(entries.length)
  })

  it('after a restart, a new dispatcher on the same store delivers everything the first one had not', async () => {
    const { subscriptions, make } = await setup()
    const r = await listen()
    const s = await subscribe(subscriptions, r.url)
    const a = make()
    const twice = randomUscc()
    const entries = [
      feedEntry(twice, [listed('L-1')]),
      feedEntry(randomUscc(), [listed()]),
      feedEntry(twice, [listed('L-2')]),
      feedEntry(randomUscc(), [listed()]),
      feedEntry(twice, [listed('L-3')]),
    ]
    await a.entriesRecorded(entries) // recorded, never started: as if killed before sending
    await a.stop()
    expect(r.received).toHaveLength(0)
    const b = make()
    await b.start()
    await waitFor(
      async () => (await listing(b, s._id)).filter((x) => x.status === 'delivered').length === 5,
      {
        what: 'all five delivered by the second dispatcher',
      },
    )
    expect(new Set(r.received.map((x) => x.entry.seq))).toEqual(new Set(entries.map((e) => e.seq)))
    const sameEnterprise = r.received.filter((x) => x.entry.uscc === twice).map((x) => x.entry.seq)
    expect(sameEnterprise).toEqual([entries[0]!.seq, entries[2]!.seq, entries[4]!.seq])
  })

  it('a delivery whose receiver was down while the first dispatcher ran is delivered by the next one', async () => {
    const { subscriptions, make } = await setup({ retryScheduleMs: [50, 100, 200, 400, 800, 1600, 3200] })
    const r = await listen(() => 200)
    const port = r.port
    await r.close()
    receivers.splice(receivers.indexOf(r), 1)
    const s = await subscribe(subscriptions, r.url)
    const a = make()
    await a.start()
    const entry = feedEntry(randomUscc(), [listed()])
    await a.entriesRecorded([entry])
    await waitFor(async () => ((await listing(a, s._id))[0]?.attempts ?? 0) >= 2, {
      what: 'two refused attempts',
    })
    await a.stop()
    expect((await listing(a, s._id))[0]).toMatchObject({ status: 'pending', lastError: 'ECONNREFUSED' })
    const back = await listen(() => 200, port)
    const b = make()
    await b.start()
    await waitFor(async () => (await listing(b, s._id))[0]?.status === 'delivered', {
      what: 'delivered by B',
    })
    expect(back.received.map((x) => x.entry.seq)).toEqual([entry.seq])
  })

  it('a firm’s subscription never gets risk-class-changed, nor another enterprise', async () => {
    const { subscriptions, make } = await setup()
    const firmUscc = randomUscc()
    const r = await listen()
    const s = await subscribe(subscriptions, r.url, {
      owner: { role: 'firm', sub: 'firm-user', uscc: firmUscc },
      usccs: [firmUscc],
    })
    const agency = await subscribe(subscriptions, r.url, { usccs: [firmUscc] })
    const d = make()
    await d.start()
    const onlyRisk = feedEntry(firmUscc, [riskChanged])
    const both = feedEntry(firmUscc, [riskChanged, listed()])
    const another = feedEntry(randomUscc(), [listed()])
    await d.entriesRecorded([onlyRisk, both, another])
    expect((await listing(d, s._id)).map((x) => x.seq)).toEqual([both.seq])
    expect((await listing(d, agency._id)).map((x) => x.seq)).toEqual([onlyRisk.seq, both.seq])
    await waitFor(() => r.received.length === 3, { what: 'three deliveries' })
    const firmIds = new Set((await listing(d, s._id)).map((x) => x.deliveryId))
    const firmGot = r.received.filter((x) => firmIds.has(x.id))
    expect(firmGot).toHaveLength(1)
    expect(firmGot[0]!.entry.changes).toEqual([listed()])
    expect(verified(s, firmGot[0]!)).toMatchObject({ data: { seq: both.seq, changes: [listed()] } })
    expect(r.received.some((x) => x.entry.uscc !== firmUscc)).toBe(false)
  })

  it('holds a paused subscription’s deliveries pending and sends them when it is active again', async () => {
    const { subscriptions, make } = await setup()
    const paused = await listen()
    const active = await listen()
    const p = await subscribe(subscriptions, paused.url, { status: 'paused' })
    await subscribe(subscriptions, active.url)
    const d = make()
    await d.start()
    const entry = feedEntry(randomUscc(), [listed()])
    await d.entriesRecorded([entry])
    // The same entry reached the active subscription: the paused one was due as early and got nothing.
    await waitFor(() => active.received.length === 1, { what: 'the active subscription served' })
    expect(paused.received).toHaveLength(0)
    expect(await listing(d, p._id)).toMatchObject([{ status: 'pending', attempts: 0 }])
    await subscriptions.replace({ ...p, status: 'active', updatedAt: new Date() })
    await d.subscriptionChanged(p._id)
    await waitFor(() => paused.received.length === 1, { what: 'the resumed subscription served' })
    expect(paused.received[0]!.entry.seq).toBe(entry.seq)
  })

  it('sees a subscription paused and resumed by another process on its next reading', async () => {
    const { subscriptions, make } = await setup()
    const r = await listen()
    const s = await subscribe(subscriptions, r.url, { status: 'paused' })
    const d = make({ reloadMs: 50 })
    await d.start()
    await d.entriesRecorded([feedEntry(randomUscc(), [listed()])])
    await subscriptions.replace({ ...s, status: 'active', updatedAt: new Date(s.updatedAt.getTime() + 1) })
    await waitFor(() => r.received.length === 1, { what: 'delivered after the reload' })
  })

  it('keeps an attempt’s result in memory while the store does not answer, and writes it when it does', async () => {
    let down = false
    // The store's writes fail as a driver's do when the server is gone; reads still answer.
    const faulty: Store = {
      ...store,
      write: (fn) => (down ? Promise.reject(new Error('connection refused: store down')) : store.write(fn)),
    }
    const { subscriptions, make } = await setup({ store: faulty })
    const r = await listen(() => 200)
    const s = await subscribe(subscriptions, r.url)
    const d = make()
    await d.entriesRecorded([feedEntry(randomUscc(), [listed()])])
    down = true
    await d.start()
    await waitFor(() => r.received.length === 1, { what: 'the attempt' })
    // Sent, but the store still has it as it was: the state waits in memory.
    expect(await listing(d, s._id)).toMatchObject([{ status: 'pending', attempts: 0 }])
    down = false
    await waitFor(async () => (await listing(d, s._id))[0]?.status === 'delivered', {
      what: 'the state written after the outage',
    })
    expect(r.received).toHaveLength(1)
  })

  it('sends a delivery whose insert went through though the feed’s call failed, when the feed tells it again', async () => {
    let loseAnswers = true
    // The write is done, the answer lost (the connection dropped after the server applied it).
    const flaky: Store = {
      ...store,
      write: (fn) =>
        loseAnswers
          ? store.write(fn).then(() => Promise.reject(new Error('connection reset after the write')))
          : store.write(fn),
    }
    const { subscriptions, make } = await setup({ store: flaky })
    const r = await listen()
    const s = await subscribe(subscriptions, r.url)
    const d = make()
    await d.start()
    const entry = feedEntry(randomUscc(), [listed()])
    await expect(d.entriesRecorded([entry])).rejects.toThrow('connection reset')
    expect(await listing(d, s._id)).toMatchObject([{ status: 'pending', attempts: 0 }])
    loseAnswers = false
    await d.entriesRecorded([entry])
    await waitFor(async () => (await listing(d, s._id))[0]?.status === 'delivered', { what: 'delivered' })
    expect(r.received.map((x) => x.entry.seq)).toEqual([entry.seq])
  })

  it('drops the deliveries of a deleted subscription', async () => {
    const { subscriptions, make } = await setup()
    const r = await listen()
    const s = await subscribe(subscriptions, r.url, { status: 'paused' })
    const d = make()
    await d.start()
    await d.entriesRecorded([feedEntry(randomUscc(), [listed()])])
    expect(await listing(d, s._id)).toHaveLength(1)
    await subscriptions.remove(s._id)
    await d.subscriptionDeleted(s._id)
    expect(await listing(d, s._id)).toHaveLength(0)
    expect(metricValue(await d.registry.metrics(), 'ecrs_notify_pending')).toBe(0)
  })
})
