/** An app serving only the feed's routes, for the feed's HTTP tests, and tokens to call it with. */
import {
  LOCAL_DEV_SECRET,
  createApp,
  signToken,
  type App,
  type ServerTimeouts,
  type TokenClaims,
} from '@ecrs/http'
import { pino } from 'pino'
import { feedRoutes, type FeedRouteDeps } from '../http.js'

export const feedApp = async (deps: FeedRouteDeps, timeouts?: ServerTimeouts): Promise<App> => {
  const app = await createApp({
    name: 'notify',
    version: '0.0.0-test',
    logger: pino({ level: 'silent' }),
    auth: { env: 'development' },
    ready: () => Promise.resolve({}),
    ...(timeouts === undefined ? {} : { timeouts }),
  })
  feedRoutes(app, deps)
  await app.ready()
  return app
}

export const token = (claims: Omit<TokenClaims, 'sub'> & { sub?: string }, ttl = 600): Promise<string> =>
  signToken({ sub: 'test', ...claims }, LOCAL_DEV_SECRET, ttl)

export const bearer = async (claims: Omit<TokenClaims, 'sub'>): Promise<{ authorization: string }> => ({
  authorization: `Bearer ${await token(claims)}`,
})

/** One server-sent event or comment as read off the wire. */
export type SseItem = { readonly id: string; readonly data: string } | { readonly comment: string }

/** Reads a `text/event-stream` body and hands out its events and comments as they arrive. */
export const sseReader = (body: ReadableStream<Uint8Array>) => {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  const items: SseItem[] = []
  let buffer = ''
  const parse = (block: string): SseItem => {
    const lines = block.split('\n')
    if (lines.every((l) => l.startsWith(':')))
      return { comment: lines.map((l) => l.slice(1).trim()).join('\n') }
    const field = (name: string) =>
      lines
        .filter((l) => l.startsWith(`${name}:`))
        .map((l) => l.slice(name.length + 1).replace(/^ /, ''))
        .join('\n')
    return { id: field('id'), data: field('data') }
  }
  /** Reads until `done(items)` holds; answers the items read so far. */
  const until = async (done: (items: readonly SseItem[]) => boolean): Promise<SseItem[]> => {
    while (!done(items)) {
      const { value, done: ended } = await reader.read()
      if (ended) throw new Error(`the stream ended after ${JSON.stringify(items)}`)
      buffer += decoder.decode(value, { stream: true })
      let cut: number
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        items.push(parse(buffer.slice(0, cut)))
        buffer = buffer.slice(cut + 2)
      }
    }
    return [...items]
  }
  /** Resolves once the server has ended the stream. */
  const ended = async (): Promise<void> => {
    for (;;) if ((await reader.read()).done) return
  }
  return { items, until, ended, cancel: () => reader.cancel() }
}

export const eventsIn = (items: readonly SseItem[]): { id: string; data: string }[] =>
  items.flatMap((i) => ('id' in i ? [i] : []))
