/**
 * The building blocks of the event `data` schemas (contract.md §4): bounded strings, identifiers,
 * dates, division codes and closed enums. Every schema of the catalogue is made of these, so a bound
 * is decided once and the published JSON Schema says it.
 */
import { Type, type TUnsafe, type StringOptions } from '@sinclair/typebox'

/** The most characters of an entity id (`decisionNo`, `listingId`, `recallId`, ...). */
export const MAX_ID_LENGTH = 128
/** The most characters of a name (an enterprise, a person, a product, a model). */
export const MAX_NAME_LENGTH = 200
/** The most characters of a reason, a legal basis or a similar sentence. */
export const MAX_REASON_LENGTH = 1000
/** The most characters of a longer free text (a hazard, a plan summary). */
export const MAX_TEXT_LENGTH = 4000
/** The largest fine, in CNY: far above any real one, low enough to keep cents exact in a double. */
export const MAX_FINE_AMOUNT = 1e13
/** The largest unit count of a recall. */
export const MAX_UNITS = 1e10

/**
 * A closed string enum as `{type: 'string', enum: [...]}`: one clear error ("must be one of ...")
 * where a union of literals would give one per member.
 */
export const stringEnum = <const T extends readonly string[]>(
  values: T,
  options: StringOptions & { default?: T[number] } = {},
): TUnsafe<T[number]> => Type.Unsafe<T[number]>({ ...options, type: 'string', enum: [...values] })

/**
 * An entity id: 1–128 characters, no control characters, no leading or trailing space. Real
 * decision numbers are Chinese (沈市监罚〔2025〕12号), so the id is not limited to ASCII.
 */
export const Id = (description: string) =>
  Type.String({
    minLength: 1,
    maxLength: MAX_ID_LENGTH,
    pattern: '^[^\\u0000-\\u001f\\u007f\\s](?:[^\\u0000-\\u001f\\u007f]*[^\\u0000-\\u001f\\u007f\\s])?$',
    description,
  })

/** A name of at most {@link MAX_NAME_LENGTH} characters. */
export const Name = (description: string) =>
  Type.String({ minLength: 1, maxLength: MAX_NAME_LENGTH, description })

/** A reason or similar sentence of at most {@link MAX_REASON_LENGTH} characters. */
export const Reason = (description: string) =>
  Type.String({ minLength: 1, maxLength: MAX_REASON_LENGTH, description })

/** A longer free text of at most {@link MAX_TEXT_LENGTH} characters. */
export const LongText = (description: string) =>
  Type.String({ minLength: 1, maxLength: MAX_TEXT_LENGTH, description })

/**
 * A calendar date `YYYY-MM-DD` (Asia/Shanghai, contract §3). The standard `date` format of
 * ajv-formats checks that the day exists (no 2025-02-30), and clients know it.
 */
export const CalendarDateString = (description: string) =>
  Type.String({ format: 'date', maxLength: 10, description })

/** An instant: RFC 3339 with an offset, as the envelope's `time`. */
export const Instant = (description: string) =>
  Type.String({ format: 'rfc3339-offset', maxLength: 64, description })

/** A 6-digit administrative division code (GB/T 2260), e.g. `210102`. */
export const DivisionCode = (description: string) => Type.String({ pattern: '^[0-9]{6}$', description })

/** A report year: annual reports exist since 2014, history before that is kept for completeness. */
export const Year = (description: string) => Type.Integer({ minimum: 1990, maximum: 2100, description })

/** A count of product units. */
export const Units = (minimum: 0 | 1, description: string) =>
  Type.Integer({ minimum, maximum: MAX_UNITS, description })

/**
 * A subschema that requires `field`, for `then` and `anyOf` branches. It names the field in
 * `properties` too because Ajv's strictRequired does not look beyond the branch for its definition.
 */
export const requires = (field: string) => ({ properties: { [field]: true }, required: [field] })

/**
 * An open object: fields the catalogue does not name are kept and ignored (readers are tolerant,
 * contract §4), so a newer publisher never breaks an older reader.
 */
export const OPEN = { additionalProperties: true } as const

/** The recall case statuses (contract §7). */
export const RECALL_STATUSES = [
  'initiated',
  'ordered',
  'plan-submitted',
  'plan-accepted',
  'plan-returned',
  'in-progress',
  'completed',
  'summary-submitted',
  'closed',
] as const

/** The kinds of recall obligation (contract §7). */
export const OBLIGATION_KINDS = [
  'submit-plan',
  'publish-notice',
  'notify-owners',
  'progress-report',
  'submit-summary',
] as const
