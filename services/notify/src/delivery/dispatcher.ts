/**
 * Webhook deliveries (contract §8): the feed tells the dispatcher of entries it recorded; each
 * matching subscription gets a delivery document (id from subscription + seq, so telling again
 * creates nothing), and the dispatcher POSTs it, signed, until a 2xx or the end of the schedule.
 *
 * Scheduling: pending deliveries are read from the store once, at start; after that the queue in
 * memory (queue.ts) is the schedule — lanes per subscription and enterprise for `seq` order, one
 * timer for the next due attempt, ready lanes per receiver within both concurrency limits — and the
 * store is written by `_id` after every attempt (persist.ts), never scanned again.
 */
import type { Store } from '@ecrs/store'
import type { Logger } from 'pino'
import type { Registry } from 'prom-client'
import { signingSecrets, type DeliveryDesk, type SubscriptionStore } from '../subscriptions/index.js'
import type { FanOut } from '../types.js'
import { deliveriesOf, listingOf, queued } from './docs.js'
import { deliveryMetrics, type AttemptResult } from './metrics.js'
import { persister, stateOf } from './persist.js'
import { postWebhook, type AttemptOutcome } from './post.js'
import { deliveryQueue, type QueuedDelivery } from './queue.js'
import { retryDelay } from './schedule.js'
import { signedHeaders } from './sign.js'
import { deliveryStore } from './store.js'
import { subscriptionCache } from './subscription-index.js'
import type { UrlGuard } from './url-guard.js'

export interface DispatcherDeps {
  readonly store: Store
  readonly subscriptions: SubscriptionStore
  readonly guard: UrlGuard
  readonly log: Logger
  /** Where the metrics go (the app's registry, `app.metrics`). */
  readonly metrics: Registry
  /** Waits after each failed attempt, in ms (`parseSchedule(NOTIFY_RETRY_SCHEDULE)`). */
  readonly retryScheduleMs: readonly number[]
  /** An attempt without an answer by then has failed (NOTIFY_TIMEOUT_MS). */
  readonly timeoutMs: number
  /** Attempts in flight to one receiver (NOTIFY_RECEIVER_CONCURRENCY). */
  readonly receiverConcurrency: number
  /** Attempts in flight in all (NOTIFY_CONCURRENCY). */
  readonly concurrency: number
  /** How often subscriptions changed by another process are read again; 5000 ms by default. */
  readonly reloadMs?: number
  /** The deliveries collection; `deliveries` by default. */
  readonly collection?: string
  readonly now?: () => Date
}

/** The fan-out of the feed and the sender of webhooks. */
export interface Dispatcher extends FanOut, DeliveryDesk {
  /** Reads subscriptions and every pending delivery, then sends. */
  start(): Promise<void>
  /** Stops sending (attempts in flight are cut short and not counted), writes what is unsaved. */
  stop(): Promise<void>
}

/** The receiver a URL's deliveries are counted against: scheme, host and port. */
const originOf = (url: string): string => {
  try {
    return new URL(url).origin
  } catch {
    return url
  }
}

const errorCode = (reason: 'invalid' | 'forbidden' | 'unresolvable'): string =>
  reason === 'unresolvable' ? 'HOST_UNRESOLVABLE' : 'SUBSCRIPTION_URL_FORBIDDEN'

/** Builds the dispatcher; nothing is read or sent before `start` (entries told before are kept). */
export const dispatcher = (deps: DispatcherDeps): Dispatcher => {
  const now = deps.now ?? (() => new Date())
  const nowMs = () => now().getTime()
  const log = deps.log
  const deliveries = deliveryStore(deps.store, deps.collection)
  const saver = persister((id, state) => deliveries.save(id, state), log)
  const inFlight = new Map<string, { abort: AbortController; done: Promise<void> }>()
  let running = false
  let reloadTimer: NodeJS.Timeout | undefined

  // Told of every subscription read again: its deliveries follow (paused, resumed, moved, gone).
  const cache = subscriptionCache(deps.subscriptions, log, (id, gone) =>
    gone ? queue.drop(id) : queue.refresh(id),
  )
  const subs = cache.index
  let indexed: Promise<void> | undefined
  const load = async (): Promise<void> => {
    indexed ??= deliveries.ensureIndexes().catch((err: unknown) => {
      indexed = undefined
      throw err
    })
    await indexed
    await cache.load()
  }
  const subscriptionChanged = async (id: string): Promise<void> => {
    await load()
    await cache.refresh(id)
  }

  const queue = deliveryQueue({
    concurrency: deps.concurrency,
    receiverConcurrency: deps.receiverConcurrency,
    now: nowMs,
    target: (id) => {
      const s = subs.get(id)
      return s === undefined ? undefined : { active: s.status === 'active', origin: originOf(s.url) }
    },
    launch: (d) => {
      const abort = new AbortController()
      const done = attempt(d, abort.signal).finally(() => inFlight.delete(d.id))
      inFlight.set(d.id, { abort, done })
    },
  })

  const metrics = deliveryMetrics(
    deps.metrics,
    () => {
      let oldest: number | undefined
      for (const d of queue.pending()) if (oldest === undefined || d.createdAt < oldest) oldest = d.createdAt
      return { pending: queue.size, oldestCreatedAt: oldest }
    },
    nowMs,
  )

  const send = async (d: QueuedDelivery, at: Date, signal: AbortSignal): Promise<AttemptOutcome> => {
    const s = subs.get(d.subscriptionId)
    if (s === undefined) return { ok: false, error: 'SUBSCRIPTION_GONE' }
    const checked = await deps.guard.check(s.url)
    if (!checked.ok) {
      log.warn(
        { subscriptionId: s._id, deliveryId: d.id, reason: checked.refusal.message },
        'webhook URL refused',
      )
      return { ok: false, error: errorCode(checked.refusal.reason) }
    }
    const secrets = signingSecrets(s.secrets, at)
    const headers = signedHeaders(secrets, d.id, at, d.payload)
    const left = Math.max(1, deps.timeoutMs - (nowMs() - at.getTime()))
    return postWebhook(checked.target, headers, d.payload, { timeoutMs: left, signal })
  }

  /** One attempt: send, then the new state in memory at once and in the store soon. */
  const attempt = async (d: QueuedDelivery, signal: AbortSignal): Promise<void> => {
    const at = now()
    let outcome: AttemptOutcome
    try {
      outcome = await send(d, at, signal)
    } catch (err) {
      log.error({ err, deliveryId: d.id }, 'webhook attempt broke')
      outcome = { ok: false, error: 'error' }
    }
    if (signal.aborted) {
      queue.abandon(d)
      return
    }
    d.attempts++
    d.lastAttemptAt = at.getTime()
    if (outcome.statusCode === undefined) delete d.lastStatusCode
    else d.lastStatusCode = outcome.statusCode
    if (outcome.error === undefined) delete d.lastError
    else d.lastError = outcome.error
    const wait = outcome.ok ? undefined : retryDelay(d.attempts, deps.retryScheduleMs)
    const result: AttemptResult = outcome.ok ? 'delivered' : wait === undefined ? 'failed' : 'retry'
    d.status = result === 'delivered' ? 'delivered' : result === 'failed' ? 'failed' : 'pending'
    if (wait !== undefined) d.nextAttemptAt = nowMs() + wait
    d.rev++
    metrics.attempted(result, (nowMs() - at.getTime()) / 1000)
    const fields = {
      deliveryId: d.id,
      subscriptionId: d.subscriptionId,
      seq: d.seq,
      attempts: d.attempts,
      statusCode: outcome.statusCode,
      error: outcome.error,
    }
    if (result === 'failed') log.warn(fields, 'webhook delivery failed')
    else log.debug({ ...fields, result }, 'webhook attempted')
    saver.mark(d)
    queue.settle(d)
  }

  return {
    async entriesRecorded(entries) {
      await load()
      const at = now()
      const docs = deliveriesOf(subs, entries, at)
      if (docs.length === 0) return
      const existing = await deliveries.insert(docs)
      for (const doc of docs) {
        if (!existing.has(doc._id)) queue.add(queued(doc))
        else if (queue.get(doc._id) === undefined) {
          // There already, but not in memory: an earlier telling whose insert went through though
          // the call failed. Still pending → it is this process's to send.
          const stored = await deliveries.get(doc._id)
          if (stored?.status === 'pending') queue.add(queued(stored))
        }
      }
    },

    async start() {
      if (running) return
      await load()
      for (const doc of await deliveries.pending()) {
        if (subs.get(doc.subscriptionId) !== undefined) queue.add(queued(doc))
      }
      running = true
      queue.start()
      reloadTimer = setInterval(() => void cache.reload(), deps.reloadMs ?? 5000)
      reloadTimer.unref()
      log.info({ pending: queue.size }, 'webhook dispatcher started')
    },

    async stop() {
      running = false
      clearInterval(reloadTimer)
      queue.stop()
      for (const f of inFlight.values()) f.abort.abort()
      await Promise.all([...inFlight.values()].map((f) => f.done))
      const saved = await saver.drain(5000)
      saver.stop()
      if (!saved)
        log.warn(
          { unsaved: saver.unsaved },
          'delivery states left unsaved: attempted again at the next start',
        )
    },

    subscriptionChanged,

    async subscriptionDeleted(id) {
      cache.forget(id)
      await deliveries.removeOf(id)
    },

    async deliveries(subscriptionId, q) {
      return (await deliveries.page(subscriptionId, q)).map(listingOf)
    },

    async retryNow(subscriptionId, id) {
      const inMemory = queue.get(id)
      if (inMemory !== undefined) {
        if (inMemory.subscriptionId !== subscriptionId) return false
        if (!queue.inFlight(id)) {
          inMemory.nextAttemptAt = nowMs()
          inMemory.rev++
          saver.mark(inMemory)
          queue.hurry(id)
        }
        return true
      }
      const doc = await deliveries.get(id)
      if (doc === null || doc.subscriptionId !== subscriptionId) return false
      if (subs.get(subscriptionId) === undefined) await subscriptionChanged(subscriptionId)
      // Delivered or failed: pending again, due now; written before the answer, so that a restart
      // before the attempt still makes it.
      const d: QueuedDelivery = { ...queued(doc), status: 'pending', nextAttemptAt: nowMs() }
      await deliveries.save(id, stateOf(d))
      queue.add(d)
      return true
    },
  }
}
