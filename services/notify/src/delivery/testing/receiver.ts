/** Test helpers: webhook receivers (real HTTP servers on 127.0.0.1), feed entries, subscriptions. */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Change } from '@ecrs/contracts'
import type { FeedEntry } from '../../types.js'

/** One request a receiver got. */
export interface Received {
  readonly headers: IncomingHttpHeaders
  readonly body: string
  readonly id: string
  /** The entry the body carries. */
  readonly entry: FeedEntry
}

/** How a receiver answers the nth request (from 0): a status, or never. */
export type Answer = (r: Received, n: number) => number | 'hang'

export interface Receiver {
  readonly url: string
  readonly port: number
  readonly received: Received[]
  /** Requests not answered (hanging). */
  readonly hanging: number
  answer: Answer
  close(): Promise<void>
}

/** A receiver on 127.0.0.1 (port 0, or `port` to come back on the same one). */
export const receiver = async (answer: Answer = () => 200, port = 0): Promise<Receiver> => {
  const received: Received[] = []
  const held = new Set<ServerResponse>()
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const parsed = JSON.parse(body) as { data: FeedEntry }
      const r: Received = {
        headers: req.headers,
        body,
        id: String(req.headers['webhook-id']),
        entry: parsed.data,
      }
      const n = received.length
      received.push(r)
      const status = self.answer(r, n)
      if (status === 'hang') {
        held.add(res)
        res.on('close', () => held.delete(res))
        return
      }
      res.writeHead(status).end()
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', resolve)
  })
  const bound = (server.address() as AddressInfo).port
  const self: Receiver = {
    url: `http://127.0.0.1:${bound}/hook`,
    port: bound,
    received,
    get hanging() {
      return held.size
    },
    answer,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
  return self
}

let counter = 0

/** A fresh seq, increasing through the test file (zero-padded, as the feed's). */
export const nextSeq = (): string => String(++counter).padStart(12, '0')

/** A feed entry of `uscc` with `changes` and a fresh seq. */
export const feedEntry = (uscc: string, changes: Change[], over: Partial<FeedEntry> = {}): FeedEntry => ({
  seq: nextSeq(),
  uscc,
  name: 'Acme Heating Ltd',
  region: '210102',
  enterpriseKind: 'company',
  time: '2025-07-01T08:00:00.000Z',
  recordedAt: new Date().toISOString(),
  changes,
  ...over,
})

export const listed = (listingId = 'L-1'): Change => ({
  kind: 'abnormal-listed',
  listingId,
  reason: 'annual report not filed',
})
export const riskChanged: Change = { kind: 'risk-class-changed', from: 'A', to: 'C' }
