import { ledger as createLedger } from '@ecrs/ledger'
import { startService, type ProjectionHandle, type Service } from '@ecrs/runtime'
import type { Logger } from 'pino'
import type { Config } from './config.js'
import { obligationRoutes } from './obligations/http.js'
import { learnProducerNames, producerNames } from './producers/index.js'
import { caseLock } from './recalls/case-lock.js'
import { commandRoutes } from './recalls/commands.js'
import { projectRecalls, type CaseDeps } from './recalls/consumer.js'
import type { RecallParams } from './recalls/domain/index.js'
import { recallParams } from './params.js'
import { recallRoutes, rulesRoutes } from './recalls/http.js'
import { rulesSweep, startScheduler, timedSweep } from './recalls/scheduler.js'
import { caseStore } from './recalls/store.js'
import { switchable } from './recalls/switchable.js'
import { handOver } from './rebuild/hand-over.js'
import { casePointer } from './rebuild/pointer.js'

/** The running recall service; `app` is exposed for in-process tests. */
export type RecallService = Service<object>

/** What a caller may put in place of the defaults: the clock (time is data) and the obligation periods. */
export interface RecallOptions {
  readonly now?: () => Date
  readonly params?: RecallParams
}

/** Projects the recall topic into cases, runs the sweep, serves §7 and its commands. */
export const start = (
  config: Readonly<Config>,
  logger: Logger,
  options: RecallOptions = {},
): Promise<RecallService> =>
  startService(config, logger, {
    name: 'recall',
    openapi: { title: 'ECRS recalls', description: 'Recall cases and the obligations of producers.' },
    producer: { sendTimeoutMs: config.PRODUCE_TIMEOUT_MS, countOutcomes: true },
    async setup({ app, store, producer, topics, ops, consume, project, connectStore, onClose }) {
      const now = options.now ?? (() => new Date())
      const params = options.params ?? recallParams(config.RECALL_TEMPLATES)
      const pointer = casePointer(store, config.TOPIC_NAMESPACE)
      const cases = switchable(caseStore(store, (await pointer.read()).collection))
      // Filled once the projection is declared: the sweep asks it who owns a case.
      const live: { projection?: ProjectionHandle } = {}
      const deps: CaseDeps = {
        cases,
        producer,
        topics,
        params,
        now,
        lock: caseLock(),
        owns: (recallId) => live.projection?.owns(topics.recall, recallId) ?? false,
      }
      const projection = await project({
        pointer,
        topics: [topics.recall],
        handler: projectRecalls(deps),
        intervalMs: config.PROJECTION_CHECK_MS,
        // Hands the published record over under the case lock (no sweep meanwhile), then switches.
        switchTo: (next, from) =>
          deps.lock(async () => {
            const rebuilt = caseStore(store, next.collection)
            const handed = await handOver(
              store,
              from.collection,
              { name: next.collection, cases: rebuilt },
              now(),
            )
            cases.swap(rebuilt)
            logger.info({ collection: next.collection, handed }, 'switched to the rebuilt projection')
          }),
      })
      // The producers' names, for the public shape of a case: read from the enterprise topic.
      const names = producerNames(store)
      await consume({
        groupId: `${config.TOPIC_NAMESPACE}.recall.producer-names`,
        topics: [topics.enterprise],
        handler: learnProducerNames(names),
      })
      live.projection = projection
      const sweep = timedSweep(rulesSweep({ ...deps, joined: projection.joined }, logger), ops.timeRun)
      recallRoutes(app, { cases, params, now, names })
      obligationRoutes(app, { cases, params, now })
      commandRoutes(app, {
        cases,
        producer,
        topics,
        params,
        now,
        ledger: createLedger(await connectStore(config.LEDGER_DB)),
        log: logger,
        leaseMs: config.PRODUCE_TIMEOUT_MS + 2000,
      })
      rulesRoutes(app, sweep)
      const scheduler = startScheduler(sweep, config.RULES_INTERVAL_MS, logger)
      onClose(() => scheduler.stop())
      return {}
    },
  })
