import { withExtras } from '@ecrs/http'
import { LRUCache } from 'lru-cache'
import pLimit from 'p-limit'

/**
 * The reads that cost the store the most (search, stats) behind a bulkhead and a short cache, so
 * that however many callers send them, profile GETs and the projection keep their share of the
 * store (issue 11, finding 2). At most `concurrency` run at once; up to `queue` more wait; beyond
 * that the caller is told 503 with Retry-After (the caller retries; nothing was lost). The same
 * query within `cacheMs` is answered from the cache: search and stats are allowed to lag the
 * profile GET by one rule interval (contract §6), and `cacheMs` is kept well below it.
 */
export interface ReadGateOptions {
  concurrency: number
  queue: number
  cacheMs: number
  /** Told when a caller is turned away (metrics, tests). */
  busy: () => Error
}

export interface ReadGate {
  /** The answer of `key`: from the cache, else computed by `read` within the bulkhead. */
  run<T extends object>(key: string, read: () => Promise<T>): Promise<T>
  /** How many reads run and wait now. */
  load(): { active: number; pending: number }
}

export const readGate = (opts: ReadGateOptions): ReadGate => {
  const limit = pLimit(opts.concurrency)
  const cache = opts.cacheMs > 0 ? new LRUCache<string, object>({ max: 1000, ttl: opts.cacheMs }) : undefined
  // A read in flight is shared by the callers asking the same thing meanwhile.
  const inFlight = new Map<string, Promise<object>>()
  return {
    async run<T extends object>(key: string, read: () => Promise<T>): Promise<T> {
      // Looked up without awaiting first: a twin arriving meanwhile must find this read in flight.
      const hit = cache?.get(key)
      if (hit !== undefined) return hit as T
      const shared = inFlight.get(key)
      if (shared !== undefined) return (await shared) as T
      if (limit.activeCount + limit.pendingCount >= opts.concurrency + opts.queue) throw opts.busy()
      const p = limit(read)
      inFlight.set(key, p)
      try {
        const v = await p
        cache?.set(key, v)
        return v
      } finally {
        inFlight.delete(key)
      }
    },
    load: () => ({ active: limit.activeCount, pending: limit.pendingCount }),
  }
}

/** The 503 a turned-away caller gets, with Retry-After. */
export const busyError = (error: new () => Error, retryAfterSeconds: number) => (): Error =>
  withExtras(new error(), { headers: { 'retry-after': String(retryAfterSeconds) } })
