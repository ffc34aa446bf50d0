/**
 * One `text/event-stream` answer of the change feed: the entries after a cursor as SSE events, then
 * every entry made visible later, woken by this process's watermark moves and, for entries another
 * process recorded, by polling the watermark; a comment line when nothing was sent for a while.
 */
import type { FastifyBaseLogger, FastifyReply } from 'fastify'
import type { FeedEntry } from '../types.js'
import type { FeedFilter } from './domain.js'
import type { FeedStore } from './store.js'

export interface StreamOptions {
  readonly feed: Pick<FeedStore, 'page' | 'watermark' | 'onVisible'>
  readonly filter: FeedFilter
  /** The cursor the stream starts after. */
  readonly after: string
  readonly heartbeatMs: number
  /** How often the watermark is read when nothing woke the stream. */
  readonly pollMs: number
  /** Most entries read (and written) at once. */
  readonly pageSize: number
  readonly log: FastifyBaseLogger
}

/** A stream being served: `end()` ends it (server shutdown); `done` settles once it is over. */
export interface ServedStream {
  end(): void
  readonly done: Promise<void>
}

/** The SSE event of an entry (JSON has no line breaks, so `data` is one line). */
export const eventOf = (entry: FeedEntry): string => `id: ${entry.seq}\ndata: ${JSON.stringify(entry)}\n\n`

export const HEARTBEAT = ': heartbeat\n\n'

/**
 * Takes the reply over (hijack) and serves the stream until the client leaves, `end()` is called
 * or the store fails (the client then reconnects with `Last-Event-ID`). Writes wait for `drain`, so
 * a slow client holds at most one page in memory; every timer and listener goes when it ends.
 */
export const serveStream = (reply: FastifyReply, opts: StreamOptions): ServedStream => {
  reply.hijack()
  const res = reply.raw
  // The headers hooks set so far (security headers, correlation id) go out with our own.
  const given = Object.entries(reply.getHeaders()).filter(
    (kv): kv is [string, string | number | string[]] => kv[1] !== undefined,
  )
  res.writeHead(200, {
    ...Object.fromEntries(given),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    'x-accel-buffering': 'no',
  })
  res.flushHeaders()

  let open = true
  // Set when the watermark may have moved since the last read: a wake-up during a read is not lost.
  let roused = false
  let wake: (() => void) | undefined
  const rouse = (): void => {
    roused = true
    const w = wake
    wake = undefined
    w?.()
  }
  const unsubscribe = opts.feed.onVisible(rouse)

  let heartbeat: NodeJS.Timeout | undefined
  const armHeartbeat = (): void => {
    clearTimeout(heartbeat)
    heartbeat = setTimeout(beat, opts.heartbeatMs)
  }
  const beat = (): void => {
    if (!open) return
    // A client that has not drained what it was sent needs no sign of life on top.
    if (!res.writableNeedDrain) res.write(HEARTBEAT)
    armHeartbeat()
  }

  const close = (): void => {
    if (!open) return
    open = false
    clearTimeout(heartbeat)
    unsubscribe()
    rouse()
  }
  res.on('close', close)

  const write = async (chunk: string): Promise<void> => {
    if (!open) return
    armHeartbeat()
    if (res.write(chunk)) return
    await new Promise<void>((resolve) => {
      const done = (): void => {
        res.off('drain', done)
        res.off('close', done)
        resolve()
      }
      res.on('drain', done)
      res.on('close', done)
    })
  }

  const idle = (): Promise<void> =>
    new Promise<void>((resolve) => {
      if (!open || roused) return resolve()
      const timer = setTimeout(() => {
        wake = undefined
        resolve()
      }, opts.pollMs)
      wake = () => {
        clearTimeout(timer)
        resolve()
      }
    })

  const run = async (): Promise<void> => {
    let cursor = opts.after
    while (open) {
      roused = false
      const watermark = await opts.feed.watermark()
      if (watermark > cursor) {
        const page = await opts.feed.page({ ...opts.filter, after: cursor, limit: opts.pageSize })
        if (page.items.length > 0) await write(page.items.map(eventOf).join(''))
        cursor = page.next
        if (cursor < watermark) continue // more is visible already: no waiting
      }
      await idle()
    }
  }

  armHeartbeat()
  const done = run()
    .catch((err: unknown) => opts.log.warn({ err }, 'change stream ended by a failure'))
    .finally(() => {
      close()
      res.end()
    })
  return {
    end: () => {
      close()
      res.end()
    },
    done,
  }
}
