import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { LookupAddress } from 'node:dns'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { postWebhook } from './post.js'
import {
  addressProblem,
  pinnedLookup,
  urlGuard,
  urlProblem,
  type PinnedLookup,
  type ResolvedAddress,
  type Resolver,
} from './url-guard.js'

const v4 = (address: string): ResolvedAddress => ({ address, family: 4 })
const v6 = (address: string): ResolvedAddress => ({ address, family: 6 })

/** A resolver answering from a table, counting its calls. */
const table = (answers: Record<string, readonly ResolvedAddress[]>) => {
  const calls: string[] = []
  const resolve: Resolver = async (host) => {
    calls.push(host)
    const found = answers[host]
    if (found === undefined)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' })
    return found
  }
  return { resolve, calls }
}

const lookupAll = (lookup: PinnedLookup, host: string, family?: number) =>
  new Promise<LookupAddress[]>((resolve, reject) =>
    lookup(host, { all: true, ...(family === undefined ? {} : { family }) }, (err, addresses) =>
      err ? reject(err) : resolve(addresses as LookupAddress[]),
    ),
  )
const lookupOne = (lookup: PinnedLookup, host: string) =>
  new Promise<{ address: string; family: number | undefined }>((resolve, reject) =>
    lookup(host, {}, (err, address, family) =>
      err ? reject(err) : resolve({ address: address as string, family }),
    ),
  )

describe('addressProblem: only public unicast addresses receive production webhooks', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['::1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.254', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['fe80::1', 'linkLocal'],
    ['fe80::1%eth0', 'linkLocal'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['ff02::1', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['100.127.255.254', 'carrierGradeNat'],
    ['192.0.2.10', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['240.0.0.1', 'reserved'],
    ['fc00::1', 'uniqueLocal'],
    ['fd12:3456::1', 'uniqueLocal'],
    ['2001:db8::1', 'reserved'],
    ['64:ff9b::a00:1', 'rfc6052'],
    ['2002:a00:1::1', '6to4'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.1.2.3', 'private'],
    ['::ffff:169.254.169.254', 'linkLocal'],
    ['::ffff:100.64.0.1', 'carrierGradeNat'],
    ['::ffff:0.0.0.0', 'unspecified'],
    ['::7f00:1', 'IPv4-compatible'],
    ['[::1]', 'loopback'],
  ])('%s is refused (%s)', (address, range) => {
    expect(addressProblem(address)).toContain(range)
  })

  it.each(['8.8.8.8', '1.1.1.1', '93.184.216.34', '2606:4700:4700::1111', '::ffff:8.8.8.8'])(
    '%s passes',
    (a) => {
      expect(addressProblem(a)).toBeUndefined()
    },
  )

  it('refuses what is not an address', () => {
    expect(addressProblem('example.com')).toContain('not an IP address')
  })
})

describe('urlProblem: the checks that need no DNS', () => {
  it.each([
    ['not a url', 'invalid'],
    ['/relative/path', 'invalid'],
    ['ftp://example.com/x', 'invalid'],
    ['javascript:alert(1)', 'invalid'],
    ['https://user:pw@example.com/hook', 'invalid'],
    ['https://user@example.com/hook', 'invalid'],
    [`https://example.com/${'a'.repeat(2100)}`, 'invalid'],
  ])('%s is not a webhook URL anywhere', (url, reason) => {
    expect(urlProblem(url, false)?.reason).toBe(reason)
    expect(urlProblem(url, true)?.reason).toBe(reason)
  })

  it.each([
    'http://example.com/hook',
    'https://localhost/hook',
    'https://LOCALHOST./hook',
    'https://api.localhost/hook',
    'https://127.0.0.1/hook',
    'https://[::1]:8443/hook',
    'https://[::ffff:127.0.0.1]/hook',
    'https://[::ffff:a00:1]/hook',
    'https://0x7f.1/hook',
    'https://2130706433/hook',
    'https://10.0.0.1/hook',
    'https://169.254.169.254/latest/meta-data',
    'https://[fe80::1]/hook',
    'https://224.0.0.1/hook',
    'https://0.0.0.0/hook',
    'https://100.64.1.1/hook',
  ])('production refuses %s', (url) => {
    expect(urlProblem(url, true)?.reason).toBe('forbidden')
  })

  it.each([
    'http://127.0.0.1:8080/hook',
    'http://localhost:3000/x',
    'http://[::1]:9/x',
    'https://example.com/hook',
  ])('development allows %s', (url) => {
    expect(urlProblem(url, false)).toBeUndefined()
  })

  it('production allows https to a public name or address', () => {
    expect(urlProblem('https://hooks.example.com/ecrs?x=1', true)).toBeUndefined()
    expect(urlProblem('https://93.184.216.34:8443/ecrs', true)).toBeUndefined()
  })
})

describe('urlGuard.check: every address the host resolves to', () => {
  const dns = table({
    'hooks.example.com': [v4('93.184.216.34'), v6('2606:2800:220:1::248')],
    'internal.example.com': [v4('10.20.30.40')],
    'mixed.example.com': [v4('93.184.216.34'), v4('192.168.0.7')],
    'mapped.example.com': [v6('::ffff:127.0.0.1')],
    'meta.example.com': [v4('169.254.169.254')],
    localhost: [v4('127.0.0.1')],
    'receiver.test': [v4('127.0.0.1')],
  })
  const production = urlGuard({ production: true, resolve: dns.resolve })
  const development = urlGuard({ production: false, resolve: dns.resolve })

  it('passes a host whose every address is public', async () => {
    const r = await production.check('https://hooks.example.com/ecrs')
    expect(r.ok).toBe(true)
    if (r.ok)
      expect(r.target.addresses.map((a) => a.address)).toEqual(['93.184.216.34', '2606:2800:220:1::248'])
  })

  it.each(['internal.example.com', 'mixed.example.com', 'mapped.example.com', 'meta.example.com'])(
    'refuses %s, which resolves to a forbidden address',
    async (host) => {
      const r = await production.check(`https://${host}/ecrs`)
      expect(r).toMatchObject({ ok: false, refusal: { reason: 'forbidden' } })
    },
  )

  it('refuses localhost by name, without asking the resolver', async () => {
    const before = dns.calls.length
    expect(await production.check('https://localhost/x')).toMatchObject({
      ok: false,
      refusal: { reason: 'forbidden' },
    })
    expect(dns.calls.length).toBe(before)
  })

  it('refuses http in production whatever the host', async () => {
    expect(await production.check('http://hooks.example.com/x')).toMatchObject({
      ok: false,
      refusal: { reason: 'forbidden' },
    })
  })

  it('tells a host that does not resolve apart', async () => {
    expect(await production.check('https://nowhere.example.com/x')).toMatchObject({
      ok: false,
      refusal: { reason: 'unresolvable' },
    })
  })

  it('development allows loopback, by address and by name', async () => {
    expect((await development.check('http://127.0.0.1:9/x')).ok).toBe(true)
    expect((await development.check('http://localhost:9/x')).ok).toBe(true)
    expect((await development.check('http://receiver.test:9/x')).ok).toBe(true)
  })
})

describe('pinning: an attempt connects only to what was checked', () => {
  it('resolves once; the lookup answers the checked addresses, whatever the DNS says later', async () => {
    let answer: ResolvedAddress[] = [v4('93.184.216.34')]
    let calls = 0
    const guard = urlGuard({
      production: true,
      resolve: async () => {
        calls++
        return answer
      },
    })
    const r = await guard.check('https://rebind.example.com/hook')
    if (!r.ok) throw new Error('expected the public address to pass')
    answer = [v4('127.0.0.1')] // the rebinding: too late, nothing asks again
    expect(await lookupAll(r.target.lookup, 'rebind.example.com')).toEqual([
      { address: '93.184.216.34', family: 4 },
    ])
    expect(await lookupOne(r.target.lookup, 'rebind.example.com')).toEqual({
      address: '93.184.216.34',
      family: 4,
    })
    expect(calls).toBe(1)
  })

  it('answers by family, and nothing for another host', async () => {
    const lookup = pinnedLookup(
      'h.example.com',
      [v4('93.184.216.34'), v6('2606:2800:220:1::248')],
      () => true,
    )
    expect(await lookupAll(lookup, 'h.example.com', 6)).toEqual([
      { address: '2606:2800:220:1::248', family: 6 },
    ])
    await expect(lookupAll(lookup, 'other.example.com')).rejects.toMatchObject({ code: 'ENOTFOUND' })
  })

  it('checks each address again before handing it out', async () => {
    const lookup = pinnedLookup(
      'h.example.com',
      [v4('10.0.0.1'), v4('93.184.216.34')],
      (a) => addressProblem(a) === undefined,
    )
    expect(await lookupAll(lookup, 'h.example.com')).toEqual([{ address: '93.184.216.34', family: 4 }])
    const none = pinnedLookup('h.example.com', [v4('10.0.0.1')], (a) => addressProblem(a) === undefined)
    await expect(lookupOne(none, 'h.example.com')).rejects.toMatchObject({ code: 'ENOTFOUND' })
  })

  describe('with a real request', () => {
    let server: Server
    let port: number
    const seen: IncomingHttpHeaders[] = []
    beforeAll(async () => {
      server = createServer((req, res) => {
        seen.push(req.headers)
        req.resume()
        res.writeHead(204).end()
      })
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      port = (server.address() as AddressInfo).port
    })
    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve))
    })

    it('connects to the checked address and keeps the host name in Host', async () => {
      const guard = urlGuard({
        production: false,
        resolve: table({ 'receiver.test': [v4('127.0.0.1')] }).resolve,
      })
      const r = await guard.check(`http://receiver.test:${port}/hook`)
      if (!r.ok) throw new Error('expected development to allow loopback')
      const outcome = await postWebhook(r.target, { 'webhook-id': 'msg_1' }, '{}', { timeoutMs: 5000 })
      expect(outcome).toEqual({ ok: true, statusCode: 204 })
      expect(seen.at(-1)).toMatchObject({ host: `receiver.test:${port}`, 'webhook-id': 'msg_1' })
    })
  })
})
