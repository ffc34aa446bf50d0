import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import { withExtras, type Principal } from '@ecrs/http'
import { ingestErrors } from './errors.js'

export interface BodyBudgetOptions {
  /** Most request-body bytes being read, parsed and judged at once, over all callers. */
  maxBytes: number
  /** What a request without Content-Length (chunked NDJSON) is counted as: the largest allowed body. */
  unknownLengthBytes: number
  retryAfterSeconds: number
  /**
   * Most of `maxBytes` one caller (see {@link callerOf}) may hold, as a fraction (0–1]; 1 (no
   * per-caller bound) when absent. A caller's first request in flight always gets in (subject to the
   * global budget), so any allowed body is accepted eventually even when the share is smaller.
   */
  maxShare?: number
}

/**
 * Whose share a request counts against: the agency or the firm, not the token's `sub`, so that one
 * organisation's many users (or tokens) share one bound.
 */
export const callerOf = (p: Principal, ip: string): string => {
  switch (p.kind) {
    case 'agency':
      return `agency:${p.agency}`
    case 'firm':
      return `firm:${p.uscc}`
    case 'regulator':
    case 'admin':
      return `${p.kind}:${p.sub}`
    case 'public':
      return `ip:${ip}`
  }
}

/**
 * A process-wide budget of batch bodies in flight (onRequest hook, after authentication and the
 * rate limit): a parsed 10 MiB batch holds several times its size in memory, so a few of them at
 * once decide the service's peak memory. Over the budget → 503 INGEST_BUSY with Retry-After, before
 * a byte of the body is read; a request always gets in when nothing else is in flight, so any
 * allowed body is accepted eventually. The reservation ends when the response is sent or the
 * connection closes (the server's body timeout bounds how long a client that sends nothing holds it).
 *
 * Per caller first: one caller may hold at most `maxShare` of the budget, so a few slow or idle
 * bodies from one agency answer that agency 503 and leave the rest of the budget to the others.
 */
export const bodyBudget = (opts: BodyBudgetOptions) => {
  let inFlight = 0
  const byCaller = new Map<string, number>()
  const share = Math.floor(opts.maxBytes * Math.min(1, opts.maxShare ?? 1))
  const busy = () =>
    withExtras(new ingestErrors.INGEST_BUSY(), {
      headers: { 'retry-after': String(opts.retryAfterSeconds) },
    })
  const hook = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    const declared = Number(request.headers['content-length'])
    // Over the body limit: refused with 413 before anything is read; no need to count it.
    if (declared > opts.unknownLengthBytes) {
      done()
      return
    }
    const bytes =
      Number.isFinite(declared) && declared >= 0
        ? Math.min(declared, opts.unknownLengthBytes)
        : opts.unknownLengthBytes
    const caller = callerOf(request.principal, request.ip)
    const held = byCaller.get(caller) ?? 0
    if ((held > 0 && held + bytes > share) || (inFlight > 0 && inFlight + bytes > opts.maxBytes)) {
      done(busy())
      return
    }
    inFlight += bytes
    byCaller.set(caller, held + bytes)
    let released = false
    reply.raw.once('close', () => {
      if (released) return
      released = true
      inFlight -= bytes
      const left = (byCaller.get(caller) ?? bytes) - bytes
      if (left > 0) byCaller.set(caller, left)
      else byCaller.delete(caller)
    })
    done()
  }
  return Object.assign(hook, {
    inFlight: () => inFlight,
    /** Bytes the given caller ({@link callerOf}) holds. */
    heldBy: (caller: string) => byCaller.get(caller) ?? 0,
  })
}
