/**
 * Validation of an event against the catalogue (contract.md §3–§5): the envelope, then the type, its
 * `dataversion` and its `data`, every error collected with a JSON-pointer path.
 */
import type { TSchema } from '@sinclair/typebox'
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv'
import {
  MAX_DATA_DEPTH,
  createAjv,
  issuesFromAjv,
  validateEnvelope,
  type Envelope,
  type ValidationIssue,
} from '../envelope.js'
import { catalogue, type EventSpec } from './specs.js'

/** The outcome of {@link validateEvent}; `code` is the ingest error code of contract §5. */
export type CatalogueValidation =
  | { ok: true; event: Envelope; spec: EventSpec }
  | { ok: false; code: 'EVENT_INVALID' | 'EVENT_TYPE_UNKNOWN'; errors: ValidationIssue[] }

let ajv: Ajv | undefined
const dataValidators = new Map<string, ValidateFunction>()

// Compiled once per type, on first use: compiling all 26 schemas up front would slow every import.
function dataValidator(spec: EventSpec): ValidateFunction {
  let validate = dataValidators.get(spec.type)
  if (validate === undefined) {
    ajv ??= createAjv()
    validate = ajv.compile(spec.dataSchema)
    dataValidators.set(spec.type, validate)
  }
  return validate
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

// A copy of `data` for reporting errors when the envelope failed (validateEnvelope then returns no
// copy): Ajv inserts defaults, and the caller's object must not change. Past the depth the envelope
// allows, values are shared rather than copied: the data schemas never default anything that deep.
function copyJson(value: unknown, depth = 0): unknown {
  if (depth > MAX_DATA_DEPTH) return value
  if (Array.isArray(value)) return value.map((item) => copyJson(item, depth + 1))
  if (!isPlainObject(value)) return value
  const copy: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(value)) {
    Object.defineProperty(copy, key, {
      value: copyJson(item, depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    })
  }
  return copy
}

// Names the fields an `anyOf: [{required: [a]}, {required: [b]}, ...]` asks for at least one of.
function anyOfFields(schema: TSchema): string[] {
  const branches: unknown = schema['anyOf']
  if (!Array.isArray(branches)) return []
  return branches.flatMap((b: unknown): string[] => {
    const required: unknown = isPlainObject(b) ? b['required'] : undefined
    return Array.isArray(required) ? required.filter((f): f is string => typeof f === 'string') : []
  })
}

// Ajv's errors made readable: an `if` failure is only the cause of the `then` error beside it, an
// `anyOf` of required fields reads as "at least one of", and an enum names its values.
function readableErrors(errors: readonly ErrorObject[], spec: EventSpec): ErrorObject[] {
  const kept: ErrorObject[] = []
  for (const error of errors) {
    if (error.keyword === 'if') continue
    if (error.schemaPath.startsWith('#/anyOf/')) continue
    if (error.keyword === 'anyOf' && error.schemaPath === '#/anyOf') {
      kept.push({
        ...error,
        message: `must include at least one of ${anyOfFields(spec.dataSchema).join(', ')}`,
      })
    } else if (error.keyword === 'enum' && Array.isArray(error.params['allowedValues'])) {
      kept.push({ ...error, message: `must be one of ${error.params['allowedValues'].join(', ')}` })
    } else {
      kept.push(error)
    }
  }
  return kept
}

// What JSON Schema cannot say exactly: money has at most two decimals. `multipleOf: 0.01` fails on
// doubles (0.07 / 0.01 is not an integer), so the shortest decimal form JavaScript prints is read.
function hasAtMostTwoDecimals(n: number): boolean {
  const text = String(n)
  if (text.includes('e')) return n === 0 // only tiny fractions print with an exponent below 1e13
  const decimals = text.split('.')[1]
  return decimals === undefined || decimals.length <= 2
}

// Only types whose schema names `fineAmount` carry money; elsewhere it is an unknown field, ignored.
const hasMoney = (spec: EventSpec): boolean => {
  const properties: unknown = spec.dataSchema['properties']
  return isPlainObject(properties) && 'fineAmount' in properties
}

function dataIssues(spec: EventSpec, data: Record<string, unknown>): ValidationIssue[] {
  const validate = dataValidator(spec)
  validate(data)
  const issues = issuesFromAjv(readableErrors(validate.errors ?? [], spec), '/data')
  const fine = data['fineAmount']
  if (
    hasMoney(spec) &&
    typeof fine === 'number' &&
    Number.isFinite(fine) &&
    fine >= 0 &&
    !hasAtMostTwoDecimals(fine)
  ) {
    issues.push({ path: '/data/fineAmount', message: 'must have at most 2 decimals' })
  }
  return issues
}

function dedupe(issues: readonly ValidationIssue[]): ValidationIssue[] {
  const seen = new Set<string>()
  return issues.filter((issue) => {
    const key = `${issue.path}\u0000${issue.message}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

/**
 * Validates an event against the catalogue, in the order of contract §5: a `type` that is a string
 * but no type of the catalogue answers `EVENT_TYPE_UNKNOWN` whatever else is wrong; otherwise every
 * envelope, `dataversion` and `data` error is reported together as `EVENT_INVALID`. The returned
 * event is a copy with defaults applied (envelope and `data`); unknown `data` fields are kept.
 *
 * @throws RangeError when `now` is an invalid Date (a programmer error).
 */
export const validateEvent = (input: unknown, now: Date): CatalogueValidation => {
  const envelope = validateEnvelope(input, now)
  const type = isPlainObject(input) ? input['type'] : undefined
  const spec = typeof type === 'string' ? catalogue.get(type) : undefined
  if (typeof type === 'string' && spec === undefined) {
    const shown = JSON.stringify(type.length > 64 ? `${type.slice(0, 64)}…` : type)
    return {
      ok: false,
      code: 'EVENT_TYPE_UNKNOWN',
      errors: [{ path: '/type', message: `${shown} is not an event type of the catalogue` }],
    }
  }
  const errors = envelope.ok ? [] : [...envelope.errors]
  if (spec === undefined || !isPlainObject(input)) return { ok: false, code: 'EVENT_INVALID', errors }

  const dataversion = envelope.ok ? envelope.event.dataversion : (input['dataversion'] ?? 1)
  const versionKnown = dataversion === spec.dataversion
  if (!versionKnown && Number.isInteger(dataversion) && typeof dataversion === 'number' && dataversion >= 1) {
    errors.push({ path: '/dataversion', message: `${spec.type} has no dataversion ${dataversion}` })
  }
  const data = envelope.ok ? envelope.event.data : copyJson(input['data'])
  // Under an unknown version the data schema is unknown too: its errors would only mislead.
  if (versionKnown && isPlainObject(data)) errors.push(...dataIssues(spec, data))

  if (!envelope.ok || errors.length > 0) return { ok: false, code: 'EVENT_INVALID', errors: dedupe(errors) }
  return { ok: true, event: envelope.event, spec }
}

/**
 * The Kafka key of an event (contract §3): the enterprise's USCC (`subject`) on the enterprise topic,
 * `data.recallId` on the recall topic, so each enterprise's and each case's events stay in order.
 *
 * @throws RangeError for a recall event without a `recallId` (one that was never validated).
 */
export const partitionKey = (event: Envelope, spec: EventSpec): string => {
  switch (spec.topic) {
    case 'enterprise':
      return event.subject
    case 'recall': {
      const recallId = event.data['recallId']
      if (typeof recallId !== 'string') throw new RangeError(`${event.type} has no data.recallId`)
      return recallId
    }
  }
}
