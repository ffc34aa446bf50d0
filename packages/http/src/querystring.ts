import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'

import { httpErrors, withExtras } from './errors.js'
import type { FieldError } from './errors.js'

// The router parses query strings before any hook runs and cannot answer a request itself, so the
// parser records what is wrong here and a hook answers 400 `QUERY_INVALID` for it.
const problems = new WeakMap<object, FieldError[]>()

/**
 * Strict query-string parser: flat string values only. A repeated parameter (`a=1&a=2`) or a
 * bracketed key (`riskClass[$ne]=A`, also percent-encoded) is flagged, so an array or an object
 * never reaches a handler where a string belongs and a filter cannot be silently widened.
 */
export const parseQuery = (raw: string): Record<string, string> => {
  const query: Record<string, string> = Object.create(null) as Record<string, string>
  if (raw === '') return query
  const issues: FieldError[] = []
  for (const [key, value] of new URLSearchParams(raw)) {
    if (key.includes('[') || key.includes(']')) note(issues, key, 'bracketed parameters are not allowed')
    else if (Object.hasOwn(query, key)) note(issues, key, 'must not be repeated')
    else query[key] = value
  }
  if (issues.length > 0) problems.set(query, issues)
  return query
}

const note = (issues: FieldError[], key: string, message: string): void => {
  // Keys are caller input: bounded so a huge key is not reflected whole.
  const path = `/${key.slice(0, 100).replaceAll('~', '~0').replaceAll('/', '~1')}`
  if (!issues.some((i) => i.path === path)) issues.push({ path, message })
}

/** The problems the strict parser found in this request's query string, if any. */
export const queryProblems = (request: FastifyRequest): readonly FieldError[] | undefined =>
  typeof request.query === 'object' && request.query !== null ? problems.get(request.query) : undefined

/** Hook answering 400 `QUERY_INVALID` (with `errors`) for a query string the strict parser flagged. */
export const rejectInvalidQuery = (
  request: FastifyRequest,
  _reply: FastifyReply,
  done: HookHandlerDoneFunction,
): void => {
  const found = queryProblems(request)
  if (found === undefined) return done()
  const summary = found.map((f) => `${f.path.slice(1)} ${f.message}`).join('; ')
  done(withExtras(new httpErrors.QUERY_INVALID(summary), { errors: found }))
}
