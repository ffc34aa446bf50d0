/**
 * Change records (contract §8): what changed in an enterprise's full profile, published by
 * `credit-profile` on the changes topic (keyed by USCC) and kept by `notify` as the change feed.
 * Every change has a deterministic id (`changeIds`, a hash of the enterprise, the change and the
 * instant it took effect): a replay or a duplicate publishes the same ids, and `notify` keeps each
 * id once.
 */
import { createHash } from 'node:crypto'
import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { createAjv, canonicalJson } from './envelope.js'

const Str = (description?: string) => Type.String({ minLength: 1, ...(description ? { description } : {}) })
const Instant = (description: string) => Type.String({ format: 'date-time', description })

// Open objects (readers are tolerant): a later version may add fields to a kind.
const kindOf = <K extends string, P extends Record<string, TSchema>>(kind: K, props: P) =>
  Type.Object({ kind: Type.Literal(kind), ...props })

/** The kinds of change of §8, each with its fields. */
export const ChangeSchema = Type.Union([
  kindOf('registered', {}),
  kindOf('deregistered', {}),
  kindOf('risk-class-changed', {
    from: Type.Union(
      [Type.Literal('A'), Type.Literal('B'), Type.Literal('C'), Type.Literal('D'), Type.Null()],
      {
        description: 'null when the enterprise had no class before (first registration)',
      },
    ),
    to: Type.Union([Type.Literal('A'), Type.Literal('B'), Type.Literal('C'), Type.Literal('D')]),
  }),
  kindOf('abnormal-listed', {
    listingId: Str(),
    reason: Str(),
    year: Type.Optional(Type.Integer()),
  }),
  kindOf('abnormal-removed', { listingId: Str(), removalReason: Str() }),
  kindOf('serious-listed', { listingId: Str(), basis: Str(), endsAt: Instant('when the listing ends') }),
  kindOf('serious-removed', { listingId: Str(), removalReason: Str() }),
  kindOf('restriction-started', {
    measure: Str(),
    since: Instant('when the restriction started'),
    until: Type.Optional(Instant('when it ends, when known')),
  }),
  kindOf('restriction-ended', { measure: Str() }),
  kindOf('penalty-published', { decisionNo: Str(), until: Instant('when its publicity ends') }),
  kindOf('penalty-publicity-ended', {
    decisionNo: Str(),
    endedBy: Type.Union([Type.Literal('expiry'), Type.Literal('credit-repair'), Type.Literal('revoked')]),
  }),
  kindOf('recall-published', { recallId: Str() }),
  kindOf('recall-obligation-overdue', { recallId: Str(), obligationId: Str() }),
  kindOf('recall-obligation-settled', { recallId: Str(), obligationId: Str() }),
])

/** One change of an entry. */
export type Change = Static<typeof ChangeSchema>
export type ChangeKind = Change['kind']

export const CHANGE_KINDS: readonly ChangeKind[] = [
  'registered',
  'deregistered',
  'risk-class-changed',
  'abnormal-listed',
  'abnormal-removed',
  'serious-listed',
  'serious-removed',
  'restriction-started',
  'restriction-ended',
  'penalty-published',
  'penalty-publicity-ended',
  'recall-published',
  'recall-obligation-overdue',
  'recall-obligation-settled',
]

/** The kinds a firm is never shown (§8). */
export const FIRM_HIDDEN_KINDS: ReadonlySet<ChangeKind> = new Set(['risk-class-changed'])

/** The value of a record on the changes topic: the changes of one enterprise that took effect at `time`. */
export const ChangeRecordSchema = Type.Object(
  {
    uscc: Str("the enterprise's USCC (also the key)"),
    name: Type.String(),
    region: Type.String(),
    enterpriseKind: Type.String(),
    time: Instant('when the changes took effect: the event time, or the rule trigger time'),
    changes: Type.Array(ChangeSchema, { minItems: 1 }),
    changeIds: Type.Array(Str(), { description: 'the deterministic id of each change, in the same order' }),
  },
  { title: 'ECRS profile change record' },
)
export type ChangeRecord = Static<typeof ChangeRecordSchema>

/** The deterministic id of one change: the same change of the same enterprise at the same instant, the same id. */
export const changeId = (uscc: string, time: string, change: Change): string =>
  createHash('sha256')
    .update(canonicalJson({ uscc, time: new Date(time).toISOString(), change }), 'utf8')
    .digest('base64url')
    .slice(0, 32)

/** A change record as a Kafka record (structurally @ecrs/kafka's OutboundRecord). */
export const toChangeRecord = (
  topic: string,
  record: Omit<ChangeRecord, 'changes' | 'changeIds'> & { changes: readonly Change[] },
  recordedAt: Date,
) => ({
  topic,
  key: record.uscc,
  value: JSON.stringify({
    ...record,
    changeIds: record.changes.map((c) => changeId(record.uscc, record.time, c)),
  }),
  headers: { 'content-type': 'application/json', 'ecrs-recorded-at': recordedAt.toISOString() },
  timestamp: recordedAt.getTime(),
})

let validate: ((v: unknown) => boolean) | undefined

/** Reads a change record's value; undefined when it is not one (the consumer dead-letters it). */
export const fromChangeRecord = (value: Buffer | string | null): ChangeRecord | undefined => {
  validate ??= createAjv().compile(ChangeRecordSchema)
  let parsed: unknown
  try {
    parsed = JSON.parse(typeof value === 'string' ? value : (value?.toString('utf8') ?? ''))
  } catch {
    return undefined
  }
  if (!validate(parsed)) return undefined
  const r = parsed as ChangeRecord
  return r.changeIds.length === r.changes.length ? r : undefined
}
