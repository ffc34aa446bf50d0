import { bearerSecurity, requireAuthenticated, requireRoles, type App } from '@ecrs/http'
import type { RulesRunner } from './scheduler.js'

/** `POST /v1/admin/rules:run` (admin): runs the rules over every enterprise now. */
export const rulesRoutes = (app: App, runner: RulesRunner): void => {
  app.post(
    '/v1/admin/rules::run',
    {
      onRequest: requireAuthenticated,
      preHandler: requireRoles('admin'),
      schema: {
        summary: 'Run the rules now',
        tags: ['admin'],
        security: bearerSecurity,
        querystring: { type: 'object', additionalProperties: false, properties: {} },
        response: {
          200: {
            description: 'The ids of the decisions published',
            type: 'object',
            required: ['published'],
            properties: { published: { type: 'array', items: { type: 'string' } } },
          },
        },
      },
    },
    async () => ({ published: await runner.runAll() }),
  )
}
