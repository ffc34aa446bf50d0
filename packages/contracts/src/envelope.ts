/**
 * The CloudEvents 1.0 envelope of every ECRS event (contract.md §3): its schema, the Ajv set-up shared
 * by all event schemas, validation with JSON-pointer errors, and the canonical form and hash that
 * define "identical content" for idempotency.
 */
import { createHash } from 'node:crypto'
import { Type, type Static } from '@sinclair/typebox'
import { Ajv, type ErrorObject } from 'ajv'
import formatsModule from 'ajv-formats'
import { isRfc3339WithOffset, parseInstant } from './dates.js'
import { isValidUscc } from './uscc.js'

// ajv-formats is CommonJS; under NodeNext its default import is the module object, whose `default`
// is the plugin (the plugin also carries itself as `.default` at run time, so this holds everywhere).
const addFormats = formatsModule.default

/** How far in the future an event's `time` may lie: clocks differ, facts do not come from tomorrow. */
export const MAX_FUTURE_SKEW_MS = 5 * 60_000

/**
 * The earliest `time` an event may carry (contract §3): the founding of the People's Republic,
 * 1949-10-01 00:00 Asia/Shanghai. Nothing this system judges took effect before it, and a bound
 * keeps every derivation from an event's time (quarterly periods, yearly reports) finite.
 */
export const EARLIEST_EVENT_TIME = '1949-10-01T00:00:00+08:00'
const EARLIEST_EVENT_MS = Date.parse(EARLIEST_EVENT_TIME)

/** The most CloudEvents extension attributes an envelope may carry. */
export const MAX_EXTENSION_ATTRIBUTES = 16

/**
 * How deeply `data` may nest. MongoDB refuses documents nested beyond 100 levels, and stored events
 * wrap `data` in a few levels of their own, so the limit leaves room while no real event comes close.
 */
export const MAX_DATA_DEPTH = 64

/** Options of {@link createAjv}. */
export interface ContractsAjvOptions {
  /** Check the USCC organisation-code character (position 17) in the `uscc` format; off by default (R40). */
  readonly checkOrgCode?: boolean
}

/**
 * An Ajv instance set up for ECRS schemas: all errors collected, defaults applied, strict schemas
 * (TypeBox marks its schemas with symbol keys, which Ajv does not see, so TypeBox output compiles
 * under strict mode), the ajv-formats formats, and two of ours: `uscc` ({@link isValidUscc}) and
 * `rfc3339-offset` ({@link isRfc3339WithOffset}). Types are never coerced.
 */
export function createAjv(options: ContractsAjvOptions = {}): Ajv {
  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true, coerceTypes: false })
  addFormats(ajv)
  const checkOrgCode = options.checkOrgCode === true
  ajv.addFormat('uscc', { type: 'string', validate: (s: string) => isValidUscc(s, { checkOrgCode }) })
  ajv.addFormat('rfc3339-offset', { type: 'string', validate: isRfc3339WithOffset })
  return ajv
}

// CloudEvents attribute names: lower-case ASCII letters and digits, at most 20 characters (spec §3.1.1).
const ATTRIBUTE_NAME_PATTERN = '^[a-z0-9]{1,20}$'
// CloudEvents String: no control characters (U+0000–U+001F, U+007F–U+009F).
const ATTRIBUTE_STRING_PATTERN = '^[^\\u0000-\\u001F\\u007F-\\u009F]*$'
// An agency id, or `firm:` and a USCC-shaped code (its check characters are checked in code).
// `ecrs.rules` and `ecrs.recall` are agency-shaped; ingest refuses `ecrs.*` from callers with a 403.
const SOURCE_PATTERN = '^(?:[a-z0-9.-]{1,64}|firm:[0-9A-HJ-NPQRTUWXY]{18})$'
const FIRM_SOURCE = /^firm:([0-9A-HJ-NPQRTUWXY]{18})$/
// Lower-case words joined by dots and dashes: `penalty.decided`, `recall.obligation-overdue`.
const TYPE_PATTERN = '^[a-z][a-z0-9]*(?:[.-][a-z0-9]+)*$'

/**
 * The envelope as JSON Schema (TypeBox). `specversion` and `dataversion` are optional on input and
 * defaulted by validation. Any further attribute is a CloudEvents extension: a lower-case
 * alphanumeric name and a string value, at most {@link MAX_EXTENSION_ATTRIBUTES} of them.
 * Per-type schemas refine `data`.
 */
export const EnvelopeSchema = Type.Object(
  {
    specversion: Type.Optional(Type.Literal('1.0', { default: '1.0' })),
    id: Type.String({ maxLength: 128, pattern: '^[A-Za-z0-9._:-]+$' }),
    source: Type.String({ pattern: SOURCE_PATTERN }),
    type: Type.String({ maxLength: 128, pattern: TYPE_PATTERN }),
    subject: Type.String({ format: 'uscc' }),
    time: Type.String({ format: 'rfc3339-offset' }),
    dataversion: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, default: 1 })),
    data: Type.Record(Type.String(), Type.Unknown()),
  },
  {
    title: 'ECRS event envelope (CloudEvents 1.0)',
    additionalProperties: Type.String({ maxLength: 512, pattern: ATTRIBUTE_STRING_PATTERN }),
    propertyNames: { pattern: ATTRIBUTE_NAME_PATTERN },
    maxProperties: 8 + MAX_EXTENSION_ATTRIBUTES, // the eight attributes of contract §3,
  },
)

const ENVELOPE_ATTRIBUTE_NAMES: ReadonlySet<string> = new Set(Object.keys(EnvelopeSchema.properties))

/** An envelope as it may arrive: `specversion` and `dataversion` may be missing. */
export type EnvelopeInput = Static<typeof EnvelopeSchema>

/** A validated envelope: defaults applied. */
export type Envelope = EnvelopeInput & Required<Pick<EnvelopeInput, 'specversion' | 'dataversion'>>

/** One validation failure: a JSON pointer (RFC 6901) into the input and what is wrong there. */
export interface ValidationIssue {
  readonly path: string
  readonly message: string
}

/** The outcome of {@link validateEnvelope}. */
export type EnvelopeValidation = { ok: true; event: Envelope } | { ok: false; errors: ValidationIssue[] }

/** Options of {@link envelopeValidator}. */
export interface EnvelopeValidatorOptions extends ContractsAjvOptions {
  /** How far `time` may lie after `now`; {@link MAX_FUTURE_SKEW_MS} by default. */
  readonly maxFutureSkewMs?: number
}

/** Escapes one reference token of a JSON pointer (RFC 6901 §3). */
export function pointerToken(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1')
}

function stringParam(error: ErrorObject, name: string): string | undefined {
  const value: unknown = error.params[name]
  return typeof value === 'string' ? value : undefined
}

/**
 * Ajv errors as {@link ValidationIssue}s. A missing or unexpected property is reported at the
 * property itself (`/id`), not at its parent; a bad property name at that property. `prefix` is
 * prepended to every path, for schemas applied to part of a document (`/data`).
 */
export function issuesFromAjv(
  errors: readonly ErrorObject[] | null | undefined,
  prefix = '',
): ValidationIssue[] {
  const issues: ValidationIssue[] = []
  for (const error of errors ?? []) {
    const at = (key: string): string => `${prefix}${error.instancePath}/${pointerToken(key)}`
    const missing = stringParam(error, 'missingProperty')
    const additional = stringParam(error, 'additionalProperty')
    if (error.keyword === 'required' && missing !== undefined) {
      issues.push({ path: at(missing), message: 'is required' })
    } else if (error.keyword === 'additionalProperties' && additional !== undefined) {
      issues.push({ path: at(additional), message: 'is not allowed' })
    } else if (error.keyword === 'propertyNames') {
      // Ajv reports the name's own failure separately (with `propertyName`): that one is kept.
      continue
    } else if (error.propertyName !== undefined) {
      issues.push({ path: at(error.propertyName), message: `property name ${error.message ?? 'is invalid'}` })
    } else {
      issues.push({ path: `${prefix}${error.instancePath}`, message: error.message ?? 'is invalid' })
    }
  }
  return issues
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

// Copies a JSON value while checking what JSON Schema cannot say about `data` (contract §3): no NUL
// in any key or string, no key starting with `$` (a MongoDB operator), bounded depth, JSON values only.
// The copy is what validation returns, so later defaults never reach the caller's object.
function inspectData(value: unknown, path: string, depth: number, issues: ValidationIssue[]): unknown {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) issues.push({ path, message: 'must not contain NUL characters' })
    return value
  }
  if (typeof value === 'boolean' || value === null) return value
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) issues.push({ path, message: 'must be a finite number' })
    return value
  }
  const container = Array.isArray(value) || isPlainObject(value)
  if (!container) {
    issues.push({ path, message: 'must be a JSON value' })
    return undefined
  }
  if (depth >= MAX_DATA_DEPTH) {
    issues.push({ path, message: `must not nest deeper than ${MAX_DATA_DEPTH} levels` })
    return undefined
  }
  if (Array.isArray(value))
    return value.map((item, i) => inspectData(item, `${path}/${i}`, depth + 1, issues))
  const copy: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(value)) {
    const itemPath = `${path}/${pointerToken(key)}`
    if (key.startsWith('$')) issues.push({ path: itemPath, message: "key must not start with '$'" })
    if (key.includes('\u0000'))
      issues.push({ path: itemPath, message: 'key must not contain NUL characters' })
    // defineProperty, not assignment: a key named "__proto__" stays an ordinary property.
    Object.defineProperty(copy, key, {
      value: inspectData(item, itemPath, depth + 1, issues),
      enumerable: true,
      writable: true,
      configurable: true,
    })
  }
  return copy
}

/**
 * Builds an envelope validator: the schema, then the checks a schema cannot express (`time` at most
 * `maxFutureSkewMs` after `now`; the USCC of a `firm:` source; NUL characters, `$` keys and depth in
 * `data`). Every error is collected. The input is never modified: the returned event is a copy with
 * defaults applied.
 */
export function envelopeValidator(
  options: EnvelopeValidatorOptions = {},
): (input: unknown, now: Date) => EnvelopeValidation {
  const checkOrgCode = options.checkOrgCode === true
  const maxFutureSkewMs = options.maxFutureSkewMs ?? MAX_FUTURE_SKEW_MS
  const validate = createAjv({ checkOrgCode }).compile<EnvelopeInput>(EnvelopeSchema)

  return (input, now) => {
    if (Number.isNaN(now.getTime())) throw new RangeError('validateEnvelope: invalid now')
    // A shallow copy is enough for Ajv: its defaults are top-level; `data` is copied by inspectData.
    const candidate: unknown = isPlainObject(input) ? { ...input } : input
    const schemaOk = validate(candidate)
    const errors = issuesFromAjv(validate.errors)
    if (!isPlainObject(candidate)) return { ok: false, errors }

    const { time, source, data } = candidate
    const instant = typeof time === 'string' && isRfc3339WithOffset(time) ? parseInstant(time) : undefined
    if (instant !== undefined && instant.getTime() > now.getTime() + maxFutureSkewMs) {
      errors.push({
        path: '/time',
        message: `must not be more than ${maxFutureSkewMs / 60_000} minutes in the future`,
      })
    }
    if (instant !== undefined && instant.getTime() < EARLIEST_EVENT_MS) {
      errors.push({
        path: '/time',
        message: `must not be before ${EARLIEST_EVENT_TIME} (EARLIEST_EVENT_TIME)`,
      })
    }
    const firm = typeof source === 'string' ? FIRM_SOURCE.exec(source) : null
    if (firm?.[1] !== undefined && !isValidUscc(firm[1], { checkOrgCode })) {
      errors.push({ path: '/source', message: "must be 'firm:' followed by a valid USCC" })
    }
    const dataCopy = isPlainObject(data) ? inspectData(data, '/data', 0, errors) : data

    if (!schemaOk || errors.length > 0 || !isPlainObject(dataCopy)) return { ok: false, errors }
    const event: Envelope = {
      ...candidate,
      specversion: candidate.specversion ?? '1.0',
      dataversion: candidate.dataversion ?? 1,
      data: dataCopy,
    }
    return { ok: true, event }
  }
}

/**
 * The CloudEvents extension attributes of an envelope: every attribute but the eight of contract §3
 * (for example `traceparent`). Binary-mode transports carry them as `ce_<name>` headers.
 */
export function extensionAttributes(e: EnvelopeInput): Record<string, string> {
  return Object.fromEntries(
    Object.entries(e).filter(
      (entry): entry is [string, string] =>
        !ENVELOPE_ATTRIBUTE_NAMES.has(entry[0]) && typeof entry[1] === 'string',
    ),
  )
}

let defaultValidator: ReturnType<typeof envelopeValidator> | undefined

/**
 * Validates an envelope with the default options (lenient USCC check, 5 minutes of clock skew).
 * Paths are JSON pointers (`/subject`, `/data/year`; a missing property at the property, `/id`).
 *
 * @throws RangeError when `now` is an invalid Date (a programmer error).
 */
export function validateEnvelope(input: unknown, now: Date): EnvelopeValidation {
  defaultValidator ??= envelopeValidator()
  return defaultValidator(input, now)
}

function canonicalValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonicalValue)
  if (typeof value !== 'object' || value === null) return value
  const sorted: Record<string, unknown> = {}
  for (const key of Object.keys(value).sort()) {
    const item: unknown = (value as Record<string, unknown>)[key]
    if (item === undefined) continue
    Object.defineProperty(sorted, key, {
      value: canonicalValue(item),
      enumerable: true,
      writable: true,
      configurable: true,
    })
  }
  return sorted
}

/**
 * JSON text with object keys sorted by UTF-16 code units at every level and no whitespace: equal
 * values give equal text whatever their key order (the ordering of RFC 8785; numbers as JavaScript
 * writes them). Properties whose value is `undefined` are left out, as JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value))
    return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`
  if (typeof value === 'object' && value !== null && !(value instanceof Date)) {
    const record = value as Record<string, unknown>
    const members = Object.keys(record)
      .sort()
      .filter((key) => record[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`)
    return `{${members.join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

/**
 * The canonical form of an envelope, on which idempotency compares (contract §3, "identical
 * content"): defaults applied and keys sorted at every level. Strings are kept as sent: two `time`
 * values naming the same instant with different offsets are different content.
 */
export function normalizeEnvelope(e: EnvelopeInput): Envelope {
  const withDefaults = { ...e, specversion: e.specversion ?? '1.0', dataversion: e.dataversion ?? 1 }
  // canonicalValue keeps the shape and only reorders keys, so the type is unchanged.
  return canonicalValue(withDefaults) as Envelope
}

/** SHA-256 (hex) of the canonical JSON of {@link normalizeEnvelope}: equal hashes, identical content. */
export function envelopeHash(e: EnvelopeInput): string {
  return createHash('sha256')
    .update(canonicalJson(normalizeEnvelope(e)), 'utf8')
    .digest('hex')
}
