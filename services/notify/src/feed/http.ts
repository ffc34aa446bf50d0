/**
 * Contract §8 reads of the change feed: `GET /v1/changes` (pages) and `GET /v1/changes/stream`
 * (server-sent events). Agencies and regulators see every entry; a firm its own enterprise only,
 * without `risk-class-changed`; an admin nothing (it reads operations endpoints only).
 */
import { CHANGE_KINDS, ChangeSchema, isValidUscc, type ChangeKind } from '@ecrs/contracts'
import { bearerSecurity, httpErrors, requireRoles, withExtras, type App, type Principal } from '@ecrs/http'
import { Type, type Static } from '@sinclair/typebox'
import { CURSOR_PATTERN, parseCursor, type FeedFilter } from './domain.js'
import type { FeedStore } from './store.js'
import { serveStream, type ServedStream } from './stream.js'

export interface FeedRouteDeps {
  readonly feed: FeedStore
  /** An idle stream gets a comment line this often (NOTIFY_SSE_HEARTBEAT_MS). */
  readonly heartbeatMs: number
  /** How often a stream reads the watermark for entries another process recorded; 1000 ms by default. */
  readonly pollMs?: number
}

const cursor = (description: string) => Type.String({ pattern: CURSOR_PATTERN, description })
const filterQuery = {
  uscc: Type.Optional(
    Type.String({
      pattern: '^[0-9A-Z]{18}$',
      description: "One enterprise's entries; a firm may name only itself (absent = itself)",
    }),
  ),
  region: Type.Optional(
    Type.String({ pattern: '^[0-9]{1,6}$', description: 'Entries whose region starts with this' }),
  ),
  kinds: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 1000,
      description: `Entries with a change of any of these kinds, a comma list of: ${CHANGE_KINDS.join(', ')}`,
    }),
  ),
}
const pageQuery = Type.Object(
  {
    after: Type.Optional(cursor('A `next` or an entry `seq` (exclusive); absent = the start of the feed')),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    ...filterQuery,
  },
  { additionalProperties: false },
)
const streamQuery = Type.Object(
  {
    after: Type.Optional(
      cursor('Start after this seq when there is no `Last-Event-ID`; neither = entries from now on'),
    ),
    ...filterQuery,
  },
  { additionalProperties: false },
)
const streamHeaders = Type.Object({
  'last-event-id': Type.Optional(
    Type.String({
      description: 'The last event id received: the stream resumes after it (wins over `after`)',
    }),
  ),
})
type PageQuery = Static<typeof pageQuery>
type FilterQuery = Static<typeof streamQuery>

const str = Type.String()
const entrySchema = Type.Object({
  seq: str,
  uscc: str,
  name: str,
  region: str,
  enterpriseKind: str,
  time: str,
  recordedAt: str,
  changes: Type.Array(ChangeSchema),
})
const pageSchema = Type.Object({
  items: Type.Array(entrySchema),
  next: Type.String({ description: 'Pass as `after` for the following page (also when `items` is empty)' }),
})

const knownKinds: ReadonlySet<string> = new Set(CHANGE_KINDS)

const queryInvalid = (path: string, message: string): Error =>
  withExtras(new httpErrors.QUERY_INVALID(`${path.slice(1)} ${message}`), { errors: [{ path, message }] })

/** What the caller asks to see, narrowed to what it may see: 400 for bad values, 403 for another firm. */
const readerFilter = (principal: Principal, q: FilterQuery): FeedFilter => {
  if (q.uscc !== undefined && !isValidUscc(q.uscc)) throw queryInvalid('/uscc', 'is not a valid USCC')
  let kinds: ChangeKind[] | undefined
  if (q.kinds !== undefined) {
    const given = q.kinds.split(',').map((k) => k.trim())
    const unknown = given.find((k) => !knownKinds.has(k))
    if (unknown !== undefined)
      throw queryInvalid('/kinds', `names an unknown change kind: ${unknown.slice(0, 50)}`)
    kinds = given as ChangeKind[]
  }
  const filter: FeedFilter = { uscc: q.uscc, region: q.region, kinds }
  if (principal.kind !== 'firm') return filter
  if (q.uscc !== undefined && q.uscc !== principal.uscc)
    throw new httpErrors.FORBIDDEN("another enterprise's changes")
  return { ...filter, uscc: principal.uscc, firm: true }
}

const readers = requireRoles('agency', 'regulator', 'firm')
const rights =
  'Agencies and regulators see every entry; a firm its own (another `uscc` → 403), never `risk-class-changed` ' +
  '(an entry left without changes is not shown to it); admin → 403; no token → 401.'

/** The feed's pages and stream (contract §8). */
export const feedRoutes = (app: App, deps: FeedRouteDeps): void => {
  const streams = new Set<ServedStream>()
  // Streams never end by themselves: they are ended before the server closes, else close would wait.
  app.addHook('preClose', async () => {
    const open = [...streams]
    for (const s of open) s.end()
    await Promise.all(open.map((s) => s.done))
  })

  app.get<{ Querystring: PageQuery }>(
    '/v1/changes',
    {
      onRequest: readers,
      schema: {
        summary: 'The change feed, a page at a time',
        description: `${rights} Resuming from any \`next\` or \`seq\` gives every later entry exactly once, in order.`,
        tags: ['changes'],
        security: bearerSecurity,
        querystring: pageQuery,
        response: { 200: pageSchema },
      },
    },
    async (request) => {
      const filter = readerFilter(request.principal, request.query)
      return deps.feed.page({ ...filter, after: request.query.after, limit: request.query.limit ?? 100 })
    },
  )

  app.get<{ Querystring: FilterQuery; Headers: Static<typeof streamHeaders> }>(
    '/v1/changes/stream',
    {
      // A HEAD would open a stream that never sends its body.
      exposeHeadRoute: false,
      onRequest: readers,
      schema: {
        summary: 'The change feed as server-sent events',
        description:
          `${rights} One event per entry (\`id\` = seq, \`data\` = the entry), resumable by \`Last-Event-ID\` ` +
          'or `after`; a comment line when nothing was sent for a while (15 s by default).',
        tags: ['changes'],
        security: bearerSecurity,
        querystring: streamQuery,
        headers: streamHeaders,
        response: {
          200: {
            description:
              'text/event-stream: `id: <seq>` and `data: <entry JSON>` per entry, `: heartbeat` comments',
            content: { 'text/event-stream': { schema: { type: 'string' } } },
          },
        },
      },
    },
    async (request, reply) => {
      const filter = readerFilter(request.principal, request.query)
      const lastEventId = request.headers['last-event-id']
      let after: string | undefined
      if (lastEventId !== undefined) {
        after = parseCursor(lastEventId)
        if (after === undefined)
          throw new httpErrors.REQUEST_INVALID('Last-Event-ID is not an event id of this feed')
      } else if (request.query.after !== undefined) {
        after = parseCursor(request.query.after)
      }
      // Read before the answer starts, so that a store failure is an error answer, not an empty stream.
      const from = after ?? (await deps.feed.watermark())
      const stream = serveStream(reply, {
        feed: deps.feed,
        filter,
        after: from,
        heartbeatMs: deps.heartbeatMs,
        pollMs: deps.pollMs ?? 1000,
        pageSize: 100,
        log: request.log,
      })
      streams.add(stream)
      void stream.done.finally(() => streams.delete(stream))
    },
  )
}
