/**
 * The dispatcher's memory: every pending delivery, in lanes of one subscription and one enterprise
 * (only a lane's first delivery, by `seq`, may go out: order per enterprise per subscription), one
 * timer for the earliest wait, and ready lanes queued by receiver (origin) so that a receiver at
 * its concurrency limit — slow, or hanging until the timeout — holds only its own lanes.
 * No I/O: `launch` starts an attempt, the caller reports its end with `settle`.
 */
import { Deque } from './deque.js'
import { MinHeap } from './min-heap.js'
import type { DeliveryStatus } from './store.js'

/** A pending delivery in memory (its state is what the store gets after each attempt). */
export interface QueuedDelivery {
  readonly id: string
  readonly subscriptionId: string
  readonly seq: string
  readonly uscc: string
  readonly payload: string
  readonly createdAt: number
  status: DeliveryStatus
  attempts: number
  nextAttemptAt: number
  lastAttemptAt?: number
  lastStatusCode?: number
  lastError?: string
  /** Bumped on every change of state: the store is up to date when it has this revision. */
  rev: number
}

/** What the queue needs to know of a subscription: whether it sends, and to which receiver. */
export type LaneTarget = { readonly active: boolean; readonly origin: string } | undefined

export interface QueueOptions {
  /** Attempts in flight at once, in all. */
  readonly concurrency: number
  /** Attempts in flight at once to one origin. */
  readonly receiverConcurrency: number
  readonly now: () => number
  /** The subscription's state now; undefined when it is gone. */
  readonly target: (subscriptionId: string) => LaneTarget
  /** Starts an attempt of `d` (to `origin`); the caller calls `settle(d)` when it ends. */
  readonly launch: (d: QueuedDelivery, origin: string) => void
}

export interface DeliveryQueue {
  /** Adds a pending delivery; false when it is known already. */
  add(d: QueuedDelivery): boolean
  get(id: string): QueuedDelivery | undefined
  /** True while an attempt of this delivery is in flight. */
  inFlight(id: string): boolean
  /** Moves a known delivery's next attempt to now (it still waits for earlier ones of its lane). */
  hurry(id: string): void
  /** An attempt of `d` ended: it stays (pending, with its next time) or leaves (delivered, failed). */
  settle(d: QueuedDelivery): void
  /** An attempt of `d` was cut short (stopping): neither outcome, it stays as it was. */
  abandon(d: QueuedDelivery): void
  /** A subscription changed (paused, resumed, moved, gone): its lanes are looked at again. */
  refresh(subscriptionId: string): void
  /** Forgets a subscription's deliveries (it was deleted). */
  drop(subscriptionId: string): void
  /** Starts handing out deliveries. */
  start(): void
  /** Stops handing out deliveries and clears the timer; what is in memory stays. */
  stop(): void
  pending(): IterableIterator<QueuedDelivery>
  readonly size: number
}

interface Lane {
  readonly key: string
  readonly subscriptionId: string
  /** Pending deliveries by `seq`. */
  readonly items: QueuedDelivery[]
  state: 'idle' | 'waiting' | 'ready' | 'flying'
  /** While waiting: when its first delivery is due. */
  dueAt: number
  /** While ready or flying: the receiver it is queued for or sent to. */
  origin: string
  flying: QueuedDelivery | undefined
}

const DIGITS = /^\d+$/

/** Feed order: `seq` is a zero-padded decimal counter, compared as a number whatever its padding. */
export const compareSeq = (a: string, b: string): number => {
  if (DIGITS.test(a) && DIGITS.test(b)) {
    const x = a.replace(/^0+(?=\d)/, '')
    const y = b.replace(/^0+(?=\d)/, '')
    if (x.length !== y.length) return x.length - y.length
    return x < y ? -1 : x > y ? 1 : 0
  }
  return a < b ? -1 : a > b ? 1 : 0
}

const MAX_TIMER_MS = 2 ** 31 - 1

/** The dispatcher's in-memory schedule (see the file comment). */
export const deliveryQueue = (opts: QueueOptions): DeliveryQueue => {
  const known = new Map<string, QueuedDelivery>()
  const lanes = new Map<string, Lane>()
  const lanesOf = new Map<string, Set<Lane>>()
  const waits = new MinHeap<{ at: number; lane: Lane }>()
  const ready = new Map<string, Deque<Lane>>()
  const flyingTo = new Map<string, number>()
  let flying = 0
  let running = false
  let timer: NodeJS.Timeout | undefined
  let timerAt = Infinity

  const laneKey = (d: QueuedDelivery) => `${d.subscriptionId}\u0000${d.uscc}`

  const laneOf = (d: QueuedDelivery): Lane => {
    const key = laneKey(d)
    let lane = lanes.get(key)
    if (lane === undefined) {
      lane = {
        key,
        subscriptionId: d.subscriptionId,
        items: [],
        state: 'idle',
        dueAt: 0,
        origin: '',
        flying: undefined,
      }
      lanes.set(key, lane)
      let set = lanesOf.get(d.subscriptionId)
      if (set === undefined) lanesOf.set(d.subscriptionId, (set = new Set()))
      set.add(lane)
    }
    return lane
  }

  const removeLane = (lane: Lane) => {
    lanes.delete(lane.key)
    const set = lanesOf.get(lane.subscriptionId)
    set?.delete(lane)
    if (set?.size === 0) lanesOf.delete(lane.subscriptionId)
  }

  /** Puts a lane where its first delivery says: waiting on the timer, ready, or idle (paused). */
  const arm = (lane: Lane): void => {
    if (lane.state === 'flying' || lane.state === 'ready') return
    const head = lane.items[0]
    if (head === undefined) {
      lane.state = 'idle'
      removeLane(lane)
      return
    }
    const target = opts.target(lane.subscriptionId)
    if (!running || target === undefined || !target.active) {
      lane.state = 'idle'
      return
    }
    if (head.nextAttemptAt <= opts.now()) {
      lane.state = 'ready'
      lane.origin = target.origin
      let queue = ready.get(target.origin)
      if (queue === undefined) ready.set(target.origin, (queue = new Deque()))
      queue.push(lane)
      schedulePump()
      return
    }
    if (lane.state === 'waiting' && lane.dueAt === head.nextAttemptAt) return
    lane.state = 'waiting'
    lane.dueAt = head.nextAttemptAt
    waits.push({ at: head.nextAttemptAt, lane })
    armTimer()
  }

  const armTimer = (): void => {
    const top = waits.peek()
    if (!running || top === undefined || top.at >= timerAt) return
    clearTimeout(timer)
    timerAt = top.at
    timer = setTimeout(onTimer, Math.min(MAX_TIMER_MS, Math.max(0, top.at - opts.now())))
    timer.unref()
  }

  const onTimer = (): void => {
    timer = undefined
    timerAt = Infinity
    const now = opts.now()
    for (let top = waits.peek(); top !== undefined && top.at <= now; top = waits.peek()) {
      waits.pop()
      // Entries left behind by a re-arm are stale: only the lane's current wait counts.
      if (top.lane.state === 'waiting' && top.lane.dueAt === top.at) {
        top.lane.state = 'idle'
        arm(top.lane)
      }
    }
    armTimer()
  }

  let pumpQueued = false
  const schedulePump = (): void => {
    if (pumpQueued) return
    pumpQueued = true
    queueMicrotask(() => {
      pumpQueued = false
      pump()
    })
  }

  /** Hands ready lanes to `launch`, one origin after another, within both limits. */
  const pump = (): void => {
    let progress = true
    while (running && progress && flying < opts.concurrency) {
      progress = false
      for (const [origin, queue] of ready) {
        if (flying >= opts.concurrency) break
        if ((flyingTo.get(origin) ?? 0) >= opts.receiverConcurrency) continue
        const lane = queue.shift()
        if (queue.length === 0) ready.delete(origin)
        else {
          // Round robin: this origin goes to the back.
          ready.delete(origin)
          ready.set(origin, queue)
        }
        if (lane === undefined || lane.state !== 'ready' || lane.origin !== origin) continue
        progress = true
        const target = opts.target(lane.subscriptionId)
        const head = lane.items[0]
        if (target === undefined || !target.active || head === undefined) {
          lane.state = 'idle'
          arm(lane)
          continue
        }
        if (target.origin !== origin) {
          // Its subscription moved to another receiver while it was queued.
          lane.state = 'idle'
          arm(lane)
          continue
        }
        lane.state = 'flying'
        lane.flying = head
        flying++
        flyingTo.set(origin, (flyingTo.get(origin) ?? 0) + 1)
        opts.launch(head, origin)
      }
    }
  }

  const land = (d: QueuedDelivery): Lane | undefined => {
    const lane = lanes.get(laneKey(d))
    if (lane === undefined || lane.flying !== d) return undefined
    lane.flying = undefined
    flying--
    const n = (flyingTo.get(lane.origin) ?? 1) - 1
    if (n <= 0) flyingTo.delete(lane.origin)
    else flyingTo.set(lane.origin, n)
    lane.state = 'idle'
    return lane
  }

  return {
    add(d) {
      if (known.has(d.id)) return false
      known.set(d.id, d)
      const lane = laneOf(d)
      let i = lane.items.length
      while (i > 0 && compareSeq(lane.items[i - 1]!.seq, d.seq) > 0) i--
      lane.items.splice(i, 0, d)
      if (lane.state === 'idle' || lane.state === 'waiting') arm(lane)
      return true
    },
    get: (id) => known.get(id),
    inFlight: (id) => {
      const d = known.get(id)
      return d !== undefined && lanes.get(laneKey(d))?.flying === d
    },
    hurry(id) {
      const d = known.get(id)
      if (d === undefined) return
      d.nextAttemptAt = Math.min(d.nextAttemptAt, opts.now())
      const lane = lanes.get(laneKey(d))
      if (lane !== undefined && (lane.state === 'idle' || lane.state === 'waiting')) arm(lane)
    },
    settle(d) {
      const lane = land(d)
      if (d.status !== 'pending') {
        known.delete(d.id)
        if (lane !== undefined) {
          const i = lane.items.indexOf(d)
          if (i >= 0) lane.items.splice(i, 1)
        }
      }
      if (lane !== undefined) arm(lane)
      schedulePump()
    },
    abandon(d) {
      const lane = land(d)
      if (lane !== undefined) arm(lane)
      schedulePump()
    },
    refresh(subscriptionId) {
      const target = opts.target(subscriptionId)
      for (const lane of [...(lanesOf.get(subscriptionId) ?? [])]) {
        // A queued lane whose receiver changed, or that was paused, is queued again (or not); the
        // entry it leaves in the old queue is skipped by the pump.
        const moved = lane.state === 'ready' && (target?.active !== true || target.origin !== lane.origin)
        if (lane.state === 'waiting' || moved) lane.state = 'idle'
        arm(lane)
      }
    },
    drop(subscriptionId) {
      for (const lane of [...(lanesOf.get(subscriptionId) ?? [])]) {
        for (const d of lane.items) known.delete(d.id)
        lane.items.length = 0
        // A lane in flight keeps its slot until the attempt ends (land finds it gone and frees it).
        if (lane.state !== 'flying') lane.state = 'idle'
        if (lane.state !== 'flying') removeLane(lane)
      }
    },
    start() {
      if (running) return
      running = true
      for (const lane of lanes.values()) arm(lane)
    },
    stop() {
      running = false
      clearTimeout(timer)
      timer = undefined
      timerAt = Infinity
      waits.clear()
      ready.clear()
      for (const lane of lanes.values()) if (lane.state !== 'flying') lane.state = 'idle'
    },
    pending: () => known.values(),
    get size() {
      return known.size
    },
  }
}
