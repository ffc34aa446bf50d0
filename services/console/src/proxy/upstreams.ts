import type { Config } from '../config.js'

/** The services the console proxies, by the path segment after `/api/`. */
export const upstreamNames = ['ingest', 'credit-profile', 'recall', 'notify', 'inspection'] as const
export type UpstreamName = (typeof upstreamNames)[number]
export type Upstreams = Readonly<Record<UpstreamName, string>>

/** Where each proxied service is, from the configuration (defaults: the addresses of contract §1). */
export const upstreams = (config: Readonly<Config>): Upstreams => ({
  ingest: config.CONSOLE_INGEST_URL,
  'credit-profile': config.CONSOLE_CREDIT_PROFILE_URL,
  recall: config.CONSOLE_RECALL_URL,
  notify: config.CONSOLE_NOTIFY_URL,
  inspection: config.CONSOLE_INSPECTION_URL,
})

const isUpstreamName = (s: string): s is UpstreamName => (upstreamNames as readonly string[]).includes(s)

/**
 * The upstream URL for a console request URL (`/api/recall/v1/recalls?q=x` →
 * `http://127.0.0.1:8083/v1/recalls?q=x`), or undefined when it names no proxied service. Only
 * `/v1/…` paths and the service's `/openapi.json` pass: the services' operations endpoints
 * (`/metrics`, `/docs`) are not the console's to expose.
 */
export const upstreamUrl = (all: Upstreams, url: string): string | undefined => {
  const match = /^\/api\/([a-z-]+)(\/[^?#]*)(\?[^#]*)?$/.exec(url)
  if (match === null) return undefined
  const [, name = '', path = '', query = ''] = match
  if (!isUpstreamName(name)) return undefined
  if (!(path.startsWith('/v1/') || path === '/openapi.json')) return undefined
  // No dot segments (raw or percent-encoded): the path must stay under the service's /v1.
  if (/(^|\/)(\.|%2e){1,2}(\/|$)/i.test(path)) return undefined
  return `${all[name].replace(/\/+$/, '')}${path}${query}`
}
