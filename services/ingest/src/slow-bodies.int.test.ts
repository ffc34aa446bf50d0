import { connect } from 'node:net'

import { waitFor } from '@ecrs/testkit'
import { testInfra, uniqueName } from '@ecrs/testkit/vitest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import type { IngestService } from './service.js'
import { randomUscc, startIngest, token } from './testing/harness.js'

// Small limits so that a few sockets reach them: a batch of at most 100 kB, 400 kB in flight over
// all callers, 100 kB (the default share, 0.25) per caller; and short server timeouts.
const MAX_BATCH_BYTES = 100_000
const HEADERS_TIMEOUT_MS = 500
const BODY_TIMEOUT_MS = 1500
// Node checks the timeouts every headers timeout / 4 here; the rest is scheduling slack.
const CLOSE_SLACK_MS = 1000

const infra = testInfra()
const ns = uniqueName('slow')
let ingest: IngestService
let port: number

beforeAll(async () => {
  ;({ service: ingest } = await startIngest(infra, ns, {
    MAX_BATCH_BYTES: String(MAX_BATCH_BYTES),
    MAX_INFLIGHT_BATCH_BYTES: String(4 * MAX_BATCH_BYTES),
    HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
    HTTP_BODY_TIMEOUT_MS: String(BODY_TIMEOUT_MS),
  }))
  port = Number(new URL(ingest.url).port)
})

afterAll(async () => {
  await ingest?.close()
})

/** A raw socket that sends `head` and then nothing; what the server answers, and when it closed. */
const stall = (head: string) => {
  const socket = connect(port, '127.0.0.1')
  const openedAt = Date.now()
  let received = ''
  socket.setEncoding('utf8')
  socket.on('data', (chunk: string) => {
    received += chunk
  })
  socket.on('error', () => undefined) // a reset after the server's answer is fine
  const closed = new Promise<{ afterMs: number }>((resolve) => {
    socket.once('close', () => resolve({ afterMs: Date.now() - openedAt }))
  })
  socket.write(head)
  return { received: () => received, closed, destroy: () => socket.destroy() }
}

/** Headers of a batch POST announcing a full-size body, which never comes. */
const batchHeaders = (bearer: string) =>
  'POST /v1/events:batch HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
  `Authorization: Bearer ${bearer}\r\nContent-Length: ${MAX_BATCH_BYTES}\r\n\r\n`

let seq = 0
const penalty = (source: string) => ({
  id: `slow-${Date.now().toString(36)}-${++seq}`,
  source,
  type: 'penalty.decided',
  subject: randomUscc(),
  time: '2025-03-01T10:00:00+08:00',
  data: { decisionNo: `S-${seq}`, measures: ['warning'], domain: 'food' },
})

const postBatch = async (bearer: string, source: string) => {
  const res = await fetch(`${ingest.url}/v1/events:batch`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events: [penalty(source)] }),
  })
  return { status: res.status, body: (await res.json()) as { results?: { status: string }[] } }
}

describe('slow and idle bodies', () => {
  it("one agency's idle bodies take its share only: another agency is served; the idle socket is closed in time", async () => {
    // Four users of one agency: the share is the agency's, whatever the token's sub.
    const sockets = await Promise.all(
      [1, 2, 3].map(async (i) =>
        stall(batchHeaders(await token({ sub: `ln-${i}`, role: 'agency', agency: 'samr.ln' }))),
      ),
    )
    sockets.push(stall(batchHeaders(await token({ sub: 'ln-4', role: 'agency', agency: 'samr.ln' }))))

    // All but one are refused at once, 503 with Retry-After; the one let in holds the agency's share.
    const refused = await waitFor(
      () => {
        const answered = sockets.filter((s) => s.received().startsWith('HTTP/1.1 503'))
        return answered.length === sockets.length - 1 ? answered : undefined
      },
      { what: 'three 503 INGEST_BUSY answers', timeoutMs: 10_000, intervalMs: 20 },
    )
    for (const s of refused) {
      expect(s.received()).toMatch(/\r\nretry-after: \d+\r\n/i)
      expect(s.received()).toContain('INGEST_BUSY')
    }
    const [held] = sockets.filter((s) => !refused.includes(s))

    // Another agency is still served while the first one's body is outstanding.
    const other = await postBatch(await token({ role: 'agency', agency: 'samr.bj' }), 'samr.bj')
    expect(other.status).toBe(200)
    expect(other.body.results?.[0]?.status).toBe('accepted')
    expect(held!.received()).toBe('')

    // The idle body is cut off by the server within its body timeout: 408, then the socket closes.
    const { afterMs } = await held!.closed
    expect(held!.received()).toMatch(/^HTTP\/1\.1 408 /)
    expect(afterMs).toBeLessThan(BODY_TIMEOUT_MS + CLOSE_SLACK_MS)

    // Its share is released with it: the first agency is served again.
    const again = await postBatch(await token({ sub: 'ln-1', role: 'agency', agency: 'samr.ln' }), 'samr.ln')
    expect(again.status).toBe(200)
  })

  it('a socket that never finishes its headers is closed within the headers timeout', async () => {
    const s = stall('POST /v1/events:batch HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: appl')
    const { afterMs } = await s.closed
    expect(s.received()).toMatch(/^HTTP\/1\.1 408 /)
    expect(afterMs).toBeLessThan(HEADERS_TIMEOUT_MS + CLOSE_SLACK_MS)
  })
})
