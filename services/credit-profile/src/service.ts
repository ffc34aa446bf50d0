import { startService, type Service } from '@ecrs/runtime'
import type { Logger } from 'pino'
import type { Config } from './config.js'
import { projectEnterpriseEvents } from './profiles/consumer.js'
import { profileParams } from './params.js'
import { profileErrors, profileRoutes } from './profiles/http.js'
import { busyError, readGate } from './profiles/read-gate.js'
import { projector as createProjector } from './profiles/projector.js'
import { profileStore } from './profiles/store.js'
import { rulesRoutes } from './rules/http.js'
import { rulesRunner } from './rules/scheduler.js'
import { profilePointer } from './rebuild/pointer.js'
import { switchable } from './profiles/switchable.js'

/** The running credit-profile service; `app` is exposed for in-process tests. */
export type CreditProfileService = Service<object>

/** Projects the enterprise topic, runs the rules, serves §6. */
export const start = (config: Readonly<Config>, logger: Logger): Promise<CreditProfileService> =>
  startService(config, logger, {
    name: 'credit-profile',
    openapi: {
      title: 'ECRS credit profiles',
      description: 'Credit profiles of enterprises for regulators, firms and the public.',
    },
    producer: { countOutcomes: true },
    async setup({ app, store, producer, topics, ops, project, onClose }) {
      const pointer = profilePointer(store, config.TOPIC_NAMESPACE)
      const profiles = switchable(await profileStore(store, (await pointer.read()).collection))
      const now = () => new Date()
      const params = profileParams(config.PROFILE_PARAMS)
      const projector = createProjector({ profiles, producer, params, topics, now, log: logger })
      const projection = await project({
        pointer,
        topics: [topics.enterprise],
        handler: projectEnterpriseEvents(projector),
        intervalMs: config.PROJECTION_CHECK_MS,
        switchTo: async (next) => profiles.swap(await profileStore(store, next.collection)),
      })
      const rules = rulesRunner({
        profiles,
        projector,
        now,
        log: logger,
        timeRun: ops.timeRun,
        owns: (uscc) => projection.owns(topics.enterprise, uscc),
        joined: projection.joined,
      })
      rules.start(config.RULES_INTERVAL_MS)
      onClose(() => rules.stop())
      const gate = readGate({
        concurrency: config.READS_CONCURRENCY,
        queue: config.READS_QUEUE,
        cacheMs: config.READS_CACHE_MS,
        busy: busyError(profileErrors.READS_BUSY, 1),
      })
      profileRoutes(app, { profiles, params, now, gate })
      rulesRoutes(app, rules)
      return {}
    },
  })
