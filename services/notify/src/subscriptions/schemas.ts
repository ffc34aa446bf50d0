/** The request and answer schemas of the subscription routes (contract §8), as /openapi.json shows them. */
import { CHANGE_KINDS } from '@ecrs/contracts'
import { stringEnum } from '@ecrs/http'
import { Type } from '@sinclair/typebox'

/** The most enterprises one subscription may name (contract §8). */
export const MAX_USCCS = 10_000

const Kind = stringEnum(CHANGE_KINDS)
const Kinds = Type.Array(Kind, {
  maxItems: 64,
  description: 'any of these kinds; `[]` or absent = every kind',
})
const Uscc = Type.String({ pattern: '^[0-9A-Z]{18}$', description: 'a USCC (check character verified)' })
const Usccs = Type.Array(Uscc, { minItems: 1, maxItems: MAX_USCCS })
const Region = Type.String({ pattern: '^[0-9]{1,6}$', description: 'a region code prefix (digits)' })
const Url = Type.String({
  minLength: 1,
  maxLength: 2048,
  description:
    'absolute http(s) URL without credentials; in production https only, and no host resolving to a loopback, private, link-local, multicast or otherwise special address',
})
const Description = Type.String({ maxLength: 500 })
const Status = stringEnum(['active', 'paused'])

export const NoQuery = Type.Object({}, { additionalProperties: false })

export const CreateBody = Type.Object(
  {
    url: Url,
    kinds: Type.Optional(Kinds),
    usccs: Type.Optional(Usccs),
    region: Type.Optional(Region),
    description: Type.Optional(Description),
  },
  { additionalProperties: false },
)

export const PatchBody = Type.Object(
  {
    url: Type.Optional(Url),
    kinds: Type.Optional(Kinds),
    usccs: Type.Optional(Type.Union([Usccs, Type.Null()])),
    region: Type.Optional(Type.Union([Region, Type.Null()])),
    description: Type.Optional(Type.Union([Description, Type.Null()])),
    status: Type.Optional(Status),
  },
  { additionalProperties: false },
)

const Id = Type.String({ minLength: 1, maxLength: 128 })
export const SubscriptionParams = Type.Object({ id: Id }, { additionalProperties: false })
export const DeliveryParams = Type.Object({ id: Id, deliveryId: Id }, { additionalProperties: false })

export const DeliveriesQuery = Type.Object(
  {
    status: Type.Optional(stringEnum(['pending', 'delivered', 'failed'])),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
)

const str = Type.String()
export const subscriptionSchema = Type.Object(
  {
    id: str,
    url: str,
    kinds: Type.Array(str),
    usccs: Type.Optional(Type.Array(str)),
    region: Type.Optional(str),
    description: Type.Optional(str),
    status: Status,
    createdAt: str,
    updatedAt: str,
  },
  { description: 'A subscription (never its secret)' },
)

export const createdSchema = Type.Composite([
  subscriptionSchema,
  Type.Object({ secret: Type.String({ description: '`whsec_` + base64: shown only here' }) }),
])

export const listSchema = Type.Object({ items: Type.Array(subscriptionSchema) })

export const secretSchema = Type.Object({ secret: str })

const deliverySchema = Type.Object({
  deliveryId: Type.String({ description: 'also the `webhook-id` of every attempt' }),
  seq: str,
  status: stringEnum(['pending', 'delivered', 'failed']),
  attempts: Type.Integer({ minimum: 0 }),
  createdAt: str,
  lastAttemptAt: Type.Union([str, Type.Null()], { description: 'null while never attempted' }),
  lastStatusCode: Type.Optional(Type.Integer()),
  lastError: Type.Optional(str),
  nextAttemptAt: Type.Optional(str),
})

export const deliveryPageSchema = Type.Object({
  items: Type.Array(deliverySchema),
  next: Type.Optional(Type.String({ description: 'pass as `cursor` for the next page' })),
})

export const retriedSchema = Type.Object({
  deliveryId: str,
  status: Type.Literal('pending'),
})
