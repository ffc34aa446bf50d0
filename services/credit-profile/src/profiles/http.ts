import { isValidUscc, parseInstant } from '@ecrs/contracts'
import {
  bearerSecurity,
  codedError,
  httpErrors,
  requireAuthenticated,
  requireRoles,
  type App,
  type Principal,
} from '@ecrs/http'
import { derive, publicView, type FullProfile, type ProfileParams } from './domain/index.js'
import { toHistory, type EnterpriseDoc, type ProfileStore } from './store.js'

export const profileErrors = {
  USCC_INVALID: codedError('USCC_INVALID', 400, '%s is not a valid Unified Social Credit Code'),
  ENTERPRISE_NOT_FOUND: codedError('ENTERPRISE_NOT_FOUND', 404, 'no registered enterprise %s'),
  AS_OF_INVALID: codedError(
    'QUERY_INVALID',
    400,
    'asOf must be a date (YYYY-MM-DD) or an RFC 3339 date-time',
  ),
  CURSOR_INVALID: codedError('QUERY_INVALID', 400, 'cursor is not one this service gave out'),
} as const

const ussc = { type: 'string', minLength: 1, maxLength: 64 } as const
const usccParams = {
  type: 'object',
  required: ['uscc'],
  additionalProperties: false,
  properties: { uscc: ussc },
} as const
const asOfQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { asOf: { type: 'string', minLength: 10, maxLength: 40 } },
} as const

// Answers as documented in /openapi.json (contract §6); the fuzz tests hold the service to them.
const str = { type: 'string' } as const
const causes = {
  type: 'array',
  items: { type: 'object', required: ['source', 'id'], properties: { source: str, id: str } },
} as const
const restrictionsSchema = {
  type: 'array',
  items: {
    type: 'object',
    required: ['measure', 'since', 'because'],
    properties: { measure: str, since: str, until: str, because: causes },
  },
} as const
const profileSchema = {
  description: 'The full view (agencies, regulators, admins) or the public view (anyone else): contract §6',
  type: 'object',
  required: ['uscc', 'name', 'region', 'kind', 'registeredAt', 'status', 'asOf'],
  properties: {
    uscc: str,
    name: str,
    region: str,
    kind: str,
    registeredAt: str,
    status: { enum: ['active', 'deregistered'] },
    asOf: str,
    annualReports: { type: 'array', items: { type: 'object' } },
    abnormalListings: { type: 'array', items: { type: 'object' } },
    seriousListings: { type: 'array', items: { type: 'object' } },
    penalties: { type: 'array', items: { type: 'object' } },
    inspections: { type: 'array', items: { type: 'object' } },
    recalls: { type: 'array', items: { type: 'object' } },
    restrictions: restrictionsSchema,
    risk: {
      type: 'object',
      required: ['class', 'score', 'modelVersion', 'factors'],
      properties: { class: { enum: ['A', 'B', 'C', 'D'] }, score: { type: 'number' }, modelVersion: str },
    },
    nextChangeAt: str,
  },
} as const
const historySchema = {
  type: 'object',
  required: ['items'],
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        required: ['source', 'id', 'type', 'time', 'recordedAt'],
        properties: { source: str, id: str, type: str, time: str, recordedAt: str },
      },
    },
    next: str,
  },
} as const
const searchSchema = {
  type: 'object',
  required: ['items'],
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        required: ['uscc', 'name', 'region', 'risk'],
        properties: {
          uscc: str,
          name: str,
          region: str,
          risk: {
            type: 'object',
            required: ['class'],
            properties: { class: { enum: ['A', 'B', 'C', 'D'] } },
          },
        },
      },
    },
    next: str,
  },
} as const
const count = { type: 'integer', minimum: 0 } as const
const statsSchema = {
  type: 'object',
  required: ['enterprises', 'byRiskClass', 'abnormalActive', 'seriousActive'],
  properties: {
    enterprises: count,
    byRiskClass: {
      type: 'object',
      required: ['A', 'B', 'C', 'D'],
      properties: { A: count, B: count, C: count, D: count },
    },
    abnormalActive: count,
    seriousActive: count,
  },
} as const

/** Regulators, agencies and admins see everything (contract §2). */
const seesAll = (p: Principal): boolean => p.kind === 'regulator' || p.kind === 'agency' || p.kind === 'admin'

const encodeCursor = (s: string): string => Buffer.from(s, 'utf8').toString('base64url')
const decodeCursor = (s: string): string => {
  const v = Buffer.from(s, 'base64url').toString('utf8')
  if (!/^[0-9A-Z]{18}$|^\d{1,9}$/.test(v)) throw new profileErrors.CURSOR_INVALID()
  return v
}

export interface ProfileRouteDeps {
  profiles: ProfileStore
  params: ProfileParams
  now: () => Date
}

/** Contract §6: profiles (full and public), history, restrictions, search, stats. */
export const profileRoutes = (app: App, deps: ProfileRouteDeps): void => {
  const load = async (uscc: string): Promise<EnterpriseDoc> => {
    if (!isValidUscc(uscc)) throw new profileErrors.USCC_INVALID(uscc)
    const doc = await deps.profiles.get(uscc)
    if (!doc) throw new profileErrors.ENTERPRISE_NOT_FOUND(uscc)
    return doc
  }
  const asOfOf = (s: string | undefined): Date => {
    if (s === undefined) return deps.now()
    const d = parseInstant(s)
    if (!d) throw new profileErrors.AS_OF_INVALID()
    return d
  }
  const profileAt = (doc: EnterpriseDoc, at: Date): FullProfile => {
    const p = derive(toHistory(doc.events), at, deps.params).profile
    if (!p) throw new profileErrors.ENTERPRISE_NOT_FOUND(doc._id)
    return p
  }
  /** The firm itself, regulators, agencies, admins: 401 for the public, 403 for another firm. */
  const ownOrAll = (p: Principal, uscc: string): void => {
    if (p.kind === 'public') throw new httpErrors.UNAUTHORIZED('a bearer token is required')
    if (p.kind === 'firm' && p.uscc !== uscc) throw new httpErrors.FORBIDDEN("another firm's records")
  }

  app.get<{ Params: { uscc: string }; Querystring: { asOf?: string } }>(
    '/v1/enterprises/:uscc',
    {
      schema: {
        summary: "An enterprise's credit profile",
        description: 'Full view for agencies, regulators and admins; the public view for anyone else.',
        tags: ['profiles'],
        params: usccParams,
        querystring: asOfQuery,
        response: { 200: profileSchema },
      },
    },
    async (request) => {
      const doc = await load(request.params.uscc)
      const asOf = asOfOf(request.query.asOf)
      const full = profileAt(doc, asOf)
      if (seesAll(request.principal)) return full
      const now = deps.now()
      const atNow =
        asOf.getTime() === now.getTime() ? full : derive(toHistory(doc.events), now, deps.params).profile
      const view = publicView(full, atNow)
      // §6: restrictions go to the firm itself (and agencies and regulators, above), never the public.
      const self = request.principal.kind === 'firm' && request.principal.uscc === full.uscc
      return self ? { ...view, restrictions: full.restrictions } : view
    },
  )

  app.get<{ Params: { uscc: string }; Querystring: { limit?: number; cursor?: string } }>(
    '/v1/enterprises/:uscc/history',
    {
      onRequest: requireAuthenticated,
      schema: {
        summary: 'The applied events of an enterprise, in event-time order',
        tags: ['profiles'],
        security: bearerSecurity,
        params: usccParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            cursor: { type: 'string', maxLength: 64 },
          },
        },
        response: { 200: historySchema },
      },
    },
    async (request) => {
      ownOrAll(request.principal, request.params.uscc)
      const doc = await load(request.params.uscc)
      const d = derive(toHistory(doc.events), deps.now(), deps.params)
      const applied = [...doc.events]
        .filter((e) => d.outcomes.get(`${e.source}/${e.id}`)?.status === 'applied')
        .sort(
          (a, b) =>
            Date.parse(a.time) - Date.parse(b.time) ||
            a.recordedAt.localeCompare(b.recordedAt) ||
            a.source.localeCompare(b.source) ||
            a.id.localeCompare(b.id),
        )
      const from = request.query.cursor ? Number(decodeCursor(request.query.cursor)) : 0
      const limit = request.query.limit ?? 100
      const page = applied.slice(from, from + limit)
      return {
        items: page.map((e) => ({
          source: e.source,
          id: e.id,
          type: e.type,
          time: e.time,
          recordedAt: e.recordedAt,
        })),
        ...(from + limit < applied.length ? { next: encodeCursor(String(from + limit)) } : {}),
      }
    },
  )

  app.get<{ Params: { uscc: string }; Querystring: { asOf?: string } }>(
    '/v1/enterprises/:uscc/restrictions',
    {
      onRequest: requireAuthenticated,
      schema: {
        summary: 'Restrictions (joint punishment) in effect',
        tags: ['profiles'],
        security: bearerSecurity,
        params: usccParams,
        querystring: asOfQuery,
        response: {
          200: {
            type: 'object',
            required: ['restrictions'],
            properties: { restrictions: restrictionsSchema },
          },
        },
      },
    },
    async (request) => {
      ownOrAll(request.principal, request.params.uscc)
      const doc = await load(request.params.uscc)
      return { restrictions: profileAt(doc, asOfOf(request.query.asOf)).restrictions }
    },
  )

  app.get<{
    Querystring: {
      riskClass?: string
      listed?: 'abnormal' | 'serious'
      region?: string
      limit?: number
      cursor?: string
    }
  }>(
    '/v1/enterprises',
    {
      onRequest: requireAuthenticated,
      preHandler: requireRoles('regulator', 'agency', 'admin'),
      schema: {
        summary: 'Search enterprises',
        tags: ['profiles'],
        security: bearerSecurity,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            riskClass: { type: 'string', enum: ['A', 'B', 'C', 'D'] },
            listed: { type: 'string', enum: ['abnormal', 'serious'] },
            region: { type: 'string', pattern: '^[0-9]{1,6}$' },
            limit: { type: 'integer', minimum: 1, maximum: 100, default: 50 },
            cursor: { type: 'string', maxLength: 64 },
          },
        },
        response: { 200: searchSchema },
      },
    },
    async (request) => {
      const q = request.query
      const limit = q.limit ?? 50
      const rows = await deps.profiles.search({
        ...(q.riskClass ? { riskClass: q.riskClass } : {}),
        ...(q.listed ? { listed: q.listed } : {}),
        ...(q.region ? { region: q.region } : {}),
        ...(q.cursor ? { after: decodeCursor(q.cursor) } : {}),
        limit: limit + 1,
      })
      const page = rows.slice(0, limit)
      return {
        items: page.map((r) => ({
          uscc: r._id,
          name: r.name,
          region: r.region,
          risk: { class: r.riskClass },
        })),
        ...(rows.length > limit ? { next: encodeCursor(page[page.length - 1]!._id) } : {}),
      }
    },
  )

  app.get(
    '/v1/stats',
    {
      onRequest: requireAuthenticated,
      preHandler: requireRoles('regulator', 'agency', 'admin'),
      schema: {
        summary: 'Counts by risk class and listing',
        tags: ['profiles'],
        security: bearerSecurity,
        querystring: { type: 'object', additionalProperties: false, properties: {} },
        response: { 200: statsSchema },
      },
    },
    () => deps.profiles.stats(),
  )
}
