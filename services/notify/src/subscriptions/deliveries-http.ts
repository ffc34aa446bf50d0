/** Contract §8: a subscription's deliveries, listed and retried by its owner. */
import { bearerSecurity, requireRoles, type App } from '@ecrs/http'
import type { Static } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import type { DeliveryDesk } from './desk.js'
import type { Subscription } from './domain.js'
import { subscriptionErrors } from './errors.js'
import {
  DeliveriesQuery,
  DeliveryParams,
  SubscriptionParams,
  deliveryPageSchema,
  NoQuery,
  retriedSchema,
} from './schemas.js'

const TAGS = ['subscriptions']
const onRequest = requireRoles('agency', 'regulator', 'firm')

const encodeCursor = (seq: string): string => Buffer.from(seq, 'utf8').toString('base64url')
const decodeCursor = (cursor: string): string => {
  const seq = Buffer.from(cursor, 'base64url').toString('utf8')
  if (seq === '' || encodeCursor(seq) !== cursor) throw new subscriptionErrors.CURSOR_INVALID()
  return seq
}

/**
 * `GET /v1/subscriptions/{id}/deliveries` and `POST …/deliveries/{deliveryId}:retry`; `owned`
 * answers the caller's subscription, or throws 404.
 */
export const deliveryRoutes = (
  app: App,
  desk: DeliveryDesk,
  owned: (request: FastifyRequest, id: string) => Promise<Subscription>,
): void => {
  app.get<{ Params: Static<typeof SubscriptionParams>; Querystring: Static<typeof DeliveriesQuery> }>(
    '/v1/subscriptions/:id(^[A-Za-z0-9_-]+)/deliveries',
    {
      onRequest,
      schema: {
        summary: "A subscription's deliveries",
        description:
          'In feed (`seq`) order, optionally of one status; pass `next` as `cursor` for the next page.',
        tags: TAGS,
        security: bearerSecurity,
        params: SubscriptionParams,
        querystring: DeliveriesQuery,
        response: { 200: deliveryPageSchema },
      },
    },
    async (request) => {
      const s = await owned(request, request.params.id)
      const q = request.query
      const limit = q.limit ?? 100
      const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor)
      const found = await desk.deliveries(s._id, {
        limit: limit + 1,
        ...(q.status === undefined ? {} : { status: q.status }),
        ...(after === undefined ? {} : { after }),
      })
      const items = found.slice(0, limit)
      const last = items[items.length - 1]
      return {
        items,
        ...(found.length > limit && last !== undefined ? { next: encodeCursor(last.seq) } : {}),
      }
    },
  )

  app.post<{ Params: Static<typeof DeliveryParams> }>(
    '/v1/subscriptions/:id(^[A-Za-z0-9_-]+)/deliveries/:deliveryId(^[A-Za-z0-9_-]+)::retry',
    {
      onRequest,
      schema: {
        summary: 'Attempt a delivery again now',
        description:
          'A failed (or delivered) delivery becomes pending and is attempted at once — after any earlier pending entry of the same enterprise, whose order it keeps.',
        tags: TAGS,
        security: bearerSecurity,
        params: DeliveryParams,
        querystring: NoQuery,
        response: { 202: retriedSchema },
      },
    },
    async (request, reply) => {
      const s = await owned(request, request.params.id)
      const { deliveryId } = request.params
      if (!(await desk.retryNow(s._id, deliveryId)))
        throw new subscriptionErrors.DELIVERY_NOT_FOUND(s._id, deliveryId)
      return reply.code(202).send({ deliveryId, status: 'pending' })
    },
  )
}
