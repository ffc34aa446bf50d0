/** 一公开 (contract §9): the tasks as anyone may read them, without a token. */
import { refuseAdmin, type App } from '@ecrs/http'
import type { Static } from '@sinclair/typebox'
import { NoQuery } from '../ids.js'
import { publicView } from './domain.js'
import { taskErrors } from './errors.js'
import { PublicTaskListResponse, PublicTaskResponse } from './responses.js'
import { PublicListQuery, TaskParams } from './schemas.js'
import type { TaskStore } from './store.js'

const TAGS = ['public']

export const publicTaskRoutes = (app: App, deps: { tasks: TaskStore }): void => {
  app.get<{ Querystring: Static<typeof PublicListQuery> }>(
    '/v1/public/inspection-tasks',
    {
      onRequest: refuseAdmin,
      schema: {
        summary: 'Published inspection tasks',
        description:
          'No token. `region`: tasks whose region starts with it or covers it; `q`: part of the title. Never a class of an enterprise, never an inspector. Pass `next` as `cursor`.',
        tags: TAGS,
        querystring: PublicListQuery,
        response: { 200: PublicTaskListResponse },
      },
    },
    async (request) => {
      const { region, q, status, cursor } = request.query
      const limit = request.query.limit ?? 100
      const found = await deps.tasks.list({
        status,
        after: cursor,
        limit: limit + 1,
        where: (t) =>
          (region === undefined ||
            t.population.region.startsWith(region) ||
            region.startsWith(t.population.region)) &&
          (q === undefined || t.title.includes(q)),
      })
      const page = found.slice(0, limit)
      return {
        items: page.map((t) => publicView(t, false)),
        ...(found.length > limit ? { next: page[page.length - 1]?.taskId } : {}),
      }
    },
  )

  app.get<{ Params: Static<typeof TaskParams> }>(
    '/v1/public/inspection-tasks/:taskId(^[A-Za-z0-9._-]+)',
    {
      onRequest: refuseAdmin,
      schema: {
        summary: 'A published inspection task',
        description:
          'No token. The plan and its seed commitment; after the draw the seed, populationHash, populationSize and the selected enterprises with their results. Never a class of an enterprise, never an inspector.',
        tags: TAGS,
        params: TaskParams,
        querystring: NoQuery,
        response: { 200: PublicTaskResponse },
      },
    },
    async (request) => {
      const task = await deps.tasks.get(request.params.taskId)
      if (task === null) throw new taskErrors.TASK_NOT_FOUND(request.params.taskId)
      return publicView(task, true)
    },
  )
}
