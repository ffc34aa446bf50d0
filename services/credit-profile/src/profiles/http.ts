import { isValidUscc } from '@ecrs/contracts'
import {
  bearerSecurity,
  codedError,
  httpErrors,
  requireAuthenticated,
  requireRoles,
  type App,
  type Principal,
} from '@ecrs/http'
import { asOfSchema, parseAsOf } from './as-of.js'
import type { ReadGate } from './read-gate.js'
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
  AS_OF_OUT_OF_RANGE: codedError(
    'QUERY_INVALID',
    400,
    'asOf must lie between 1949-10-01 and ten years from now',
  ),
  CURSOR_INVALID: codedError('QUERY_INVALID', 400, 'cursor is not one this service gave out'),
  READS_BUSY: codedError('READS_BUSY', 503, 'too many searches and stats in flight: retry later'),
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
  properties: { asOf: asOfSchema },
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
  description:
    'The full view (agencies, regulators) or the public view (anyone else; a firm reading itself also gets its restrictions): contract §6',
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

/** Regulators and agencies see everything (contract §2); admins read the operations endpoints only. */
const seesAll = (p: Principal): boolean => p.kind === 'regulator' || p.kind === 'agency'

/** Contract §2: `admin` reads operations and event statuses, nothing else (profiles → 403). */
const refuseAdmin = (p: Principal): void => {
  if (p.kind === 'admin') throw new httpErrors.FORBIDDEN('admins read the operations endpoints only')
}

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
  /** The bulkhead and short cache of search and stats (read-gate.ts). */
  gate: ReadGate
}

/** Contract §6: profiles (full and public), history, restrictions, search, stats. */
export const profileRoutes = (app: App, deps: ProfileRouteDeps): void => {
  const checkUscc = (uscc: string): void => {
    if (!isValidUscc(uscc)) throw new profileErrors.USCC_INVALID(uscc)
  }
  const load = async (uscc: string): Promise<EnterpriseDoc> => {
    checkUscc(uscc)
    const doc = await deps.profiles.get(uscc)
    if (!doc) throw new profileErrors.ENTERPRISE_NOT_FOUND(uscc)
    return doc
  }
  const asOfOf = (s: string | undefined): Date => {
    const now = deps.now()
    if (s === undefined) return now
    const d = parseAsOf(s, now)
    if (d === 'format') throw new profileErrors.AS_OF_INVALID()
    if (d === 'range') throw new profileErrors.AS_OF_OUT_OF_RANGE()
    return d
  }
  const profileAt = (doc: EnterpriseDoc, at: Date): FullProfile => {
    const p = derive(toHistory(doc.events), at, deps.params).profile
    if (!p) throw new profileErrors.ENTERPRISE_NOT_FOUND(doc._id)
    return p
  }
  /** The firm itself, regulators, agencies: 401 for the public, 403 for another firm or an admin. */
  const ownOrAll = (p: Principal, uscc: string): void => {
    if (p.kind === 'public') throw new httpErrors.UNAUTHORIZED('a bearer token is required')
    refuseAdmin(p)
    if (p.kind === 'firm' && p.uscc !== uscc) throw new httpErrors.FORBIDDEN("another firm's records")
  }

  app.get<{ Params: { uscc: string }; Querystring: { asOf?: string } }>(
    '/v1/enterprises/:uscc',
    {
      schema: {
        summary: "An enterprise's credit profile",
        description:
          'Full view for agencies and regulators; the public view for anyone else (a firm reading ' +
          'itself gets its restrictions too); 403 for admins (contract §2).',
        tags: ['profiles'],
        params: usccParams,
        querystring: asOfQuery,
        response: { 200: profileSchema },
      },
    },
    async (request) => {
      refuseAdmin(request.principal)
      checkUscc(request.params.uscc)
      const asOf = asOfOf(request.query.asOf)
      const doc = await load(request.params.uscc)
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
      checkUscc(request.params.uscc)
      const asOf = asOfOf(request.query.asOf)
      const doc = await load(request.params.uscc)
      return { restrictions: profileAt(doc, asOf).restrictions }
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
      preHandler: requireRoles('regulator', 'agency'),
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
      const after = q.cursor ? decodeCursor(q.cursor) : undefined
      const key = JSON.stringify(['search', q.riskClass, q.listed, q.region, after, limit])
      return deps.gate.run(key, async () => {
        const rows = await deps.profiles.search({
          ...(q.riskClass ? { riskClass: q.riskClass } : {}),
          ...(q.listed ? { listed: q.listed } : {}),
          ...(q.region ? { region: q.region } : {}),
          ...(after === undefined ? {} : { after }),
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
      })
    },
  )

  app.get(
    '/v1/stats',
    {
      onRequest: requireAuthenticated,
      preHandler: requireRoles('regulator', 'agency'),
      schema: {
        summary: 'Counts by risk class and listing',
        tags: ['profiles'],
        security: bearerSecurity,
        querystring: { type: 'object', additionalProperties: false, properties: {} },
        response: { 200: statsSchema },
      },
    },
    () => deps.gate.run('stats', () => deps.profiles.stats()),
  )
}
