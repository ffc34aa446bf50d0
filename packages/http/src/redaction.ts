import type { IncomingMessage } from 'node:http'

/** What a redacted value is replaced with (pino's own censor, so that every redaction looks alike). */
export const REDACTED = '[Redacted]'

// Tokens and secrets must never reach the logs, whatever a handler decides to log. The list repeats
// what a root logger usually redacts because a child's redaction replaces its parent's.
/** Log paths redacted by every app's logger: credentials in headers, wherever a handler logs them. */
export const REDACT_PATHS: readonly string[] = [
  'authorization',
  'cookie',
  '*.authorization',
  '*.cookie',
  'headers.authorization',
  'headers.cookie',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["set-cookie"]',
  'ECRS_JWT_SECRET',
  '*.ECRS_JWT_SECRET',
]

// A query parameter whose name holds one of these (access_token, api_key, client_secret,
// X-Amz-Signature, ...) carries a credential.
const SENSITIVE_PARAM = /token|secret|key|password|signature/i

const decodedName = (raw: string): string => {
  try {
    return decodeURIComponent(raw.replaceAll('+', ' '))
  } catch {
    return raw
  }
}

/**
 * The request target with the values of credential-like query parameters replaced by
 * {@link REDACTED}: `/v1/x?access_token=abc&limit=5` → `/v1/x?access_token=[Redacted]&limit=5`.
 * Names are matched after percent-decoding, so `access%5Ftoken` is caught too.
 */
export const redactUrl = (url: string): string => {
  const q = url.indexOf('?')
  if (q < 0) return url
  const params = url
    .slice(q + 1)
    .split('&')
    .map((param) => {
      const eq = param.indexOf('=')
      const name = eq < 0 ? param : param.slice(0, eq)
      return SENSITIVE_PARAM.test(decodedName(name)) ? `${name}=${REDACTED}` : param
    })
  return `${url.slice(0, q)}?${params.join('&')}`
}

/** The subset of a Fastify request (or a raw one) the request serializer reads. */
interface LoggedRequest {
  readonly method?: string | undefined
  readonly url?: string | undefined
  readonly host?: string | undefined
  readonly ip?: string | undefined
  readonly headers?: IncomingMessage['headers']
  readonly socket?: { readonly remoteAddress?: string | undefined; readonly remotePort?: number | undefined }
}

/**
 * The `req` serializer of every app's logger: Fastify's fields (method, url, host, remote address
 * and port; never headers), with the URL's credentials redacted ({@link redactUrl}).
 */
export const requestSerializer = (req: LoggedRequest) => ({
  method: req.method,
  url: typeof req.url === 'string' ? redactUrl(req.url) : req.url,
  version: req.headers?.['accept-version'],
  host: req.host ?? req.headers?.host,
  remoteAddress: req.ip ?? req.socket?.remoteAddress,
  remotePort: req.socket?.remotePort,
})
