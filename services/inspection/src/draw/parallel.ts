/**
 * The assignment ranks computed on worker threads. The assignment itself is sequential (each choice
 * moves the load caps of the next), but its cost is the ranks — one SHA-256 per selected enterprise
 * × active inspector of every agency — and those do not depend on any choice. So workers compute,
 * chunk by chunk of the selection, each enterprise's inspectors per agency in rank order (a tie by
 * inspectorId, as `compareRanked`), and the main thread walks those orders with the loads and 回避.
 * The result is the sequential `assignInspectors`'s, entry for entry (property-tested).
 */
import { Worker } from 'node:worker_threads'
import {
  agencyPools,
  checkRosters,
  NotEnoughInspectorsError,
  type AgencyPool,
  type AssignedEntry,
  type AssignmentInput,
  type InspectorAssignment,
} from './assignment.js'

/** Enterprises per message to a worker. */
const DEFAULT_CHUNK = 512

// The worker, self-contained (an eval worker runs the same way from the sources and the build).
// It hashes what `assignmentRank` hashes and orders as `compareRanked` does.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads')
const crypto = require('node:crypto')
const sha = typeof crypto.hash === 'function'
  ? (s) => crypto.hash('sha256', s, 'hex')
  : (s) => crypto.createHash('sha256').update(s).digest('hex')
parentPort.on('message', ({ id, seed, agencies, usccs }) => {
  let width = 0
  for (const a of agencies) width += a.ids.length
  const orders = new Uint32Array(usccs.length * width)
  let at = 0
  for (const uscc of usccs)
    for (const { agency, ids } of agencies) {
      const prefix = seed + ':' + uscc + ':' + agency + ':'
      const ranks = ids.map((inspectorId) => sha(prefix + inspectorId))
      const idx = ids.map((_, i) => i)
      idx.sort((x, y) => ranks[x] < ranks[y] ? -1 : ranks[x] > ranks[y] ? 1 : ids[x] < ids[y] ? -1 : ids[x] > ids[y] ? 1 : 0)
      for (const i of idx) orders[at++] = i
    }
  parentPort.postMessage({ id, orders }, [orders.buffer])
})
`

/** The first p of `order` that are under the cap and not avoided, their loads raised. */
const pickInOrder = (
  pool: AgencyPool,
  uscc: string,
  orders: Uint32Array,
  from: number,
  p: number,
): InspectorAssignment[] => {
  const { agency, ids, loads, cap } = pool
  const avoid = pool.avoid.get(uscc)
  const chosen: number[] = []
  for (let k = from; k < from + ids.length && chosen.length < p; k++) {
    const i = orders[k]!
    if (loads[i]! >= cap || avoid?.has(ids[i]!) === true) continue
    chosen.push(i)
  }
  if (chosen.length < p) throw new NotEnoughInspectorsError(agency, uscc)
  return chosen.map((i) => {
    loads[i]!++
    return { agency, inspectorId: ids[i]! }
  })
}

/**
 * `assignInspectors` with the ranks on `threads` workers (≥ 1). Chunks are sent ahead to every
 * worker and taken back in selection order, so the workers hash while the main thread assigns.
 */
export const assignInspectorsParallel = async (
  input: AssignmentInput,
  threads: number,
  chunk = DEFAULT_CHUNK,
): Promise<AssignedEntry[]> => {
  const { selected, agencies, rosters, previousPairs, inspectorsPerAgency: p, seed } = input
  checkRosters(agencies, rosters, p)
  const pools = agencyPools(agencies, rosters, previousPairs, selected.length, p)
  const shape = pools.map(({ agency, ids }) => ({ agency, ids }))
  const width = pools.reduce((n, pool) => n + pool.ids.length, 0)
  const chunks = Math.ceil(selected.length / chunk)
  const workers = Array.from(
    { length: Math.max(1, Math.min(threads, chunks)) },
    () => new Worker(WORKER_SOURCE, { eval: true }),
  )
  const waiting = new Map<number, { resolve: (o: Uint32Array) => void; reject: (e: Error) => void }>()
  for (const w of workers) {
    w.on('message', ({ id, orders }: { id: number; orders: Uint32Array }) => {
      waiting.get(id)?.resolve(orders)
      waiting.delete(id)
    })
    w.on('error', (err: Error) => {
      for (const pending of waiting.values()) pending.reject(err)
      waiting.clear()
    })
  }
  const request = (c: number): Promise<Uint32Array> => {
    const answer = new Promise<Uint32Array>((resolve, reject) => {
      waiting.set(c, { resolve, reject })
      const usccs = selected.slice(c * chunk, (c + 1) * chunk).map((e) => e.uscc)
      workers[c % workers.length]!.postMessage({ id: c, seed, agencies: shape, usccs })
    })
    // A chunk sent ahead may fail after the assignment has already thrown: not an unhandled rejection.
    answer.catch(() => undefined)
    return answer
  }
  try {
    // Two chunks in flight per worker: one hashing, one queued.
    const ahead = workers.length * 2
    const inFlight: Promise<Uint32Array>[] = []
    for (let c = 0; c < Math.min(ahead, chunks); c++) inFlight.push(request(c))
    const out: AssignedEntry[] = []
    for (let c = 0; c < chunks; c++) {
      const orders = await inFlight[c]!
      if (c + ahead < chunks) inFlight.push(request(c + ahead))
      const first = c * chunk
      const last = Math.min(selected.length, first + chunk)
      for (let j = first; j < last; j++) {
        const { uscc, name, riskClass } = selected[j]!
        let from = (j - first) * width
        const inspectors: InspectorAssignment[] = []
        for (const pool of pools) {
          inspectors.push(...pickInOrder(pool, uscc, orders, from, p))
          from += pool.ids.length
        }
        out.push({ uscc, name, riskClass, inspectors })
      }
    }
    return out
  } finally {
    await Promise.all(workers.map((w) => w.terminate()))
  }
}
