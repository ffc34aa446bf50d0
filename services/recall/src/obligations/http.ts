import { isValidUscc } from '@ecrs/contracts'
import { bearerSecurity, httpErrors, requireAuthenticated, type App, type Principal } from '@ecrs/http'
import {
  derive,
  eventsOf,
  obligationItems,
  recallErrors,
  type CaseStore,
  type ObligationItem,
  type ObligationStatus,
  type RecallParams,
} from '../recalls/index.js'

export interface ObligationRouteDeps {
  readonly cases: CaseStore
  readonly params: RecallParams
  readonly now: () => Date
}

/** The firm itself, agencies and regulators (contract §7). */
const mayRead = (p: Principal, uscc: string): boolean =>
  p.kind === 'agency' || p.kind === 'regulator' || (p.kind === 'firm' && p.uscc === uscc)

const byDueThenId = (a: ObligationItem, b: ObligationItem): number =>
  a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : a.obligationId < b.obligationId ? -1 : 1

/** `GET /v1/firms/{uscc}/obligations?status=`: a producer's obligations over all its recalls. */
export const obligationRoutes = (app: App, deps: ObligationRouteDeps): void => {
  app.get<{ Params: { uscc: string }; Querystring: { status?: ObligationStatus } }>(
    '/v1/firms/:uscc/obligations',
    {
      onRequest: requireAuthenticated,
      schema: {
        summary: "A producer's recall obligations",
        description: 'The firm itself, agencies and regulators; derived at the time of the request.',
        tags: ['obligations'],
        security: bearerSecurity,
        params: {
          type: 'object',
          required: ['uscc'],
          additionalProperties: false,
          properties: { uscc: { type: 'string', minLength: 1, maxLength: 64 } },
        },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { status: { type: 'string', enum: ['open', 'overdue', 'fulfilled', 'cancelled'] } },
        },
        response: {
          200: {
            type: 'object',
            required: ['items'],
            properties: {
              items: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['recallId', 'obligationId', 'kind', 'dueAt', 'status'],
                  properties: {
                    recallId: { type: 'string' },
                    obligationId: { type: 'string' },
                    kind: { type: 'string' },
                    dueAt: { type: 'string' },
                    status: { enum: ['open', 'fulfilled', 'overdue', 'cancelled'] },
                    fulfilledAt: { type: 'string' },
                    fulfilledLate: { type: 'boolean' },
                  },
                },
              },
            },
          },
        },
      },
    },
    async (request) => {
      const { uscc } = request.params
      if (!isValidUscc(uscc)) throw new recallErrors.USCC_INVALID(uscc)
      if (!mayRead(request.principal, uscc)) throw new httpErrors.FORBIDDEN("another firm's obligations")
      const now = deps.now()
      const items = (await deps.cases.ofProducer(uscc)).flatMap((doc) => {
        const c = derive(eventsOf(doc), now, deps.params).case
        return c === undefined || c.producer.uscc !== uscc ? [] : obligationItems(c, request.query.status)
      })
      return { items: items.sort(byDueThenId) }
    },
  )
}
