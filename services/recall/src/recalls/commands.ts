import { randomBytes, randomUUID } from 'node:crypto'
import { canonicalJson, publishRight, validateEvent, type Topics } from '@ecrs/contracts'
import { bearerSecurity, httpErrors, requireRoles, withExtras, type App, type Principal } from '@ecrs/http'
import type { Producer } from '@ecrs/kafka'
import { acceptEvents, candidateHash, type Ledger } from '@ecrs/ledger'
import type { Logger } from 'pino'
import type { FastifyReply, FastifyRequest } from 'fastify'
import {
  checkTransition,
  derive,
  type Actor,
  type RecallParams,
  type RecallStepType,
  type RejectReason,
} from './domain/index.js'
import { recallErrors } from './errors.js'
import { eventsOf, type CaseStore } from './store.js'
import type { CaseEvent } from './domain/index.js'

/**
 * The same step sent again with its own `id` (a retry after a lost answer): identical content is
 * answered 200 `duplicate` without publishing again, other content with that id is 409
 * EVENT_ID_CONFLICT — as ingest answers (contract §5). The step is compared as it would be
 * published (defaults applied); its time only when the caller gave one.
 */
const repeatOf = (
  seen: readonly CaseEvent[],
  e: { source: string; id: string; type: string; data: Record<string, unknown>; time: unknown },
  now: Date,
): 'identical' | 'conflict' | undefined => {
  const prior = seen.find((p) => p.source === e.source && p.id === e.id)
  if (prior === undefined) return undefined
  const v = validateEvent(
    {
      specversion: '1.0',
      id: e.id,
      source: e.source,
      type: e.type,
      subject: prior.subject,
      time: e.time ?? prior.time,
      data: e.data,
    },
    now,
  )
  const same =
    v.ok &&
    prior.type === e.type &&
    Date.parse(prior.time) === Date.parse(v.event.time) &&
    canonicalJson(prior.data) === canonicalJson(v.event.data)
  return same ? 'identical' : 'conflict'
}

export interface CommandDeps {
  readonly cases: CaseStore
  readonly producer: Producer
  readonly topics: Topics
  readonly params: RecallParams
  readonly now: () => Date
  /** Ingest's idempotency ledger (contract §7: one ledger for both doors). */
  readonly ledger: Ledger
  readonly log: Logger
  /** How long a pending ledger entry's lease lasts: longer than a produce may take. */
  readonly leaseMs: number
}

/** The steps of an existing case, by command path (a literal `:` is written `::` in Fastify paths). */
const STEP_PATHS: readonly (readonly [string, RecallStepType])[] = [
  ['plan', 'recall.plan-submitted'],
  ['plan::accept', 'recall.plan-accepted'],
  ['plan::return', 'recall.plan-returned'],
  ['notice', 'recall.notice-published'],
  ['progress', 'recall.progress-reported'],
  ['completion', 'recall.completed'],
  ['summary', 'recall.summary-submitted'],
  ['close', 'recall.closed'],
]

// Only agencies and firms publish recall steps (contract §2); the hook has made sure of it.
const actorOf = (p: Principal): Actor => {
  if (p.kind === 'agency') return { kind: 'agency', agency: p.agency }
  if (p.kind === 'firm') return { kind: 'firm', uscc: p.uscc }
  throw new httpErrors.FORBIDDEN(`role ${p.kind}`)
}

const sourceOf = (a: Actor): string => (a.kind === 'agency' ? a.agency : `firm:${a.uscc}`)

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** The body as `{id?, time?, ...data}`: the envelope fields a caller may set, and the step's data. */
const bodyOf = (request: FastifyRequest): Record<string, unknown> => {
  const body: unknown = request.body
  if (body === undefined || body === null) return {}
  if (!isRecord(body)) throw new httpErrors.BODY_INVALID('the body must be a JSON object')
  return body
}

/**
 * A refused check as the HTTP answer: rights are 403, a missing case 404, the rest 409. Another
 * producer's case that is not published answers 404, as a GET would: its existence is not told.
 */
const refusal = (reason: RejectReason, type: string, recallId: string, published: boolean): Error => {
  if (reason === 'NOT_ALLOWED') return new httpErrors.FORBIDDEN(`${type} is an agency step`)
  if (reason === 'SUBJECT_MISMATCH')
    return published
      ? new httpErrors.FORBIDDEN(`recall ${recallId} is another producer's`)
      : new recallErrors.RECALL_NOT_FOUND(recallId)
  if (reason === 'RECALL_NOT_FOUND') return new recallErrors.RECALL_NOT_FOUND(recallId)
  return new recallErrors.RECALL_TRANSITION_INVALID(
    `${type} cannot be taken on recall ${recallId} (${reason})`,
  )
}

const commandAnswer = {
  type: 'object',
  required: ['id', 'source', 'type', 'recallId', 'status'],
  properties: {
    id: { type: 'string' },
    source: { type: 'string' },
    type: { type: 'string' },
    recallId: { type: 'string' },
    status: { const: 'accepted' },
  },
} as const

const stepSchema = (summary: string, withParams: boolean) => ({
  summary,
  description:
    'Body: the step data of contract §4.2 without `recallId`, plus optional `id` and `time` of the event. Checked against the case at once (409 RECALL_TRANSITION_INVALID), then published to the recall topic: 202.',
  tags: ['commands'],
  security: bearerSecurity,
  querystring: { type: 'object', additionalProperties: false, properties: {} },
  response: {
    202: { description: 'Checked against the case and published', ...commandAnswer },
    200: {
      description: 'An identical repeat (same `id`): nothing published again',
      ...commandAnswer,
      properties: { ...commandAnswer.properties, duplicate: { const: true } },
      required: [...commandAnswer.required, 'duplicate'],
    },
  },
  ...(withParams
    ? {
        params: {
          type: 'object',
          required: ['recallId'],
          additionalProperties: false,
          properties: { recallId: { type: 'string', minLength: 1, maxLength: 128 } },
        },
      }
    : {}),
})

/** Contract §7 commands: open a case and take its steps, checked synchronously, published as events. */
export const commandRoutes = (app: App, deps: CommandDeps): void => {
  const publish = async (
    request: FastifyRequest,
    reply: FastifyReply,
    cmd: { type: string; recallId: string; subject?: string; fields: Record<string, unknown> },
  ): Promise<FastifyReply> => {
    const actor = actorOf(request.principal)
    const source = sourceOf(actor)
    // Reserved sources (`ecrs.*`) are refused before anything about the case is told (contract §2).
    if (source.startsWith('ecrs.'))
      throw new httpErrors.FORBIDDEN("sources starting with 'ecrs.' are reserved for the system")
    const now = deps.now()
    const { id, time, ...rest } = cmd.fields
    const data = { ...rest, recallId: cmd.recallId }
    const doc = await deps.cases.get(cmd.recallId)
    const seen = eventsOf(doc)
    const c = doc === null ? undefined : derive(seen, now, deps.params).case
    const answer = (eventId: string, duplicate: boolean) => ({
      id: eventId,
      source,
      type: cmd.type,
      recallId: cmd.recallId,
      status: 'accepted' as const,
      ...(duplicate ? { duplicate: true as const } : {}),
    })
    const hidden =
      c !== undefined &&
      actor.kind === 'firm' &&
      actor.uscc !== c.producer.uscc &&
      c.noticePublishedAt === undefined
    if (hidden) throw new recallErrors.RECALL_NOT_FOUND(cmd.recallId)
    // A repeat of a step the case already holds: judged against it, its time as first published
    // when the caller gave none (the ledger below judges the rest, whichever door saw the id).
    if (typeof id === 'string') {
      const repeat = repeatOf(seen, { source, id, type: cmd.type, data, time }, now)
      if (repeat === 'conflict') throw new recallErrors.EVENT_ID_CONFLICT(source, id)
      if (repeat === 'identical') return reply.code(200).send(answer(id, true))
    }
    const check = checkTransition(c, cmd.type, actor, data)
    if (!check.ok) throw refusal(check.reason, cmd.type, cmd.recallId, c?.noticePublishedAt !== undefined)
    const v = validateEvent(
      {
        specversion: '1.0',
        id: id ?? `cmd-${randomUUID()}`,
        source,
        type: cmd.type,
        subject: c?.producer.uscc ?? cmd.subject,
        time: time ?? now.toISOString(),
        data,
      },
      now,
    )
    if (!v.ok) throw withExtras(new recallErrors.EVENT_INVALID(), { errors: v.errors })
    const right = publishRight(request.principal, v.event, v.spec)
    if (!right.ok) throw new httpErrors.FORBIDDEN(right.reason)
    const [verdict] = await acceptEvents(
      {
        ledger: deps.ledger,
        producer: deps.producer,
        topics: deps.topics,
        log: deps.log,
        now: deps.now,
        leaseMs: deps.leaseMs,
      },
      [{ index: 0, event: v.event, spec: v.spec, hash: candidateHash(v.event) }],
      request.id,
    )
    if (verdict!.status === 'conflict') throw new recallErrors.EVENT_ID_CONFLICT(source, v.event.id)
    const duplicate = verdict!.status === 'duplicate'
    return reply.code(duplicate ? 200 : 202).send(answer(v.event.id, duplicate))
  }

  app.post(
    '/v1/recalls',
    {
      onRequest: requireRoles('agency', 'firm'),
      schema: {
        ...stepSchema('Open a recall case', false),
        description:
          'A firm initiates its own recall; an agency orders one (`recall.ordered`, with `decisionNo`) or initiates one for a firm (`subject`). Body: the data of §4.2 (`recallId` optional: one is made up), plus optional `type`, `subject`, `id`, `time`.',
      },
    },
    async (request, reply) => {
      const { type, subject, recallId, ...fields } = bodyOf(request)
      const p = request.principal
      if (p.kind === 'firm' && subject !== undefined && subject !== p.uscc)
        throw new httpErrors.FORBIDDEN('a firm opens recalls of its own products only')
      const opening =
        typeof type === 'string'
          ? type
          : p.kind === 'agency' && fields['decisionNo'] !== undefined
            ? 'recall.ordered'
            : 'recall.initiated'
      if (opening !== 'recall.initiated' && opening !== 'recall.ordered')
        throw withExtras(new recallErrors.EVENT_INVALID(), {
          errors: [{ path: '/type', message: 'must be recall.initiated or recall.ordered' }],
        })
      if (
        recallId !== undefined &&
        (typeof recallId !== 'string' || recallId === '' || recallId.length > 128)
      )
        throw withExtras(new recallErrors.EVENT_INVALID(), {
          errors: [{ path: '/data/recallId', message: 'must be 1–128 characters' }],
        })
      return publish(request, reply, {
        type: opening,
        recallId: recallId ?? `R-${deps.now().toISOString().slice(0, 10)}-${randomBytes(4).toString('hex')}`,
        ...(p.kind === 'firm' ? { subject: p.uscc } : typeof subject === 'string' ? { subject } : {}),
        fields,
      })
    },
  )

  for (const [path, type] of STEP_PATHS) {
    app.post<{ Params: { recallId: string } }>(
      `/v1/recalls/:recallId/${path}`,
      { onRequest: requireRoles('agency', 'firm'), schema: stepSchema(type, true) },
      (request, reply) =>
        publish(request, reply, { type, recallId: request.params.recallId, fields: bodyOf(request) }),
    )
  }
}
