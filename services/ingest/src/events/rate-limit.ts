import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import { httpErrors, withExtras } from '@ecrs/http'

export interface RateLimitOptions {
  /** Sustained requests per second per principal. */
  perSecond: number
  /** Requests a principal may make at once after being idle. */
  burst: number
  /** Most principals tracked; the least recently seen are forgotten first. */
  maxPrincipals?: number
}

interface Bucket {
  tokens: number
  at: number
}

/**
 * A per-principal token bucket (onRequest hook, after authentication): 429 with Retry-After when a
 * principal's bucket is empty. In-process: with several ingest replicas each enforces its share.
 */
export const rateLimit = (opts: RateLimitOptions, now: () => number = Date.now) => {
  const buckets = new Map<string, Bucket>()
  const max = opts.maxPrincipals ?? 10_000
  return (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    const p = request.principal
    const who = p.kind === 'public' ? `ip:${request.ip}` : `${p.kind}:${p.sub}`
    const t = now()
    const b = buckets.get(who) ?? { tokens: opts.burst, at: t }
    b.tokens = Math.min(opts.burst, b.tokens + ((t - b.at) / 1000) * opts.perSecond)
    b.at = t
    buckets.delete(who)
    buckets.set(who, b) // most recent last: the Map's order is the eviction order
    if (buckets.size > max) buckets.delete(buckets.keys().next().value!)
    if (b.tokens < 1) {
      const wait = Math.max(1, Math.ceil((1 - b.tokens) / opts.perSecond))
      done(withExtras(new httpErrors.RATE_LIMITED(), { headers: { 'retry-after': String(wait) } }))
      return
    }
    b.tokens -= 1
    done()
  }
}
