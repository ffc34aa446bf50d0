/** Contract §9 rosters: `PUT /v1/agencies/{agency}/inspectors/{inspectorId}` and the agency's list. */
import { bearerSecurity, httpErrors, requireRoles, type App } from '@ecrs/http'
import { Type, type Static } from '@sinclair/typebox'
import { AgencyId, InspectorId, NoQuery } from '../ids.js'
import { writingAgency } from '../rights.js'
import type { Inspector, RosterStore } from './store.js'

const TAGS = ['rosters']

const Params = Type.Object({ agency: AgencyId, inspectorId: InspectorId }, { additionalProperties: false })
const AgencyParams = Type.Object({ agency: AgencyId }, { additionalProperties: false })
const Body = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    region: Type.String({ pattern: '^[0-9]{1,6}$', description: 'division code (prefix)' }),
    active: Type.Boolean(),
  },
  { additionalProperties: false },
)

const inspectorSchema = Type.Object({
  agency: Type.String(),
  inspectorId: Type.String(),
  name: Type.String(),
  region: Type.String(),
  active: Type.Boolean(),
  updatedAt: Type.String(),
})

export const rosterRoutes = (app: App, deps: { rosters: RosterStore; now?: () => Date }): void => {
  const now = deps.now ?? (() => new Date())

  app.put<{ Params: Static<typeof Params>; Body: Static<typeof Body> }>(
    '/v1/agencies/:agency/inspectors/:inspectorId',
    {
      onRequest: requireRoles('agency'),
      schema: {
        summary: 'Put an inspector on the agency’s roster',
        description: 'That agency only (another → 403). 201 when created, 200 when replaced.',
        tags: TAGS,
        security: bearerSecurity,
        params: Params,
        querystring: NoQuery,
        body: Body,
        response: { 200: inspectorSchema, 201: inspectorSchema },
      },
    },
    async (request, reply) => {
      const { agency, inspectorId } = request.params
      if (writingAgency(request.principal) !== agency)
        throw new httpErrors.FORBIDDEN(`only ${agency} keeps its roster`)
      const inspector: Inspector = { agency, inspectorId, ...request.body, updatedAt: now().toISOString() }
      const created = await deps.rosters.put(inspector)
      return reply.code(created ? 201 : 200).send(inspector)
    },
  )

  app.get<{ Params: Static<typeof AgencyParams> }>(
    '/v1/agencies/:agency/inspectors',
    {
      onRequest: requireRoles('agency', 'regulator'),
      schema: {
        summary: 'An agency’s roster',
        description: 'That agency and regulators.',
        tags: TAGS,
        security: bearerSecurity,
        params: AgencyParams,
        querystring: NoQuery,
        response: { 200: Type.Object({ items: Type.Array(inspectorSchema) }) },
      },
    },
    async (request) => {
      const p = request.principal
      const { agency } = request.params
      if (p.kind === 'agency' && p.agency !== agency)
        throw new httpErrors.FORBIDDEN(`the roster of ${agency} is not yours`)
      return { items: await deps.rosters.ofAgency(agency) }
    },
  )
}
