import { startService, type Service } from '@ecrs/runtime'
import type { Logger } from 'pino'
import type { Config } from './config.js'
import { deliverySettings, dispatcher as createDispatcher, urlGuard } from './delivery/index.js'
import { feedHandler } from './feed/consumer.js'
import { feedRoutes } from './feed/http.js'
import { feedStore } from './feed/store.js'
import { subscriptionRoutes, subscriptionStore } from './subscriptions/index.js'

/** The running notify service; `app` is exposed for in-process tests. */
export type NotifyService = Service<object>

/**
 * The change feed and its subscriptions (§8): the changes topic becomes the feed, each entry a
 * delivery per matching subscription, sent by the dispatcher.
 */
export const start = (config: Readonly<Config>, logger: Logger): Promise<NotifyService> =>
  startService(config, logger, {
    name: 'notify',
    openapi: {
      title: 'ECRS change feed and subscriptions',
      description:
        'What changed in credit profiles, as a feed and as signed webhooks (Standard Webhooks) to subscribers.',
    },
    async setup({ app, store, topics, consume, onClose }) {
      const settings = deliverySettings(config)
      const guard = urlGuard({ production: settings.production })
      const subscriptions = await subscriptionStore(store)
      const deliveries = createDispatcher({
        store,
        subscriptions,
        guard,
        log: logger,
        metrics: app.metrics,
        retryScheduleMs: settings.retryScheduleMs,
        timeoutMs: settings.timeoutMs,
        receiverConcurrency: settings.receiverConcurrency,
        concurrency: settings.concurrency,
      })
      await deliveries.start()
      // Background: stopped first; entries the consumer records after that stay pending in the store.
      onClose(() => deliveries.stop())
      const feed = await feedStore(store, { now: () => new Date() })
      // Entries a crash left written but not yet visible: visible now, their deliveries ensured.
      await feed.recover(deliveries)
      await consume({
        groupId: `${config.TOPIC_NAMESPACE}.notify.feed`,
        topics: [topics.changes],
        handler: feedHandler(feed, deliveries),
        lag: true,
      })
      feedRoutes(app, { feed, heartbeatMs: config.NOTIFY_SSE_HEARTBEAT_MS })
      subscriptionRoutes(app, {
        subscriptions,
        deliveries,
        guard,
        secretOverlapMs: settings.secretOverlapMs,
      })
      return {}
    },
  })
