import { untilJoined } from '@ecrs/runtime'
import type { RunTrigger } from '@ecrs/http'
import type { Logger } from 'pino'
import type { CaseDeps } from './consumer.js'
import { settle } from './settle.js'
import { eventsOf } from './store.js'

/** Re-derives cases at now and publishes what time alone changed; answers the decision ids published. */
export type RulesSweep = (which: 'due' | 'all') => Promise<string[]>

/**
 * The rules sweep: for each case whose `nextChangeAt` has passed (or every case), derive again at
 * now, publish new decisions (overdue obligations, mostly) and changed outcomes, and write the case.
 * A decision is published once: its id is remembered in the case, and the ids are deterministic.
 */
export const rulesSweep =
  (deps: CaseDeps, log: Logger): RulesSweep =>
  async (which) => {
    await untilJoined(deps.joined)
    const owns = deps.owns ?? (() => true)
    const ids = (await deps.cases.dueIds(which === 'all' ? 'all' : deps.now())).filter(owns)
    const published: string[] = []
    for (const recallId of ids) {
      await deps.lock(async () => {
        // Asked again under the lock: a rebalance may have taken the case away meanwhile.
        if (!owns(recallId)) return
        const prev = await deps.cases.get(recallId)
        if (prev === null) return
        const s = settle(prev, recallId, eventsOf(prev), deps.now(), deps)
        if (!s.changed) return
        await deps.producer.send(s.records)
        // Another process won the race: it published the same ids; the next sweep looks again.
        if (!(await deps.cases.save(s.doc))) log.warn({ recallId }, 'case changed during the sweep')
        else published.push(...s.published)
      })
    }
    if (published.length > 0) log.info({ cases: ids.length, published: published.length }, 'rules swept')
    return published
  }

/**
 * A sweep whose runs go through `timeRun` (e.g. `opsMetrics(...).timeRun`): the timer's sweeps of
 * due cases as `scheduler`, `POST /v1/admin/rules:run`'s sweeps of every case as `admin`.
 */
export const timedSweep =
  (
    sweep: RulesSweep,
    timeRun: (trigger: RunTrigger, run: () => Promise<string[]>) => Promise<readonly unknown[]>,
  ): RulesSweep =>
  async (which) => {
    let ids: string[] = []
    await timeRun(which === 'due' ? 'scheduler' : 'admin', async () => (ids = await sweep(which)))
    return ids
  }

/** A running timer of sweeps. */
export interface Scheduler {
  /** Stops the timer and waits for the sweep in hand. */
  stop(): Promise<void>
}

/** Sweeps due cases every `intervalMs` (none when 0); a failed sweep is logged and the next one tries again. */
export const startScheduler = (sweep: RulesSweep, intervalMs: number, log: Logger): Scheduler => {
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> | undefined
  let stopped = false
  const tick = (): void => {
    running = sweep('due')
      .then(() => undefined)
      .catch((err: unknown) => log.warn({ err }, 'rules sweep failed'))
      .finally(() => {
        running = undefined
        if (!stopped) timer = setTimeout(tick, intervalMs)
      })
  }
  if (intervalMs > 0) timer = setTimeout(tick, intervalMs)
  return {
    stop: async () => {
      stopped = true
      clearTimeout(timer)
      await running
    },
  }
}
