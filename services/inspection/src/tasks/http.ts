/** Contract §9 tasks: create, read, list, draw, and the draw record. */
import { Readable } from 'node:stream'
import { bearerSecurity, httpErrors, requireRoles, withExtras, type App } from '@ecrs/http'
import type { Static } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import { NoQuery } from '../ids.js'
import { writingAgency } from '../rights.js'
import type { Ratios } from '../ratios.js'
import { defineTask, drawView, sameDefinition, taskView, type TaskDoc } from './domain.js'
import { drawTask, type DrawDeps } from './draw.js'
import { drawRecord } from './draw-record.js'
import { taskErrors } from './errors.js'
import { DrawResponse, TaskListResponse, TaskResponse } from './responses.js'
import { CreateBody, DrawBody, ListQuery, TaskParams } from './schemas.js'

const TAGS = ['inspection tasks']
const readers = requireRoles('agency', 'regulator')

export interface TaskRouteDeps extends DrawDeps {
  /** INSPECTION_RATIOS. */
  ratios: Ratios
}

/** 404 for an unknown task, 403 for an authenticated caller who is neither its agency nor a regulator. */
const readable = async (deps: TaskRouteDeps, request: FastifyRequest, taskId: string): Promise<TaskDoc> => {
  const task = await deps.tasks.get(taskId)
  if (task === null) throw new taskErrors.TASK_NOT_FOUND(taskId)
  const p = request.principal
  if (p.kind === 'agency' && !task.agencies.includes(p.agency))
    throw new httpErrors.FORBIDDEN(`task ${taskId} is not one of ${p.agency}'s`)
  return task
}

export const taskRoutes = (app: App, deps: TaskRouteDeps): void => {
  app.post<{ Body: Static<typeof CreateBody> }>(
    '/v1/inspection-tasks',
    {
      onRequest: requireRoles('agency'),
      schema: {
        summary: 'Plan a random-inspection task',
        description:
          'The token’s agency leads. Defaults: agencies [lead], excludeInspectedWithinMonths 12, ratios from INSPECTION_RATIOS, inspectorsPerAgency 2. 201 created; 200 for the same taskId with the same content; 409 `EVENT_ID_CONFLICT` with other content.',
        tags: TAGS,
        security: bearerSecurity,
        querystring: NoQuery,
        body: CreateBody,
        response: { 200: TaskResponse, 201: TaskResponse },
      },
    },
    async (request, reply) => {
      const lead = writingAgency(request.principal)
      const defined = defineTask(request.body, lead, deps.ratios)
      if (!defined.ok)
        throw withExtras(new httpErrors.BODY_INVALID(`${defined.path.slice(1)} ${defined.message}`), {
          errors: [{ path: defined.path, message: defined.message }],
        })
      const now = deps.now()
      const doc: TaskDoc = {
        ...defined.task,
        _id: defined.task.taskId,
        lead,
        status: 'planned',
        createdAt: now.toISOString(),
      }
      const r = await deps.tasks.create(doc)
      if (r.created) {
        request.log.info({ taskId: doc.taskId, lead: doc.lead }, 'task planned')
        return reply.code(201).send(taskView(doc, now, false))
      }
      if (r.existing.lead !== lead || !sameDefinition(r.existing, defined.task))
        throw new taskErrors.EVENT_ID_CONFLICT(doc.taskId)
      return reply.code(200).send(taskView(r.existing, now, false))
    },
  )

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/v1/inspection-tasks',
    {
      onRequest: readers,
      schema: {
        summary: 'Inspection tasks',
        description:
          'Regulators: every task (`agency` = those it is part of). An agency: the tasks it is part of (another `agency` → 403). Ordered by taskId; pass `next` as `cursor`.',
        tags: TAGS,
        security: bearerSecurity,
        querystring: ListQuery,
        response: { 200: TaskListResponse },
      },
    },
    async (request) => {
      const p = request.principal
      const q = request.query
      if (p.kind === 'agency' && q.agency !== undefined && q.agency !== p.agency)
        throw new httpErrors.FORBIDDEN(`an agency lists its own tasks, not those of ${q.agency}`)
      const agency = p.kind === 'agency' ? p.agency : q.agency
      const limit = q.limit ?? 100
      const found = await deps.tasks.list({ agency, status: q.status, after: q.cursor, limit: limit + 1 })
      const page = found.slice(0, limit)
      const now = deps.now()
      return {
        items: page.map((t) => taskView(t, now, false)),
        ...(found.length > limit ? { next: page[page.length - 1]?.taskId } : {}),
      }
    },
  )

  app.get<{ Params: Static<typeof TaskParams> }>(
    '/v1/inspection-tasks/:taskId(^[A-Za-z0-9._-]+)',
    {
      onRequest: readers,
      schema: {
        summary: 'One inspection task with its progress',
        description:
          'Its agencies and regulators. `progress: {selected, inspected, overdue}` (overdue: not inspected and past `dueBy` 24:00 Asia/Shanghai); after the draw the draw’s answer and each selected enterprise’s result.',
        tags: TAGS,
        security: bearerSecurity,
        params: TaskParams,
        querystring: NoQuery,
        response: { 200: TaskResponse },
      },
    },
    async (request) => taskView(await readable(deps, request, request.params.taskId), deps.now(), true),
  )

  app.post<{ Params: Static<typeof TaskParams>; Body: Static<typeof DrawBody> }>(
    '/v1/inspection-tasks/:taskId(^[A-Za-z0-9._-]+)::draw',
    {
      onRequest: requireRoles('agency'),
      schema: {
        summary: 'Draw a task with its revealed seed',
        description:
          'The lead agency. 409 `SEED_MISMATCH` unless SHA-256(seed) is the commitment, `TASK_ALREADY_DRAWN`, `NOT_ENOUGH_INSPECTORS`.',
        tags: TAGS,
        security: bearerSecurity,
        params: TaskParams,
        querystring: NoQuery,
        body: DrawBody,
        response: { 200: DrawResponse },
      },
    },
    async (request) => {
      const agency = writingAgency(request.principal)
      const { taskId } = request.params
      const task = await deps.tasks.get(taskId)
      if (task === null) throw new taskErrors.TASK_NOT_FOUND(taskId)
      if (agency !== task.lead)
        throw new httpErrors.FORBIDDEN(`only the lead agency ${task.lead} draws task ${taskId}`)
      const drawn = await drawTask(deps, taskId, request.body.seed)
      request.log.info(
        { taskId, selected: drawn.selectedCount, populationHash: drawn.populationHash },
        'task drawn',
      )
      return drawView(drawn)
    },
  )

  app.get<{ Params: Static<typeof TaskParams> }>(
    '/v1/inspection-tasks/:taskId(^[A-Za-z0-9._-]+)/draw-record',
    {
      onRequest: readers,
      schema: {
        summary: 'The draw record',
        description:
          'Everything a recomputation needs (format `ecrs.draw-record/1`): task, seed, population with classes, roster snapshots, previous assignments, result. 409 `TASK_NOT_DRAWN` before the draw.',
        tags: TAGS,
        security: bearerSecurity,
        params: TaskParams,
        querystring: NoQuery,
      },
    },
    async (request, reply) => {
      const task = await readable(deps, request, request.params.taskId)
      if (task.drawnAt === undefined) throw new taskErrors.TASK_NOT_DRAWN(task.taskId)
      return reply.type('application/json; charset=utf-8').send(Readable.from(drawRecord(task, deps.tasks)))
    },
  )
}
