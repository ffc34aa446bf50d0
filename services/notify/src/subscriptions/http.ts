/** Contract §8 subscriptions: create, read, change, delete, rotate the secret, list and retry deliveries. */
import { bearerSecurity, httpErrors, requireRoles, withExtras, type App } from '@ecrs/http'
import type { Static } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import type { UrlGuard } from '../delivery/url-guard.js'
import type { DeliveryDesk } from './desk.js'
import {
  isOwnedBy,
  ownerOf,
  rotateSecrets,
  usccsFor,
  viewOf,
  type Owner,
  type Subscription,
  type UsccsProblem,
} from './domain.js'
import { deliveryRoutes } from './deliveries-http.js'
import { subscriptionErrors } from './errors.js'
import { newSecret, newSubscriptionId } from './ids.js'
import {
  CreateBody,
  NoQuery,
  PatchBody,
  SubscriptionParams,
  createdSchema,
  listSchema,
  secretSchema,
  subscriptionSchema,
} from './schemas.js'
import type { SubscriptionStore } from './store.js'

export interface SubscriptionRouteDeps {
  readonly subscriptions: SubscriptionStore
  /** The dispatcher. */
  readonly deliveries: DeliveryDesk
  readonly guard: UrlGuard
  /** How long a rotated-out secret still signs (NOTIFY_SECRET_OVERLAP), in ms. */
  readonly secretOverlapMs: number
  readonly now?: () => Date
}

const TAGS = ['subscriptions']
const who = requireRoles('agency', 'regulator', 'firm')

const usccsRefusal = (problem: UsccsProblem): Error =>
  problem.kind === 'forbidden'
    ? new httpErrors.FORBIDDEN(`a firm subscribes to its own enterprise only, not ${problem.uscc}`)
    : withExtras(new httpErrors.BODY_INVALID(`usccs/${problem.index} is not a valid USCC`), {
        errors: [{ path: `/usccs/${problem.index}`, message: 'is not a valid Unified Social Credit Code' }],
      })

/** Registers the routes of contract §8 for subscriptions and their deliveries. */
export const subscriptionRoutes = (app: App, deps: SubscriptionRouteDeps): void => {
  const now = deps.now ?? (() => new Date())

  /** The URL as the environment allows it: syntax always, every address in production. */
  const checkUrl = async (url: string): Promise<void> => {
    const refusal = deps.guard.syntax(url)
    if (refusal?.reason === 'invalid') throw new subscriptionErrors.SUBSCRIPTION_URL_INVALID(refusal.message)
    if (refusal !== undefined) throw new subscriptionErrors.SUBSCRIPTION_URL_FORBIDDEN(refusal.message)
    if (!deps.guard.production) return
    const checked = await deps.guard.check(url)
    // A host that does not resolve now is no danger: every attempt checks it again.
    if (!checked.ok && checked.refusal.reason !== 'unresolvable')
      throw new subscriptionErrors.SUBSCRIPTION_URL_FORBIDDEN(checked.refusal.message)
  }

  const ownerOfRequest = (request: FastifyRequest): Owner => {
    const owner = ownerOf(request.principal)
    if (owner === undefined) throw new httpErrors.FORBIDDEN(`role ${request.principal.kind}`)
    return owner
  }

  /** The caller's subscription, or 404 (another caller's is not told apart from none). */
  const owned = async (request: FastifyRequest, id: string): Promise<Subscription> => {
    const s = await deps.subscriptions.get(id)
    if (s === null || !isOwnedBy(s, request.principal))
      throw new subscriptionErrors.SUBSCRIPTION_NOT_FOUND(id)
    return s
  }

  app.post<{ Body: Static<typeof CreateBody> }>(
    '/v1/subscriptions',
    {
      onRequest: who,
      schema: {
        summary: 'Subscribe a webhook to the change feed',
        description:
          'Agencies and regulators for any enterprises; a firm for its own (`usccs` absent = its own, any other → 403). `kinds` absent or `[]` = every kind. The `secret` (Standard Webhooks, `whsec_…`) is shown only in this answer.',
        tags: TAGS,
        security: bearerSecurity,
        querystring: NoQuery,
        body: CreateBody,
        response: { 201: createdSchema },
      },
    },
    async (request, reply) => {
      const owner = ownerOfRequest(request)
      const body = request.body
      const usccs = usccsFor(owner, body.usccs)
      if (!usccs.ok) throw usccsRefusal(usccs.problem)
      await checkUrl(body.url)
      const at = now()
      const secret = newSecret()
      const s: Subscription = {
        _id: newSubscriptionId(),
        owner,
        url: body.url,
        kinds: body.kinds ?? [],
        ...(usccs.usccs === undefined ? {} : { usccs: usccs.usccs }),
        ...(body.region === undefined ? {} : { region: body.region }),
        ...(body.description === undefined ? {} : { description: body.description }),
        status: 'active',
        secrets: [{ secret }],
        createdAt: at,
        updatedAt: at,
      }
      await deps.subscriptions.insert(s)
      await deps.deliveries.subscriptionChanged(s._id)
      request.log.info({ subscriptionId: s._id, owner: owner.sub }, 'subscription created')
      return reply.code(201).send({ ...viewOf(s), secret })
    },
  )

  app.get(
    '/v1/subscriptions',
    {
      onRequest: who,
      schema: {
        summary: "The caller's subscriptions",
        description: 'Never the secrets.',
        tags: TAGS,
        security: bearerSecurity,
        querystring: NoQuery,
        response: { 200: listSchema },
      },
    },
    async (request) => {
      const mine = await deps.subscriptions.ofOwner(ownerOfRequest(request).sub)
      return { items: mine.filter((s) => isOwnedBy(s, request.principal)).map(viewOf) }
    },
  )

  app.get<{ Params: Static<typeof SubscriptionParams> }>(
    '/v1/subscriptions/:id(^[A-Za-z0-9_-]+)',
    {
      onRequest: who,
      schema: {
        summary: 'One of the caller’s subscriptions',
        description: "Another caller's → 404. Never the secret.",
        tags: TAGS,
        security: bearerSecurity,
        params: SubscriptionParams,
        querystring: NoQuery,
        response: { 200: subscriptionSchema },
      },
    },
    async (request) => viewOf(await owned(request, request.params.id)),
  )

  app.patch<{ Params: Static<typeof SubscriptionParams>; Body: Static<typeof PatchBody> }>(
    '/v1/subscriptions/:id(^[A-Za-z0-9_-]+)',
    {
      onRequest: who,
      schema: {
        summary: 'Change a subscription',
        description:
          'Any of url, kinds, usccs, region, description, status (`active` | `paused`), validated as at creation; `null` removes usccs, region or description. A paused subscription keeps its deliveries pending until it is active again.',
        tags: TAGS,
        security: bearerSecurity,
        params: SubscriptionParams,
        querystring: NoQuery,
        body: PatchBody,
        response: { 200: subscriptionSchema },
      },
    },
    async (request) => {
      const s = await owned(request, request.params.id)
      const body = request.body
      let usccs = s.usccs
      if (body.usccs !== undefined) {
        const r = usccsFor(s.owner, body.usccs)
        if (!r.ok) throw usccsRefusal(r.problem)
        usccs = r.usccs
      }
      if (body.url !== undefined) await checkUrl(body.url)
      const region = body.region === undefined ? s.region : (body.region ?? undefined)
      const description = body.description === undefined ? s.description : (body.description ?? undefined)
      const { usccs: _u, region: _r, description: _d, ...rest } = s
      const next: Subscription = {
        ...rest,
        url: body.url ?? s.url,
        kinds: body.kinds ?? s.kinds,
        ...(usccs === undefined ? {} : { usccs }),
        ...(region === undefined ? {} : { region }),
        ...(description === undefined ? {} : { description }),
        status: body.status ?? s.status,
        updatedAt: laterThan(s.updatedAt, now()),
      }
      if (!(await deps.subscriptions.replace(next)))
        throw new subscriptionErrors.SUBSCRIPTION_NOT_FOUND(s._id)
      await deps.deliveries.subscriptionChanged(s._id)
      return viewOf(next)
    },
  )

  app.delete<{ Params: Static<typeof SubscriptionParams> }>(
    '/v1/subscriptions/:id(^[A-Za-z0-9_-]+)',
    {
      onRequest: who,
      schema: {
        summary: 'Delete a subscription',
        description: 'Its deliveries, pending ones included, are dropped.',
        tags: TAGS,
        security: bearerSecurity,
        params: SubscriptionParams,
        querystring: NoQuery,
        response: { 204: { description: 'Deleted', type: 'null' } },
      },
    },
    async (request, reply) => {
      const s = await owned(request, request.params.id)
      await deps.subscriptions.remove(s._id)
      await deps.deliveries.subscriptionDeleted(s._id)
      request.log.info({ subscriptionId: s._id }, 'subscription deleted')
      return reply.code(204).send()
    },
  )

  app.post<{ Params: Static<typeof SubscriptionParams> }>(
    '/v1/subscriptions/:id(^[A-Za-z0-9_-]+)::rotate-secret',
    {
      onRequest: who,
      schema: {
        summary: 'Rotate the signing secret',
        description:
          'Answers the new secret. Deliveries are signed with both the old and the new one for NOTIFY_SECRET_OVERLAP (24 h), then with the new one only.',
        tags: TAGS,
        security: bearerSecurity,
        params: SubscriptionParams,
        querystring: NoQuery,
        response: { 200: secretSchema },
      },
    },
    async (request) => {
      const s = await owned(request, request.params.id)
      const at = now()
      const secret = newSecret()
      const next: Subscription = {
        ...s,
        secrets: rotateSecrets(s.secrets, secret, at, deps.secretOverlapMs),
        updatedAt: laterThan(s.updatedAt, at),
      }
      if (!(await deps.subscriptions.replace(next)))
        throw new subscriptionErrors.SUBSCRIPTION_NOT_FOUND(s._id)
      await deps.deliveries.subscriptionChanged(s._id)
      request.log.info({ subscriptionId: s._id }, 'subscription secret rotated')
      return { secret }
    },
  )

  deliveryRoutes(app, deps.deliveries, owned)
}

/**
 * `at`, or just after `previous` when the clock says otherwise: every change moves `updatedAt`
 * forward, which is how other processes see it (SubscriptionStore.stamps).
 */
const laterThan = (previous: Date, at: Date): Date =>
  at.getTime() > previous.getTime() ? at : new Date(previous.getTime() + 1)
