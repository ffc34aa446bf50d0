import { addDays, compareDates, formatDate, parseDate, shanghaiDateOf } from '@ecrs/contracts'
import { bearerSecurity, httpErrors, requireRoles, type App } from '@ecrs/http'
import { agencyStats } from './domain.js'
import type { StatsFold } from './fold.js'

const DATE = '^\\d{4}-\\d{2}-\\d{2}$'
/** The widest range asked at once (ten years of days). */
const MAX_DAYS = 3660

const querySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    from: {
      type: 'string',
      pattern: DATE,
      description: 'first recordedAt date (Asia/Shanghai), default 364 days before `to`',
    },
    to: { type: 'string', pattern: DATE, description: 'last recordedAt date (Asia/Shanghai), default today' },
    agency: { type: 'string', pattern: '^[a-z0-9.-]{1,100}$', description: 'one agency' },
  },
} as const

const rate = { type: ['number', 'null'], minimum: 0, maximum: 1 } as const
const lag = { type: ['integer', 'null'], minimum: 0 } as const
const count = { type: 'integer', minimum: 0 } as const

const responseSchema = {
  type: 'object',
  required: ['from', 'to', 'agencies'],
  properties: {
    from: { type: 'string' },
    to: { type: 'string' },
    agencies: {
      type: 'array',
      items: {
        type: 'object',
        required: ['agency', 'events', 'byType', 'onTimeRate', 'appliedRate'],
        properties: {
          agency: { type: 'string' },
          events: count,
          byType: {
            type: 'array',
            items: {
              type: 'object',
              required: [
                'type',
                'events',
                'onTime',
                'late',
                'onTimeRate',
                'lagWorkingDaysP50',
                'lagWorkingDaysP90',
                'applied',
                'rejected',
                'pending',
              ],
              properties: {
                type: { type: 'string' },
                events: count,
                onTime: count,
                late: count,
                onTimeRate: rate,
                lagWorkingDaysP50: lag,
                lagWorkingDaysP90: lag,
                applied: count,
                rejected: count,
                pending: count,
              },
            },
          },
          onTimeRate: rate,
          appliedRate: rate,
        },
      },
    },
  },
} as const

const date = (s: string, name: string) => {
  const d = parseDate(s)
  if (d === undefined) throw new httpErrors.QUERY_INVALID(`${name} is not a calendar date`)
  return d
}

/** `GET /v1/agencies/stats` (contract §10): regulators see every agency, an agency itself. */
export const agencyStatsRoutes = (
  app: App,
  /** `stats` undefined: this process does not fold them (AGENCY_STATS=off) and answers 503. */
  deps: { stats: StatsFold | undefined; deadline: (type: string) => number; now: () => Date },
): void => {
  app.get<{ Querystring: { from?: string; to?: string; agency?: string } }>(
    '/v1/agencies/stats',
    {
      onRequest: requireRoles('regulator', 'agency'),
      schema: {
        summary: 'Timeliness and coverage per agency and event type',
        description:
          'Events recorded per agency and type between `from` and `to` (recordedAt dates), on time or late against TIMELINESS_DEADLINES, lag in working days (nearest-rank p50/p90), applied / rejected / pending.',
        tags: ['agencies'],
        security: bearerSecurity,
        querystring: querySchema,
        response: { 200: responseSchema },
      },
    },
    (request) => {
      const p = request.principal
      const q = request.query
      if (p.kind === 'agency' && q.agency !== undefined && q.agency !== p.agency)
        throw new httpErrors.FORBIDDEN('the statistics of another agency')
      const to = q.to === undefined ? shanghaiDateOf(deps.now()) : date(q.to, 'to')
      const from = q.from === undefined ? addDays(to, -364) : date(q.from, 'from')
      const fromS = formatDate(from)
      const toS = formatDate(to)
      if (fromS > toS) throw new httpErrors.QUERY_INVALID('from is after to')
      if (compareDates(addDays(from, MAX_DAYS - 1), to) < 0)
        throw new httpErrors.QUERY_INVALID(`at most ${MAX_DAYS} days at once`)
      const stats = deps.stats
      if (!stats)
        throw new httpErrors.SERVICE_UNAVAILABLE(
          'this ingest does not fold the statistics (AGENCY_STATS=off)',
        )
      const one = p.kind === 'agency' ? p.agency : q.agency
      const names = one === undefined ? stats.agencies() : [one]
      const agencies = names
        .map((a) => agencyStats(a, stats.range(a, fromS, toS), deps.deadline))
        // Every agency asked for by name is answered, even with nothing; the others when they have events.
        .filter((a) => one !== undefined || a.events > 0)
      return { from: fromS, to: toS, agencies }
    },
  )
}
