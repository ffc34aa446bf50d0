import { isValidUscc, RECALL_STATUSES } from '@ecrs/contracts'
import { bearerSecurity, httpErrors, refuseAdmin, requireRoles, type App, type Principal } from '@ecrs/http'
import { derive, publicCase, type RecallCase, type RecallParams } from './domain/index.js'
import { recallErrors } from './errors.js'
import type { RulesSweep } from './scheduler.js'
import { eventsOf, type CaseStore } from './store.js'

/** The producers' names the enterprise topic gave (see producers/): read when a case shows its producer. */
export interface NameLookup {
  namesOf(usccs: Iterable<string>): Promise<Map<string, string>>
}

export interface RecallRouteDeps {
  readonly cases: CaseStore
  readonly params: RecallParams
  readonly now: () => Date
  readonly names: NameLookup
}

/** The cases with `producer.name` from the enterprise topic where their own events gave none. */
const withNames = async <C extends { producer: { uscc: string; name?: string } }>(
  names: NameLookup,
  cases: readonly C[],
): Promise<C[]> => {
  const missing = cases.filter((c) => c.producer.name === undefined).map((c) => c.producer.uscc)
  if (missing.length === 0) return [...cases]
  const known = await names.namesOf(missing)
  return cases.map((c) => {
    const name = c.producer.name ?? known.get(c.producer.uscc)
    return name === undefined ? c : { ...c, producer: { ...c.producer, name } }
  })
}

/** Agencies, regulators and the producer itself read the full case (contract §7). */
const seesFull = (p: Principal, c: RecallCase): boolean =>
  p.kind === 'agency' || p.kind === 'regulator' || (p.kind === 'firm' && p.uscc === c.producer.uscc)

const recallIdParams = {
  type: 'object',
  required: ['recallId'],
  additionalProperties: false,
  properties: { recallId: { type: 'string', minLength: 1, maxLength: 128 } },
} as const

const noQuery = { type: 'object', additionalProperties: false, properties: {} } as const

// Answers as documented in /openapi.json (contract §7); the fuzz tests hold the service to them.
const str = { type: 'string' } as const
const caseSchema = {
  description: 'The full case (agencies, regulators, its producer) or its public shape: contract §7',
  type: 'object',
  required: ['recallId', 'producer', 'product', 'status', 'unitsAffected'],
  properties: {
    recallId: str,
    producer: { type: 'object', required: ['uscc'], properties: { uscc: str, name: str } },
    product: { type: 'object' },
    status: { enum: [...RECALL_STATUSES] },
    unitsAffected: { type: 'integer', minimum: 1 },
    unitsRemedied: { type: 'integer', minimum: 0 },
    completionRate: { type: 'number', minimum: 0, maximum: 1 },
    obligations: { type: 'array', items: { type: 'object' } },
    timeline: { type: 'array', items: { type: 'object' } },
    hazard: str,
    noticePublishedAt: str,
  },
} as const
const listSchema = {
  type: 'object',
  required: ['items'],
  properties: { items: { type: 'array', items: caseSchema }, next: str },
} as const

const limit = { type: 'integer', minimum: 1, maximum: 100, default: 50 } as const

const encodeCursor = (recallId: string): string => Buffer.from(recallId, 'utf8').toString('base64url')
const decodeCursor = (cursor: string): string => {
  const id = Buffer.from(cursor, 'base64url').toString('utf8')
  if (id === '' || encodeCursor(id) !== cursor)
    throw new httpErrors.QUERY_INVALID('cursor is not one this service gave out')
  return id
}

interface ListQuery {
  status?: string
  region?: string
  producer?: string
  limit: number
  cursor?: string
}

/** Contract §7 reads: one case (full or public), the supervisors' list, the public search. */
export const recallRoutes = (app: App, deps: RecallRouteDeps): void => {
  app.get<{ Params: { recallId: string } }>(
    '/v1/recalls/:recallId',
    {
      onRequest: refuseAdmin,
      schema: {
        summary: 'A recall case',
        description:
          'The full case for agencies, regulators and the producer; the public shape for anyone else once the notice is published; 404 otherwise; an admin token → 403.',
        tags: ['recalls'],
        params: recallIdParams,
        querystring: noQuery,
        response: { 200: caseSchema },
      },
    },
    async (request) => {
      const { recallId } = request.params
      const doc = await deps.cases.get(recallId)
      const c = doc === null ? undefined : derive(eventsOf(doc), deps.now(), deps.params).case
      if (c === undefined) throw new recallErrors.RECALL_NOT_FOUND(recallId)
      const [named] = await withNames(deps.names, [c])
      if (seesFull(request.principal, c)) return named
      const shown = publicCase(named!)
      if (shown === undefined) throw new recallErrors.RECALL_NOT_FOUND(recallId)
      return shown
    },
  )

  app.get<{ Querystring: ListQuery }>(
    '/v1/recalls',
    {
      onRequest: requireRoles('agency', 'regulator'),
      schema: {
        summary: 'Recall cases, by recallId',
        description: 'Agencies and regulators. Follow `next` for the next page (as every list of ECRS).',
        tags: ['recalls'],
        security: bearerSecurity,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            status: { type: 'string', enum: [...RECALL_STATUSES] },
            region: { type: 'string', pattern: '^[0-9]{6}$' },
            producer: { type: 'string', minLength: 1, maxLength: 64 },
            limit,
            cursor: { type: 'string', minLength: 1, maxLength: 200 },
          },
        },
        response: { 200: listSchema },
      },
    },
    async (request) => {
      const q = request.query
      if (q.producer !== undefined && !isValidUscc(q.producer))
        throw new recallErrors.USCC_INVALID(q.producer)
      const cursor = q.cursor === undefined ? undefined : decodeCursor(q.cursor)
      const filter = {
        ...(q.status === undefined ? {} : { status: q.status }),
        ...(q.region === undefined ? {} : { region: q.region }),
        ...(q.producer === undefined ? {} : { producer: q.producer }),
      }
      const found = await deps.cases.list(filter, q.limit + 1, cursor)
      const page = found.slice(0, q.limit)
      const last = page[page.length - 1]
      return {
        items: await withNames(
          deps.names,
          page.flatMap((d) => (d.case === undefined ? [] : [d.case])),
        ),
        ...(found.length > q.limit && last !== undefined ? { next: encodeCursor(last._id) } : {}),
      }
    },
  )

  app.get<{ Querystring: { q?: string; limit: number } }>(
    '/v1/public/recalls',
    {
      onRequest: refuseAdmin,
      schema: {
        summary: 'Published recalls',
        description:
          'No token needed. `q` matches product name, model, producer name or USCC (case-insensitive substring).',
        tags: ['recalls'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { q: { type: 'string', maxLength: 200 }, limit },
        },
        response: { 200: listSchema },
      },
    },
    async (request) => {
      const q = request.query.q?.trim().toLowerCase() ?? ''
      const docs = await deps.cases.published()
      const shown = await withNames(
        deps.names,
        docs.flatMap((d) => {
          const p = d.case === undefined ? undefined : publicCase(d.case)
          return p === undefined ? [] : [{ ...p, search: d.search }]
        }),
      )
      // The stored search text has the producer's name only when its own events gave it: the name
      // from the enterprise topic is matched here.
      const items = shown
        .filter(
          (p) => q === '' || p.search.includes(q) || (p.producer.name?.toLowerCase().includes(q) ?? false),
        )
        .slice(0, request.query.limit)
        .map(({ search: _search, ...p }) => p)
      return { items }
    },
  )
}

/** `POST /v1/admin/rules:run`: an admin runs the rules sweep over every case now. */
export const rulesRoutes = (app: App, sweep: RulesSweep): void => {
  app.post(
    '/v1/admin/rules::run',
    {
      onRequest: requireRoles('admin'),
      schema: {
        summary: 'Run the recall rules now',
        description: 'Derives every case again at now; answers the ids of the decisions published.',
        tags: ['operations'],
        security: bearerSecurity,
        querystring: noQuery,
        response: {
          200: {
            description: 'The ids of the decisions published',
            type: 'object',
            required: ['published'],
            properties: { published: { type: 'array', items: str } },
          },
        },
      },
    },
    async () => ({ published: await sweep('all') }),
  )
}
