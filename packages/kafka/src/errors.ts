/**
 * How a consumer classifies a failure (style.md "Errors"): the status code is the one
 * classification. A 4xx other than 408/409/425/429 is permanent — retrying cannot help, so the
 * message is dead-lettered (or the handler records a `rejected` outcome itself). Anything else is
 * transient — the store is down, a broker is electing — and is retried, then rethrown so the batch
 * restarts from the last committed offset. An outage never drains a topic into the dead letters.
 */
export class PermanentError extends Error {
  readonly statusCode: number
  readonly code: string

  constructor(code: string, message: string, options?: { cause?: unknown; statusCode?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'PermanentError'
    this.code = code
    this.statusCode = options?.statusCode ?? 422
  }
}

/** Raised when Kafka does not take a record in time: callers answer 503 and the record is not accepted. */
export class KafkaUnavailableError extends Error {
  readonly statusCode = 503
  readonly code = 'KAFKA_UNAVAILABLE'

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'KafkaUnavailableError'
  }
}

const TRANSIENT_4XX = new Set([408, 409, 425, 429])

/** True when retrying the same input can never succeed. */
export const isPermanent = (err: unknown): boolean => {
  const status = (err as { statusCode?: unknown } | null)?.statusCode
  return typeof status === 'number' && status >= 400 && status < 500 && !TRANSIENT_4XX.has(status)
}

/** A short, log-safe description of an error (no stack, bounded length). */
export const describeError = (err: unknown): { code: string; message: string } => {
  const e = err as { code?: unknown; name?: unknown; message?: unknown } | null
  const code = typeof e?.code === 'string' ? e.code : typeof e?.name === 'string' ? e.name : 'ERROR'
  const message = typeof e?.message === 'string' ? e.message : String(err)
  return { code, message: message.slice(0, 500) }
}
