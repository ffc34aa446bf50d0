import type { Logger } from 'pino'
import type { QueuedDelivery } from './queue.js'
import type { DeliveryState } from './store.js'

/** What the store gets of a delivery in memory. */
export const stateOf = (d: QueuedDelivery): DeliveryState => ({
  status: d.status,
  attempts: d.attempts,
  ...(d.lastAttemptAt === undefined ? {} : { lastAttemptAt: new Date(d.lastAttemptAt) }),
  ...(d.lastStatusCode === undefined ? {} : { lastStatusCode: d.lastStatusCode }),
  ...(d.lastError === undefined ? {} : { lastError: d.lastError }),
  ...(d.status === 'pending' ? { nextAttemptAt: new Date(d.nextAttemptAt) } : {}),
})

export interface Persister {
  /** Writes `d`'s state soon; until the store has it, it is kept (and written again after a failure). */
  mark(d: QueuedDelivery): void
  /** Deliveries whose latest state the store does not have yet. */
  readonly unsaved: number
  /** Tries once more to write what is unsaved, within `timeoutMs`; true when nothing is left. */
  drain(timeoutMs: number): Promise<boolean>
  /** Stops retrying (what is unsaved stays unsaved). */
  stop(): void
}

/**
 * Writes delivery states one after another in the background, so that attempts never wait for the
 * store: when it does not answer, the states stay in memory (the latest of each delivery) and are
 * written when it answers again, with a growing pause between tries.
 */
export const persister = (
  save: (id: string, state: DeliveryState) => Promise<void>,
  log: Logger,
  backoffMs: readonly number[] = [100, 250, 500, 1000, 2000, 5000],
): Persister => {
  const dirty = new Map<string, QueuedDelivery>()
  let running: Promise<void> | undefined
  let failures = 0
  let stopped = false
  /** Set while the store is failing: the next try waits for it. */
  let retryTimer: NodeJS.Timeout | undefined

  const flushOnce = async (): Promise<void> => {
    for (const [id, d] of [...dirty]) {
      const rev = d.rev
      await save(id, stateOf(d))
      // A newer state came meanwhile: it stays for the next round.
      if (d.rev === rev && dirty.get(id) === d) dirty.delete(id)
    }
  }

  const retryLater = (): void => {
    const wait = backoffMs[Math.min(failures - 1, backoffMs.length - 1)] ?? 1000
    retryTimer = setTimeout(() => {
      retryTimer = undefined
      void flush()
    }, wait)
    retryTimer.unref()
  }

  const flush = (): Promise<void> => {
    if (running !== undefined) return running
    const run = (async () => {
      await Promise.resolve() // so that `running` is set before the loop can end
      try {
        while (dirty.size > 0 && !stopped) await flushOnce()
        if (failures > 0) log.info({ failures }, 'delivery states written again')
        failures = 0
      } catch (err) {
        failures++
        if (failures === 1)
          log.warn({ err, unsaved: dirty.size }, 'delivery states not written: kept in memory')
        if (!stopped) retryLater()
      } finally {
        running = undefined
      }
    })()
    running = run
    return run
  }

  return {
    mark(d) {
      dirty.set(d.id, d)
      if (retryTimer === undefined) void flush()
    },
    get unsaved() {
      return dirty.size
    },
    async drain(timeoutMs) {
      clearTimeout(retryTimer)
      retryTimer = undefined
      let timer: NodeJS.Timeout | undefined
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs)
      })
      try {
        for (let i = 0; i < 2 && dirty.size > 0; i++) {
          await Promise.race([flush(), timeout])
          clearTimeout(retryTimer)
          retryTimer = undefined
        }
      } finally {
        clearTimeout(timer)
      }
      return dirty.size === 0
    },
    stop() {
      stopped = true
      clearTimeout(retryTimer)
      retryTimer = undefined
    },
  }
}
