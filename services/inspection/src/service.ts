import { startService, type Service } from '@ecrs/runtime'
import type { Logger } from 'pino'
import { settingsOf, type Config } from './config.js'
import { changesHandler, inspectionsHandler } from './register/consumer.js'
import { registerStore } from './register/store.js'
import { rosterRoutes } from './rosters/http.js'
import { rosterStore } from './rosters/store.js'
import { taskRoutes } from './tasks/http.js'
import { publicTaskRoutes } from './tasks/public-http.js'
import { taskStore } from './tasks/store.js'

/** The running inspection service; `app` is exposed for in-process tests. */
export type InspectionService = Service<object>

/**
 * Random inspections, 双随机、一公开 (§9): the register from credit-profile's change records, the
 * rosters, tasks with verifiable draws, results from `inspection.recorded`, and the public view.
 */
export const start = (config: Readonly<Config>, logger: Logger): Promise<InspectionService> => {
  // Before any connection: a bad INSPECTION_RATIOS refuses the start with its reason.
  const settings = settingsOf(config)
  const now = () => new Date()
  return startService(config, logger, {
    name: 'inspection',
    openapi: {
      title: 'ECRS random inspections (双随机、一公开)',
      description:
        'Inspector rosters, random-inspection tasks with verifiable draws (risk-class ratios, 回避), results from inspection events, and the public disclosure of plans, draws and results.',
    },
    async setup({ app, store, topics, consume }) {
      const register = await registerStore(store)
      const rosters = await rosterStore(store)
      const tasks = await taskStore(store, now)
      await consume({
        groupId: `${config.TOPIC_NAMESPACE}.inspection.register`,
        topics: [topics.changes],
        handler: changesHandler(register),
        lag: true,
      })
      await consume({
        groupId: `${config.TOPIC_NAMESPACE}.inspection.results`,
        topics: [topics.enterprise],
        handler: inspectionsHandler(register, tasks),
      })
      rosterRoutes(app, { rosters, now })
      taskRoutes(app, {
        tasks,
        register,
        rosters,
        leaseMs: settings.drawLeaseMs,
        threads: settings.drawThreads,
        now,
        ratios: settings.ratios,
      })
      publicTaskRoutes(app, { tasks })
      return {}
    },
  })
}
