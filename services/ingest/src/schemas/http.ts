import { asyncApiDocument, catalogue, dataSchemaDocument, eventTypes, type Topics } from '@ecrs/contracts'
import type { App } from '@ecrs/http'
import { ingestErrors } from '../events/errors.js'

const strings = { type: 'array', items: { type: 'string' } } as const
const catalogueSchema = {
  type: 'object',
  required: ['items'],
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        required: ['type', 'dataversion', 'topic', 'publishers', 'consumers', 'schema'],
        properties: {
          type: { type: 'string' },
          dataversion: { type: 'integer', minimum: 1 },
          topic: { type: 'string' },
          publishers: strings,
          consumers: strings,
          description: { type: 'string' },
          schema: { type: 'string' },
        },
      },
    },
  },
} as const

/**
 * The catalogue as served documents: `GET /v1/schemas`, `GET /v1/schemas/{type}` and
 * `GET /asyncapi.json`, all generated from the schemas in packages/contracts (one source of truth).
 */
export const schemaRoutes = (app: App, topics: Topics, version: string): void => {
  const asyncapi = asyncApiDocument(topics, { version })
  const open = { config: { skipAuth: true } }
  app.get(
    '/v1/schemas',
    {
      ...open,
      schema: { summary: 'The event catalogue', tags: ['schemas'], response: { 200: catalogueSchema } },
    },
    () => ({
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
    }),
  )
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
        response: { 200: { description: 'A JSON Schema document', type: 'object' } },
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
