import type { Envelope, Publisher } from '@ecrs/contracts'
import { MAX_DATA_DEPTH, publishRight, validateEvent } from '@ecrs/contracts'
import {
  bearerSecurity,
  httpErrors,
  illFormedStringPath,
  mayHoldLoneSurrogate,
  requireAuthenticated,
  requireRoles,
  validationIssuesSchema,
  withExtras,
  type App,
  type Principal,
} from '@ecrs/http'
import { KafkaUnavailableError } from '@ecrs/kafka'
import type { FastifyRequest, onRequestHookHandler } from 'fastify'
import { acceptEvents, candidateHash, type AcceptDeps, type Candidate, type Verdict } from '@ecrs/ledger'
import { ingestErrors } from './errors.js'

export interface EventsRouteOptions {
  deps: AcceptDeps
  rateLimit: onRequestHookHandler
  /** The process-wide budget of batch bytes in flight (see body-budget.ts); none when absent. */
  batchBudget?: onRequestHookHandler
  maxEventBytes: number
  maxBatchEvents: number
  maxBatchBytes: number
  /** Seconds a caller is told to wait after a 503. */
  retryAfterSeconds: number
  /** Told what became of each judged event (metrics): its `type` as sent, the result, the code of a rejection. */
  count?: (type: unknown, result: 'accepted' | 'duplicate' | 'rejected', code?: string) => void
}

const publisherOf = (p: Principal): Publisher => p

/** One batch item's result (contract §5). */
interface ItemResult {
  index: number
  id?: string
  status: 'accepted' | 'duplicate' | 'rejected'
  recordedAt?: string
  code?: string
  message?: string
  errors?: { path: string; message: string }[]
}

const acceptedSchema = {
  type: 'object',
  required: ['id', 'source', 'status', 'recordedAt'],
  properties: {
    id: { type: 'string' },
    source: { type: 'string' },
    status: { const: 'accepted' },
    recordedAt: { type: 'string', format: 'date-time' },
  },
} as const

const batchResultSchema = {
  description: 'One result per item, in input order',
  type: 'object',
  required: ['results'],
  properties: {
    results: {
      type: 'array',
      items: {
        type: 'object',
        required: ['index', 'status'],
        properties: {
          index: { type: 'integer', minimum: 0 },
          id: { type: 'string' },
          status: { enum: ['accepted', 'duplicate', 'rejected'] },
          recordedAt: { type: 'string', format: 'date-time' },
          code: { type: 'string' },
          message: { type: 'string' },
          errors: validationIssuesSchema,
        },
      },
    },
  },
} as const

const acceptedBody = (event: Envelope, v: Verdict & { recordedAt: Date }) => ({
  id: event.id,
  source: event.source,
  status: 'accepted' as const,
  recordedAt: v.recordedAt.toISOString(),
})

const unavailable = (retryAfter: number, err: unknown) =>
  withExtras(new ingestErrors.KAFKA_UNAVAILABLE(undefined, { cause: err }), {
    headers: { 'retry-after': String(retryAfter) },
  })

const eventIdOf = (input: unknown): string | undefined => {
  const id = (input as { id?: unknown } | null)?.id
  return typeof id === 'string' && id.length <= 128 ? id : undefined
}

/** `POST /v1/events` and `POST /v1/events:batch`: the one door for writes. */
export const eventRoutes = (app: App, opts: EventsRouteOptions): void => {
  const judge = (input: unknown, index: number, principal: Principal, now: Date): Candidate | ItemResult => {
    const v = validateEvent(input, now)
    const id = eventIdOf(input)
    const base = { index, ...(id === undefined ? {} : { id }) }
    if (!v.ok) {
      return {
        ...base,
        status: 'rejected',
        code: v.code,
        message: v.code === 'EVENT_TYPE_UNKNOWN' ? 'unknown event type' : 'the event is invalid',
        errors: v.errors,
      }
    }
    const right = publishRight(publisherOf(principal), v.event, v.spec)
    if (!right.ok) return { ...base, status: 'rejected', code: 'FORBIDDEN', message: right.reason }
    return { index, event: v.event, spec: v.spec, hash: candidateHash(v.event) }
  }

  // CloudEvents' HTTP binding, structured mode: an envelope sent as `application/cloudevents+json`
  // (what CloudEvents SDKs send) is plain JSON; a batch as `application/cloudevents-batch+json` is
  // a JSON array of envelopes.
  const json = app.getDefaultJsonParser('error', 'error')
  app.addContentTypeParser('application/cloudevents+json', { parseAs: 'string' }, json)
  app.addContentTypeParser(
    'application/cloudevents-batch+json',
    { parseAs: 'string', bodyLimit: opts.maxBatchBytes },
    (req, body, done) => {
      void json(req, body as string, (err, value) => {
        if (err) return done(err)
        done(null, Array.isArray(value) ? { events: value } : value)
      })
    },
  )

  app.post(
    '/v1/events',
    {
      onRequest: [requireAuthenticated, opts.rateLimit],
      bodyLimit: opts.maxEventBytes,
      config: { validationErrorCode: 'EVENT_INVALID' },
      schema: {
        summary: 'Publish one event',
        description:
          'Answers 202 once the event is durable in Kafka (acks=all); 200 with duplicate:true for an identical resubmission.',
        tags: ['events'],
        security: bearerSecurity,
        body: { type: 'object', description: 'A CloudEvents 1.0 envelope; see GET /v1/schemas' },
        response: {
          202: { description: 'Accepted: durable in Kafka', ...acceptedSchema },
          200: {
            description: 'An identical resubmission: nothing published again',
            ...acceptedSchema,
            properties: { ...acceptedSchema.properties, duplicate: { const: true } },
            required: [...acceptedSchema.required, 'duplicate'],
          },
        },
      },
    },
    async (request, reply) => {
      const judged = judge(request.body, 0, request.principal, opts.deps.now())
      if ('status' in judged) {
        opts.count?.((request.body as { type?: unknown } | null)?.type, 'rejected', judged.code)
        if (judged.code === 'FORBIDDEN') throw new httpErrors.FORBIDDEN(judged.message)
        // The type is caller input of any size and shape: named (bounded) only when it is the problem.
        const type = (request.body as { type?: unknown }).type
        const error =
          judged.code === 'EVENT_TYPE_UNKNOWN'
            ? new ingestErrors.EVENT_TYPE_UNKNOWN(typeof type === 'string' ? type.slice(0, 100) : typeof type)
            : new ingestErrors.EVENT_INVALID()
        throw withExtras(error, { errors: judged.errors ?? [] })
      }
      let verdict: Verdict
      try {
        ;[verdict] = (await acceptEvents(opts.deps, [judged], request.id)) as [Verdict]
      } catch (err) {
        if (err instanceof KafkaUnavailableError) throw unavailable(opts.retryAfterSeconds, err)
        throw err
      }
      opts.count?.(
        judged.event.type,
        verdict.status === 'conflict' ? 'rejected' : verdict.status,
        verdict.status === 'conflict' ? 'EVENT_ID_CONFLICT' : undefined,
      )
      if (verdict.status === 'conflict')
        throw new ingestErrors.EVENT_ID_CONFLICT(judged.event.id, judged.event.source)
      const body = acceptedBody(judged.event, verdict)
      return verdict.status === 'duplicate'
        ? reply.code(200).send({ ...body, duplicate: true })
        : reply.code(202).send(body)
    },
  )

  app.addContentTypeParser(
    'application/x-ndjson',
    { parseAs: 'string', bodyLimit: opts.maxBatchBytes },
    (_req, body, done) => {
      done(null, { ndjson: body as string })
    },
  )

  app.post(
    // `::` is a literal colon: `/v1/events:batch` would declare a path parameter `batch`, so that
    // any `/v1/eventsXYZ` reached this route.
    '/v1/events::batch',
    {
      onRequest: [requireAuthenticated, opts.rateLimit, ...(opts.batchBudget ? [opts.batchBudget] : [])],
      preHandler: requireRoles('agency', 'firm'),
      bodyLimit: opts.maxBatchBytes,
      config: { validationErrorCode: 'EVENT_INVALID' },
      schema: {
        summary: 'Publish a batch of events',
        description: `JSON {events: [...]} or NDJSON (application/x-ndjson), at most ${opts.maxBatchEvents} events. Each item is judged alone.`,
        tags: ['events'],
        security: bearerSecurity,
        body: {
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['events'],
                properties: {
                  // No item schema and no maxItems: each item is judged alone, and too many is a 413.
                  events: {
                    type: 'array',
                    description: `CloudEvents envelopes, at most ${opts.maxBatchEvents}`,
                  },
                },
              },
            },
            'application/x-ndjson': { schema: { description: 'One CloudEvents envelope per line' } },
            'application/cloudevents-batch+json': {
              schema: { description: 'A JSON array of CloudEvents envelopes (structured batch mode)' },
            },
          },
        },
        response: { 200: batchResultSchema },
      },
    },
    async (request, reply) => {
      const items = batchItems(request, opts)
      const now = opts.deps.now()
      const results: ItemResult[] = []
      const candidates: Candidate[] = []
      items.forEach((item, index) => {
        if ('error' in item) {
          results[index] = { index, status: 'rejected', ...item.error }
          return
        }
        const j = judge(item.value, index, request.principal, now)
        if ('status' in j) results[index] = j
        else candidates.push(j)
      })
      let verdicts: Verdict[] = []
      try {
        verdicts = await acceptEvents(opts.deps, candidates, request.id)
      } catch (err) {
        if (err instanceof KafkaUnavailableError) throw unavailable(opts.retryAfterSeconds, err)
        throw err
      }
      verdicts.forEach((v, i) => {
        const c = candidates[i]!
        results[v.index] =
          v.status === 'conflict'
            ? {
                index: v.index,
                id: c.event.id,
                status: 'rejected',
                code: 'EVENT_ID_CONFLICT',
                message: 'already accepted with other content',
              }
            : { index: v.index, id: c.event.id, status: v.status, recordedAt: v.recordedAt.toISOString() }
      })
      if (opts.count)
        for (const r of results) {
          const item = items[r.index]
          const type = item && 'value' in item ? (item.value as { type?: unknown } | null)?.type : undefined
          opts.count(type, r.status, r.code)
        }
      return reply.code(200).send({ results })
    },
  )
}

type BatchItem = { value: unknown } | { error: Pick<ItemResult, 'code' | 'message' | 'errors'> }

const tooDeep = {
  code: 'EVENT_INVALID',
  message: 'the event is invalid',
  errors: [{ path: '', message: `must not nest deeper than ${MAX_DATA_DEPTH + 1} levels` }],
}

/** Whether a parsed JSON value has containers nested deeper than `limit` levels (iterative: no recursion). */
const nestsDeeperThan = (value: unknown, limit: number): boolean => {
  const stack: [unknown, number][] = [[value, 0]]
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [v, depth] = next
    if (typeof v !== 'object' || v === null) continue
    if (depth >= limit) return true
    for (const child of Object.values(v)) stack.push([child, depth + 1])
  }
  return false
}

/** The batch's items, from `{events: [...]}` or NDJSON lines; oversized or unparseable items are marked. */
const batchItems = (request: FastifyRequest, opts: EventsRouteOptions): BatchItem[] => {
  const body = request.body as { ndjson?: string; events?: unknown } | null
  const tooLarge = {
    code: 'EVENT_TOO_LARGE',
    message: `the event is larger than ${opts.maxEventBytes} bytes`,
  }
  let items: BatchItem[]
  if (body && typeof body.ndjson === 'string') {
    items = body.ndjson
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line): BatchItem => {
        if (Buffer.byteLength(line) > opts.maxEventBytes) return { error: tooLarge }
        try {
          const value = JSON.parse(line) as unknown
          // As for JSON bodies (@ecrs/http's parser): a lone surrogate would not read back intact.
          const illFormed = mayHoldLoneSurrogate(line) ? illFormedStringPath(value) : undefined
          if (illFormed === undefined) return { value }
          return {
            error: {
              code: 'EVENT_INVALID',
              message: 'the event is invalid',
              errors: [{ path: illFormed, message: 'must be well-formed Unicode (no lone surrogates)' }],
            },
          }
        } catch (err) {
          const message = (err as Error).message
          return {
            error: {
              code: 'EVENT_INVALID',
              message: 'the line is not JSON',
              errors: [{ path: '', message }],
            },
          }
        }
      })
  } else {
    if (!body || !Array.isArray(body.events)) {
      throw withExtras(new ingestErrors.EVENT_INVALID(), {
        errors: [{ path: '/events', message: 'must be an array of events' }],
      })
    }
    // Depth first: JSON.stringify (to measure the item) recurses, and a deeply nested item would
    // overflow the stack (a 500 for the whole batch); no valid event nests deeper than `data` may.
    items = body.events.map((value): BatchItem =>
      nestsDeeperThan(value, MAX_DATA_DEPTH + 1)
        ? { error: tooDeep }
        : Buffer.byteLength(JSON.stringify(value) ?? '') > opts.maxEventBytes
          ? { error: tooLarge }
          : { value },
    )
  }
  if (items.length > opts.maxBatchEvents) throw new ingestErrors.BATCH_TOO_LARGE(opts.maxBatchEvents)
  return items
}
