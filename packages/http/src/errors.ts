import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'

import createError from '@fastify/error'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify'

/** One problem found while validating input: a JSON pointer into the checked part and a message. */
export interface FieldError {
  readonly path: string
  readonly message: string
}

/** What an error may carry besides code, status and message. */
export interface ErrorExtras {
  /** Response headers to send with the error, e.g. `{ 'retry-after': '5' }` on a 503. */
  readonly headers?: Readonly<Record<string, string>>
  /** Validation problems, answered as the `errors` array. */
  readonly errors?: readonly FieldError[]
}

/** The body of every error answer, in every service. */
export interface ErrorBody {
  statusCode: number
  code: string
  error: string
  message: string
  errors?: FieldError[]
}

/** A constructor of coded errors; the message may hold `%s` placeholders filled by the arguments. */
export type CodedErrorConstructor = createError.FastifyErrorConstructor<{ code: string; statusCode: number }>

/**
 * Defines a service-specific coded error, e.g. `codedError('USCC_INVALID', 400, 'invalid USCC: %s')`.
 * Codes are UPPER_SNAKE, noun first, and unique across ECRS.
 */
export const codedError = (code: string, statusCode: number, message: string): CodedErrorConstructor =>
  createError(code, message, statusCode)

/** The errors every service shares. */
export const httpErrors = {
  UNAUTHORIZED: codedError('UNAUTHORIZED', 401, 'authentication failed: %s'),
  FORBIDDEN: codedError('FORBIDDEN', 403, 'not allowed: %s'),
  NOT_FOUND: codedError('NOT_FOUND', 404, '%s not found'),
  ROUTE_NOT_FOUND: codedError('ROUTE_NOT_FOUND', 404, 'route %s not found'),
  METHOD_NOT_ALLOWED: codedError('METHOD_NOT_ALLOWED', 405, 'method %s is not allowed here'),
  REQUEST_INVALID: codedError('REQUEST_INVALID', 400, 'invalid request: %s'),
  QUERY_INVALID: codedError('QUERY_INVALID', 400, 'invalid query string: %s'),
  BODY_INVALID: codedError('BODY_INVALID', 400, 'invalid body: %s'),
  PAYLOAD_TOO_LARGE: codedError('PAYLOAD_TOO_LARGE', 413, 'request body is too large'),
  MEDIA_TYPE_UNSUPPORTED: codedError('MEDIA_TYPE_UNSUPPORTED', 415, 'unsupported content type: %s'),
  RATE_LIMITED: codedError('RATE_LIMITED', 429, 'too many requests'),
  SERVICE_UNAVAILABLE: codedError('SERVICE_UNAVAILABLE', 503, 'service unavailable: %s'),
  INTERNAL: codedError('INTERNAL', 500, 'internal error'),
} as const

/** Attaches response headers and/or validation problems to an error, returning the same error. */
export const withExtras = <E extends Error>(error: E, extras: ErrorExtras): E & ErrorExtras =>
  Object.assign(error, extras)

// 5xx details (stack traces, driver messages) help attackers and confuse callers; the log has them.
const GENERIC_5XX: Readonly<Record<number, string>> = {
  503: 'the service is temporarily unavailable, retry later',
}
const GENERIC_MESSAGE = 'internal error'

const CODE_BY_STATUS: Readonly<Record<number, string>> = {
  400: 'REQUEST_INVALID',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  408: 'REQUEST_TIMEOUT',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'MEDIA_TYPE_UNSUPPORTED',
  429: 'RATE_LIMITED',
  431: 'HEADERS_TOO_LARGE',
  503: 'SERVICE_UNAVAILABLE',
}

const CODE_PATTERN = /^[A-Z][A-Z0-9_]*$/

type AnyError = FastifyError & {
  headers?: unknown
  errors?: unknown
  validation?: FastifyError['validation']
  validationContext?: string
}

interface Classified {
  statusCode: number
  code: string
  message: string
  errors?: FieldError[]
}

const codeFor = (status: number): string =>
  CODE_BY_STATUS[status] ?? (status >= 500 ? 'INTERNAL' : 'REQUEST_INVALID')

/** The code a route wants for bad input instead of the generic one (e.g. ingest's `EVENT_INVALID`). */
const routeInvalidCode = (request: FastifyRequest): string | undefined =>
  request.routeOptions.config.validationErrorCode

/** Converts an ajv error (as Fastify hands it over) into a JSON-pointer path and a message. */
const toFieldError = (e: NonNullable<FastifyError['validation']>[number]): FieldError => {
  const params: Record<string, unknown> = e.params
  const child =
    typeof params['missingProperty'] === 'string'
      ? params['missingProperty']
      : typeof params['additionalProperty'] === 'string'
        ? params['additionalProperty']
        : undefined
  const path = child === undefined ? e.instancePath : `${e.instancePath}/${escapePointer(child)}`
  const message =
    typeof params['additionalProperty'] === 'string' ? 'is not allowed' : (e.message ?? 'is invalid')
  // '' is the JSON pointer of the whole part (e.g. a body that is not an object).
  return { path, message }
}

const escapePointer = (segment: string): string => segment.replaceAll('~', '~0').replaceAll('/', '~1')

const isFieldError = (value: unknown): value is FieldError => {
  if (typeof value !== 'object' || value === null) return false
  const candidate = value as Partial<Record<keyof FieldError, unknown>>
  return typeof candidate.path === 'string' && typeof candidate.message === 'string'
}

const isFieldErrors = (value: unknown): value is FieldError[] =>
  Array.isArray(value) && value.every(isFieldError)

const classify = (error: AnyError, request: FastifyRequest): Classified => {
  if (error.validation !== undefined) {
    const part = error.validationContext ?? 'body'
    const fallback = part === 'querystring' || part === 'params' ? 'QUERY_INVALID' : 'BODY_INVALID'
    return {
      statusCode: 400,
      code: routeInvalidCode(request) ?? fallback,
      message: error.message,
      errors: error.validation.map(toFieldError),
    }
  }
  const code = typeof error.code === 'string' ? error.code : undefined
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE' || error.statusCode === 413) {
    return {
      statusCode: 413,
      code: code?.startsWith('FST_') ? 'PAYLOAD_TOO_LARGE' : (code ?? 'PAYLOAD_TOO_LARGE'),
      message: error.message,
    }
  }
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return { statusCode: 415, code: 'MEDIA_TYPE_UNSUPPORTED', message: error.message }
  }
  if (
    code?.startsWith('FST_ERR_CTP_') === true ||
    code === 'FST_ERR_VALIDATION' ||
    code === 'BODY_MALFORMED'
  ) {
    // JSON syntax errors and other content-type parser failures are bad input, whatever Fastify says.
    // Routes with their own invalid-input code promise an `errors` list; the whole body is at fault
    // unless the parser named the place (a lone surrogate, see json-body.ts).
    const own = routeInvalidCode(request)
    const where = isFieldErrors(error.errors) ? error.errors : undefined
    if (own === undefined)
      return {
        statusCode: 400,
        code: 'BODY_INVALID',
        message: error.message,
        ...(where ? { errors: where } : {}),
      }
    return {
      statusCode: 400,
      code: own,
      message: error.message,
      errors: where ?? [{ path: '', message: error.message }],
    }
  }
  const status =
    typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 600
      ? error.statusCode
      : 500
  // Codes of Fastify's own errors (FST_ERR_*) or of drivers (ECONNREFUSED, numbers) are not our vocabulary.
  const ours = code !== undefined && CODE_PATTERN.test(code) && error.statusCode !== undefined
  const classified: Classified = {
    statusCode: status,
    code: ours ? code : codeFor(status),
    message: error.message,
  }
  if (isFieldErrors(error.errors)) classified.errors = error.errors
  return classified
}

const isHeaderRecord = (value: unknown): value is Record<string, string | number> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * Fastify error handler answering `{statusCode, code, error, message}` (+ `errors`) for every failure,
 * including Fastify's own (validation, bad JSON, body too large). 5xx messages are replaced by a
 * generic one; the real error goes to the request log.
 */
export const errorHandler = (
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply => {
  const failure = error as AnyError
  const c = classify(failure, request)
  if (c.statusCode >= 500) {
    request.log.error({ err: error, code: c.code }, 'request failed')
    c.message = GENERIC_5XX[c.statusCode] ?? GENERIC_MESSAGE
    delete c.errors
  } else {
    request.log.info({ code: c.code, statusCode: c.statusCode, reason: c.message }, 'request rejected')
  }
  if (isHeaderRecord(failure.headers)) void reply.headers(failure.headers)
  return reply.code(c.statusCode).type('application/json; charset=utf-8').send(errorBody(c))
}

/** Builds the error body for a status, code and message; `error` is the HTTP reason phrase. */
export const errorBody = (c: {
  statusCode: number
  code: string
  message: string
  errors?: FieldError[] | undefined
}): ErrorBody => {
  const body: ErrorBody = {
    statusCode: c.statusCode,
    code: c.code,
    error: STATUS_CODES[c.statusCode] ?? 'Error',
    message: c.message,
  }
  if (c.errors !== undefined) body.errors = c.errors
  return body
}

/** The answer for a URL no route matches: 404 `ROUTE_NOT_FOUND`, in the common error shape. */
export const notFoundHandler = (request: FastifyRequest, reply: FastifyReply): FastifyReply => {
  // The path is echoed back to help callers spot typos; bounded so a huge URL is not reflected whole.
  const path = (request.url.split('?')[0] ?? '').slice(0, 200)
  const error = new httpErrors.ROUTE_NOT_FOUND(`${request.method} ${path}`)
  return reply.code(404).type('application/json; charset=utf-8').send(errorBody(error))
}

/** JSON Schema of the `errors` of an invalid input: `[{path, message}]` with JSON-pointer paths. */
export const validationIssuesSchema = {
  type: 'array',
  items: {
    type: 'object',
    required: ['path', 'message'],
    properties: { path: { type: 'string' }, message: { type: 'string' } },
  },
} as const

/** JSON Schema of {@link ErrorBody}, as every route documents its 4xx and 5xx answers. */
export const errorResponseSchema = {
  description: 'Error: {statusCode, code, error, message}, plus `errors` for invalid input',
  type: 'object',
  required: ['statusCode', 'code', 'error', 'message'],
  properties: {
    statusCode: { type: 'integer', minimum: 400, maximum: 599 },
    code: { type: 'string', pattern: CODE_PATTERN.source },
    error: { type: 'string' },
    message: { type: 'string' },
    errors: validationIssuesSchema,
  },
} as const

const ROUTED_METHODS: readonly HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']

/**
 * For a request no route matched: 405 `METHOD_NOT_ALLOWED` (with `Allow`) when its path is served
 * with other methods, else nothing (the not-found handler answers 404).
 */
export const methodNotAllowed = (app: FastifyInstance, request: FastifyRequest): Error | undefined => {
  const url = request.url.split('?')[0] ?? ''
  const allowed = ROUTED_METHODS.filter(
    (method) => method !== request.method && app.findRoute({ method, url }) !== null,
  )
  if (allowed.length === 0) return undefined
  return withExtras(new httpErrors.METHOD_NOT_ALLOWED(request.method.slice(0, 20)), {
    headers: { allow: allowed.join(', ') },
  })
}

/**
 * Answers what Node's HTTP parser refuses before Fastify sees a request (headers over the size
 * limit → 431, a malformed request → 400, too slow → 408) in the common error shape, then closes
 * the connection, as Node's own handler does.
 */
export function clientErrorHandler(
  this: FastifyInstance,
  err: Error & { code?: string },
  socket: Socket,
): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return
  const statusCode =
    err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400
  const message =
    statusCode === 431
      ? 'the request headers are too large'
      : statusCode === 408
        ? 'the request did not arrive in time'
        : 'the request could not be parsed'
  const code = codeFor(statusCode)
  this.log.info({ code, statusCode, reason: err.code }, 'request refused')
  const body = JSON.stringify(errorBody({ statusCode, code, message }))
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    )
  }
  socket.destroy(err)
}

/** The longest path parameter the router accepts (a bound on copying; the routes' schemas are stricter). */
export const MAX_PARAM_LENGTH = 1000

/**
 * Fastify's `frameworkErrors`: what the router refuses before a route is chosen, answered in the
 * common shape. The URL is not echoed (it is caller input of any size).
 */
export const routerErrorHandler = (
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void => {
  const refused =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? new httpErrors.REQUEST_INVALID(`a path parameter is longer than ${MAX_PARAM_LENGTH} characters`)
      : error.code === 'FST_ERR_BAD_URL'
        ? new httpErrors.REQUEST_INVALID('the URL is not valid (malformed percent-encoding)')
        : error
  void errorHandler(refused, request, reply)
}
