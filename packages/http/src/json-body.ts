import type { FastifyInstance, FastifyRequest } from 'fastify'

import { codedError, withExtras } from './errors.js'

/**
 * The body is not JSON we can keep: classified like Fastify's own JSON syntax errors (400, the route's
 * invalid-input code), with the path of the offending string in `errors`.
 */
export const BodyMalformed = codedError('BODY_MALFORMED', 400, 'the body is not well-formed JSON: %s')

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
const LONE_SURROGATE_G = new RegExp(LONE_SURROGATE.source, 'g')
const isWellFormed = (s: string): boolean => !LONE_SURROGATE.test(s)

// Only an escape (`\uD800`) can put a lone surrogate into parsed JSON: raw bytes that are not UTF-8
// become U+FFFD when the body is decoded. Most bodies carry none, so the walk below rarely runs.
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/

// A key's own lone surrogate is shown as U+FFFD: the answer itself stays well-formed.
const pointerToken = (key: string): string =>
  key.replace(LONE_SURROGATE_G, '\uFFFD').replaceAll('~', '~0').replaceAll('/', '~1')

/**
 * The JSON pointer of the first string (value or key) in a parsed JSON value that is not well-formed
 * Unicode (a lone surrogate), or undefined. Such a string cannot be stored intact: UTF-8 (Kafka,
 * BSON) turns it into U+FFFD, so it would read back different. Iterative: any depth is safe.
 */
export const illFormedStringPath = (value: unknown): string | undefined => {
  const stack: [unknown, string][] = [[value, '']]
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [v, path] = next
    if (typeof v === 'string') {
      if (!isWellFormed(v)) return path
      continue
    }
    if (typeof v !== 'object' || v === null) continue
    for (const [key, child] of Object.entries(v)) {
      const childPath = `${path}/${pointerToken(key)}`
      if (!isWellFormed(key)) return childPath
      stack.push([child, childPath])
    }
  }
  return undefined
}

/** Whether a JSON text may hold a lone surrogate (cheap pre-check before {@link illFormedStringPath}). */
export const mayHoldLoneSurrogate = (text: string): boolean => SURROGATE_ESCAPE.test(text)

/**
 * The `application/json` parser of every app: Fastify's own (with its prototype-poisoning checks),
 * then a refusal of lone surrogates (I-JSON, RFC 7493 §2.1), so what is accepted reads back intact.
 */
export const jsonBodyParser = (app: FastifyInstance) => {
  const parse = app.getDefaultJsonParser('error', 'error')
  return (
    request: FastifyRequest,
    body: string,
    done: (err: Error | null, value?: unknown) => void,
  ): void => {
    void parse(request, body, (err, value) => {
      if (err !== null) return done(err)
      const bad = mayHoldLoneSurrogate(body) ? illFormedStringPath(value) : undefined
      if (bad === undefined) return done(null, value)
      done(
        withExtras(new BodyMalformed('a string holds a lone surrogate'), {
          errors: [{ path: bad, message: 'must be well-formed Unicode (no lone surrogates)' }],
        }),
      )
    })
  }
}
