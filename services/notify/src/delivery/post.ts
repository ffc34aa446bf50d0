import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { CheckedTarget } from './url-guard.js'

/** How one attempt ended: a 2xx, another status, or no answer (`error` says why). */
export interface AttemptOutcome {
  readonly ok: boolean
  readonly statusCode?: number
  readonly error?: string
}

export interface PostOptions {
  /** The attempt counts as failed (`timeout`) when no answer came by then (ms). */
  readonly timeoutMs: number
  /** Cuts the attempt short (the dispatcher stopping). */
  readonly signal?: AbortSignal
}

/**
 * POSTs `body` to a checked target: the connection goes to one of the checked addresses (the
 * pinned lookup; Host and TLS SNI stay the URL's host name), redirects are not followed, and the
 * status line is the answer — the response body is not read.
 */
export const postWebhook = (
  target: CheckedTarget,
  headers: Readonly<Record<string, string>>,
  body: string,
  opts: PostOptions,
): Promise<AttemptOutcome> =>
  new Promise((resolve) => {
    let settled = false
    const finish = (outcome: AttemptOutcome): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      opts.signal?.removeEventListener('abort', onAbort)
      req.destroy()
      resolve(outcome)
    }
    const send = target.url.protocol === 'https:' ? httpsRequest : httpRequest
    const req = send(target.url, {
      method: 'POST',
      lookup: target.lookup,
      // A connection of its own per attempt: never a pooled socket opened to an earlier resolution.
      agent: false,
      headers: {
        ...headers,
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        'user-agent': 'ecrs-notify',
      },
    })
    const timer = setTimeout(() => finish({ ok: false, error: 'timeout' }), opts.timeoutMs)
    const onAbort = (): void => finish({ ok: false, error: 'aborted' })
    opts.signal?.addEventListener('abort', onAbort, { once: true })
    if (opts.signal?.aborted === true) onAbort()
    req.on('response', (res) => {
      const statusCode = res.statusCode ?? 0
      res.resume()
      finish({ ok: statusCode >= 200 && statusCode < 300, statusCode })
    })
    req.on('error', (err: NodeJS.ErrnoException) => finish({ ok: false, error: err.code ?? 'error' }))
    req.end(body)
  })
