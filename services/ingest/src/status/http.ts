import { catalogue } from '@ecrs/contracts'
import { bearerSecurity, httpErrors, requireAuthenticated, type App, type Principal } from '@ecrs/http'
import { ingestErrors } from '../events/errors.js'
import { ledgerKey, type Ledger } from '@ecrs/ledger'
import { combineStatus, type Outcome } from './domain.js'
import type { OutcomeStore } from './store.js'

/** Contract §2: an agency reads the status of its own events, a firm of its own, regulators and admins of any. */
const mayRead = (p: Principal, source: string): boolean => {
  switch (p.kind) {
    case 'regulator':
    case 'admin':
      return true
    case 'agency':
      return source === p.agency
    case 'firm':
      return source === `firm:${p.uscc}`
    case 'public':
      return false
  }
}

const paramsSchema = {
  type: 'object',
  required: ['source', 'id'],
  additionalProperties: false,
  properties: {
    source: { type: 'string', minLength: 1, maxLength: 100 },
    id: { type: 'string', minLength: 1, maxLength: 128 },
  },
} as const

const statusSchema = {
  type: 'object',
  required: ['id', 'source', 'type', 'status', 'outcomes'],
  properties: {
    id: { type: 'string' },
    source: { type: 'string' },
    type: { type: 'string' },
    status: { enum: ['accepted', 'applied', 'rejected'] },
    recordedAt: { type: 'string', format: 'date-time' },
    outcomes: {
      type: 'array',
      items: {
        type: 'object',
        required: ['consumer', 'status'],
        properties: {
          consumer: { type: 'string' },
          status: { enum: ['applied', 'rejected'] },
          reason: { type: 'string' },
          at: { type: 'string' },
        },
      },
    },
  },
} as const

/** `GET /v1/events/{source}/{id}`: accepted / applied / rejected, with each consumer's outcome. */
export const statusRoutes = (app: App, deps: { ledger: Ledger; outcomes: OutcomeStore }): void => {
  app.get<{ Params: { source: string; id: string } }>(
    '/v1/events/:source/:id',
    {
      onRequest: requireAuthenticated,
      schema: {
        summary: "An event's status",
        tags: ['events'],
        security: bearerSecurity,
        params: paramsSchema,
        querystring: { type: 'object', additionalProperties: false, properties: {} },
        response: { 200: statusSchema },
      },
    },
    async (request) => {
      const { source, id } = request.params
      if (!mayRead(request.principal, source))
        throw new httpErrors.FORBIDDEN('the status of events of another publisher')
      const key = ledgerKey(source, id)
      const entry = (await deps.ledger.find([key])).get(key)
      // A pending entry is not accepted: the event may never reach Kafka.
      const accepted = entry?.status === 'accepted' ? entry : undefined
      // The system's own events (ecrs.*) do not pass through the ledger; their type is in the outcomes.
      const knownType = accepted?.type
      const consumers = knownType ? (catalogue.get(knownType)?.consumers ?? []) : ['credit-profile', 'recall']
      const doc = await deps.outcomes.get(key, consumers)
      if (!accepted && !doc) throw new ingestErrors.EVENT_NOT_FOUND(id, source)
      const type = accepted?.type ?? doc!.type
      const outcomes: Outcome[] = Object.entries(doc?.consumers ?? {}).map(([consumer, o]) => ({
        consumer,
        ...o,
      }))
      return {
        id,
        source,
        type,
        status: combineStatus(catalogue.get(type)?.consumers ?? [], outcomes),
        ...(accepted ? { recordedAt: accepted.recordedAt.toISOString() } : {}),
        outcomes,
      }
    },
  )
}
