import { asyncApiDocument, catalogue, dataSchemaDocument, eventTypes, type Topics } from '@ecrs/contracts'
import type { App } from '@ecrs/http'
import { ingestErrors } from '../events/errors.js'

/**
 * The catalogue as served documents: `GET /v1/schemas`, `GET /v1/schemas/{type}` and
 * `GET /asyncapi.json`, all generated from the schemas in packages/contracts (one source of truth).
 */
export const schemaRoutes = (app: App, topics: Topics, version: string): void => {
  const asyncapi = asyncApiDocument(topics, { version })
  const open = { config: { skipAuth: true } }
  app.get('/v1/schemas', { ...open, schema: { summary: 'The event catalogue', tags: ['schemas'] } }, () => ({
    items: eventTypes.map((type) => {
      const spec = catalogue.get(type)!
      return {
        type,
        dataversion: spec.dataversion,
        topic: topics[spec.topic],
        publishers: spec.publishers,
        consumers: spec.consumers,
        description: spec.description,
        schema: `/v1/schemas/${type}`,
      }
    }),
  }))
  app.get<{ Params: { type: string } }>(
    '/v1/schemas/:type',
    {
      ...open,
      schema: {
        summary: "One event type's JSON Schema (envelope and data)",
        tags: ['schemas'],
        params: {
          type: 'object',
          properties: { type: { type: 'string', maxLength: 128 } },
          required: ['type'],
        },
      },
    },
    (request) => {
      const doc = dataSchemaDocument(request.params.type)
      if (!doc) throw new ingestErrors.SCHEMA_NOT_FOUND(request.params.type)
      return doc
    },
  )
  app.get('/asyncapi.json', { ...open, schema: { hide: true } }, () => asyncapi)
}
