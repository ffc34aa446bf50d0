/**
 * Where a webhook may go (contract §8). In production: `https` only, and every address the host
 * resolves to must be a public unicast one; in development `http` and any address (loopback
 * receivers) are allowed. The same check runs when a subscription is written and before every
 * attempt; an attempt connects only to the addresses that were checked (DNS rebinding closed).
 */
import { lookup as dnsLookup } from 'node:dns/promises'
import type { LookupAddress, LookupOptions } from 'node:dns'
import { isIP } from 'node:net'
import ipaddr from 'ipaddr.js'

/** One address a host resolved to. */
export interface ResolvedAddress {
  readonly address: string
  readonly family: 4 | 6
}

/** Resolves a host name to every address it has (the system resolver by default). */
export type Resolver = (hostname: string) => Promise<readonly ResolvedAddress[]>

/** What `http.request` takes as `lookup` (net.LookupFunction, spelt out for both call shapes). */
export type PinnedLookup = (
  hostname: string,
  options: LookupOptions,
  callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
) => void

/** Why a URL is refused: not a webhook URL at all, or a place webhooks may not go. */
export type UrlRefusal =
  | { readonly reason: 'invalid'; readonly message: string }
  | { readonly reason: 'forbidden'; readonly message: string }
  | { readonly reason: 'unresolvable'; readonly message: string }

/** A URL that passed, with the checked addresses and the lookup that hands out only those. */
export interface CheckedTarget {
  readonly url: URL
  readonly addresses: readonly ResolvedAddress[]
  /** Pass as `lookup` to `http(s).request`: the connection goes to a checked address. */
  readonly lookup: PinnedLookup
}

export interface UrlGuard {
  readonly production: boolean
  /** The checks that need no DNS: scheme, credentials, a literal address, `localhost`. */
  syntax(url: string): UrlRefusal | undefined
  /** Every check: resolves the host once and checks every address it has. */
  check(url: string): Promise<{ ok: true; target: CheckedTarget } | { ok: false; refusal: UrlRefusal }>
}

export interface UrlGuardOptions {
  /** `ECRS_ENV === 'production'`. */
  readonly production: boolean
  /** Defaults to the system resolver (every address, in its order). */
  readonly resolve?: Resolver
  /** How long a resolution may take; 5000 ms by default. */
  readonly resolveTimeoutMs?: number
}

/** The longest subscription URL accepted. */
export const MAX_URL_LENGTH = 2048

// IPv4-compatible IPv6 (::a.b.c.d, deprecated by RFC 4291) is not among ipaddr's special ranges.
const IPV4_COMPATIBLE = ipaddr.IPv6.parseCIDR('::/96')

/**
 * Why `address` may not receive production webhooks, or undefined when it may: only public unicast
 * addresses pass. Loopback, private, link-local, multicast, broadcast, unspecified, CGNAT, reserved,
 * unique-local, IPv4-compatible, NAT64/6to4/Teredo (which embed IPv4 addresses) and the like are
 * refused, and an IPv4-mapped IPv6 address is judged as the IPv4 address it carries.
 */
export const addressProblem = (address: string): string | undefined => {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address
  let ip: ipaddr.IPv4 | ipaddr.IPv6
  try {
    ip = ipaddr.parse(bare)
  } catch {
    return `${address} is not an IP address`
  }
  if (ip.kind() === 'ipv6') {
    const v6 = ip as ipaddr.IPv6
    if (v6.isIPv4MappedAddress()) ip = v6.toIPv4Address()
    else if (v6.match(IPV4_COMPATIBLE) && v6.range() === 'unicast')
      return `${address} is an IPv4-compatible address`
  }
  const range = ip.range()
  return range === 'unicast' ? undefined : `${address} is a ${range} address`
}

const hostOf = (url: URL): string =>
  url.hostname.startsWith('[') && url.hostname.endsWith(']') ? url.hostname.slice(1, -1) : url.hostname

const isLocalName = (host: string): boolean => {
  const h = host.toLowerCase().replace(/\.$/, '')
  return h === 'localhost' || h.endsWith('.localhost')
}

/** The checks of a URL that need no DNS; `production` adds https-only and the literal-address rules. */
export const urlProblem = (raw: string, production: boolean): UrlRefusal | undefined => {
  if (raw.length > MAX_URL_LENGTH)
    return { reason: 'invalid', message: `the URL is longer than ${MAX_URL_LENGTH}` }
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return { reason: 'invalid', message: 'not an absolute URL' }
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return { reason: 'invalid', message: 'the URL must be http or https' }
  if (url.username !== '' || url.password !== '')
    return { reason: 'invalid', message: 'the URL must not carry credentials' }
  if (url.hostname === '') return { reason: 'invalid', message: 'the URL has no host' }
  if (!production) return undefined
  if (url.protocol !== 'https:') return { reason: 'forbidden', message: 'production webhooks must use https' }
  const host = hostOf(url)
  if (isLocalName(host)) return { reason: 'forbidden', message: `${host} is a loopback name` }
  if (isIP(host) !== 0) {
    const problem = addressProblem(host)
    if (problem !== undefined) return { reason: 'forbidden', message: problem }
  }
  return undefined
}

const systemResolver: Resolver = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => ({
    address: a.address,
    family: a.family === 6 ? 6 : 4,
  }))

const withTimeout = async <T>(work: Promise<T>, ms: number, what: string): Promise<T> => {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([
      work,
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms)
      }),
    ])
  } finally {
    clearTimeout(timer)
  }
}

const familyOf = (options: LookupOptions): 0 | 4 | 6 => {
  const f: unknown = options.family
  return f === 4 || f === 'IPv4' ? 4 : f === 6 || f === 'IPv6' ? 6 : 0
}

/**
 * A `lookup` for `http.request` that answers `hostname` with `addresses` only — the ones that were
 * checked — and checks each again with `allowed` before handing it out, so the socket connects to
 * an address that passed, whatever the DNS says by then. Another host name is an error.
 */
export const pinnedLookup = (
  hostname: string,
  addresses: readonly ResolvedAddress[],
  allowed: (address: string) => boolean,
): PinnedLookup => {
  const pinned = addresses.filter((a) => allowed(a.address))
  return (asked, options, callback) => {
    const family = familyOf(options)
    const list = pinned.filter((a) => family === 0 || a.family === family)
    const first = list[0]
    if (asked.toLowerCase() !== hostname.toLowerCase() || first === undefined) {
      const err: NodeJS.ErrnoException = new Error(`no checked address for ${asked}`)
      err.code = 'ENOTFOUND'
      process.nextTick(callback, err, '', 0)
      return
    }
    if (options.all === true)
      process.nextTick(
        callback,
        null,
        list.map((a) => ({ address: a.address, family: a.family })),
      )
    else process.nextTick(callback, null, first.address, first.family)
  }
}

/** The guard of webhook URLs for this environment. */
export const urlGuard = (opts: UrlGuardOptions): UrlGuard => {
  const resolve = opts.resolve ?? systemResolver
  const timeoutMs = opts.resolveTimeoutMs ?? 5000
  const allowed = (address: string): boolean => !opts.production || addressProblem(address) === undefined
  return {
    production: opts.production,
    syntax: (url) => urlProblem(url, opts.production),
    async check(raw) {
      const refusal = urlProblem(raw, opts.production)
      if (refusal !== undefined) return { ok: false, refusal }
      const url = new URL(raw)
      const host = hostOf(url)
      const literal = isIP(host)
      let addresses: readonly ResolvedAddress[]
      if (literal !== 0) addresses = [{ address: host, family: literal === 6 ? 6 : 4 }]
      else {
        try {
          addresses = await withTimeout(resolve(host), timeoutMs, `resolving ${host}`)
        } catch (err) {
          const message = `${host} does not resolve (${(err as Error).message})`
          return { ok: false, refusal: { reason: 'unresolvable', message } }
        }
      }
      if (addresses.length === 0)
        return { ok: false, refusal: { reason: 'unresolvable', message: `${host} has no address` } }
      // Every address, not just the first: the connection may go to any of them.
      for (const a of addresses) {
        if (!allowed(a.address)) {
          const why = addressProblem(a.address) ?? 'forbidden'
          return { ok: false, refusal: { reason: 'forbidden', message: `${host} resolves to ${why}` } }
        }
      }
      return { ok: true, target: { url, addresses, lookup: pinnedLookup(host, addresses, allowed) } }
    },
  }
}
