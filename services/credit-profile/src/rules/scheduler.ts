import { untilJoined } from '@ecrs/runtime'
import type { RunTrigger } from '@ecrs/http'
import type { Logger } from 'pino'
import type { Projector } from '../profiles/projector.js'
import type { ProfileStore } from '../profiles/store.js'

/**
 * Runs the rules over time: profiles whose `nextChangeAt` has come are reprojected (publicity
 * ends, listings expire, deadlines pass), which publishes the decisions due. `runAll` does every
 * enterprise (POST /v1/admin/rules:run).
 */
export interface RulesRunner {
  runDue(): Promise<string[]>
  runAll(): Promise<string[]>
  start(intervalMs: number): void
  stop(): Promise<void>
}

export const rulesRunner = (deps: {
  profiles: ProfileStore
  projector: Projector
  now: () => Date
  log: Logger
  /** Wraps each run, e.g. to time it (`opsMetrics(...).timeRun`). */
  timeRun?: (trigger: RunTrigger, run: () => Promise<string[]>) => Promise<readonly unknown[]>
  /**
   * Whether this instance owns an enterprise now (its partition is assigned to this instance's
   * consumer). Several instances share the work: each runs the rules over the enterprises it owns,
   * in the same turn as its consumer, so that no two write one profile. Default: all.
   */
  owns?: (uscc: string) => boolean
  /** Resolves once this instance may own anything (its consumer joined); runs wait for it. */
  joined?: Promise<void>
}): RulesRunner => {
  const owns = deps.owns ?? (() => true)
  // A run that comes before the consumer joined waits for it (up to a minute), or for the stop.
  const whenJoined = () => untilJoined(deps.joined, { stopped })
  // Stopping ends a wait for the join at once (what runs then finds it owns nothing).
  let markStopped: () => void = () => undefined
  const stopped = new Promise<void>((resolve) => {
    markStopped = resolve
  })
  const timed = (trigger: RunTrigger, run: () => Promise<string[]>) => async (): Promise<string[]> => {
    if (!deps.timeRun) return run()
    let ids: string[] = []
    await deps.timeRun(trigger, async () => (ids = await run()))
    return ids
  }
  let timer: NodeJS.Timeout | undefined
  let running: Promise<unknown> = Promise.resolve()
  const batch = 200

  const over = async (ids: string[]): Promise<string[]> =>
    deps.projector.apply(new Map(ids.filter(owns).map((id) => [id, []])), owns)

  const runDue = async (): Promise<string[]> => {
    await whenJoined()
    const published: string[] = []
    const now = deps.now()
    let after: string | undefined
    for (;;) {
      // By `_id`: those another instance owns stay due here, and are passed over.
      const due = await deps.profiles.due(now, batch, after)
      if (due.length === 0) return published
      published.push(...(await over(due)))
      if (due.length < batch) return published
      after = due[due.length - 1]
    }
  }

  const runAll = async (): Promise<string[]> => {
    await whenJoined()
    const published: string[] = []
    let after: string | undefined
    for (;;) {
      const ids = await deps.profiles.all(after, batch)
      if (ids.length === 0) return published
      published.push(...(await over(ids)))
      after = ids[ids.length - 1]
    }
  }

  // One run at a time: a slow run is never overlapped by the next tick.
  const serialized = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = running.then(fn, fn)
    running = next.catch(() => undefined)
    return next
  }

  return {
    runDue: () => serialized(timed('scheduler', runDue)),
    runAll: () => serialized(timed('admin', runAll)),
    start(intervalMs) {
      if (intervalMs <= 0) return
      timer = setInterval(() => {
        const started = Date.now()
        serialized(timed('scheduler', runDue))
          .then((ids) => {
            if (ids.length > 0)
              deps.log.info({ published: ids.length, ms: Date.now() - started }, 'rules run')
          })
          .catch((err: unknown) => deps.log.warn({ err }, 'rules run failed'))
      }, intervalMs)
      timer.unref()
    },
    async stop() {
      clearInterval(timer)
      markStopped()
      await running
    },
  }
}
