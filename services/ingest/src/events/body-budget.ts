import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import { withExtras } from '@ecrs/http'
import { ingestErrors } from './errors.js'

export interface BodyBudgetOptions {
  /** Most request-body bytes being read, parsed and judged at once, over all callers. */
  maxBytes: number
  /** What a request without Content-Length (chunked NDJSON) is counted as: the largest allowed body. */
  unknownLengthBytes: number
  retryAfterSeconds: number
}

/**
 * A process-wide budget of batch bodies in flight (onRequest hook, after authentication and the
 * rate limit): a parsed 10 MiB batch holds several times its size in memory, so a few of them at
 * once decide the service's peak memory. Over the budget → 503 INGEST_BUSY with Retry-After, before
 * a byte of the body is read; a request always gets in when nothing else is in flight, so any
 * allowed body is accepted eventually. The reservation ends when the response is sent or the
 * connection closes.
 */
export const bodyBudget = (opts: BodyBudgetOptions) => {
  let inFlight = 0
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
    if (inFlight > 0 && inFlight + bytes > opts.maxBytes) {
      done(
        withExtras(new ingestErrors.INGEST_BUSY(), {
          headers: { 'retry-after': String(opts.retryAfterSeconds) },
        }),
      )
      return
    }
    inFlight += bytes
    let released = false
    reply.raw.once('close', () => {
      if (released) return
      released = true
      inFlight -= bytes
    })
    done()
  }
  return Object.assign(hook, { inFlight: () => inFlight })
}
