import type { Topics } from '@ecrs/contracts'
import { projectionPointer, type ProjectionPointer, type Store } from '@ecrs/store'

/**
 * The live statistics of §10: `stats_*` collections fed by `<ns>.ingest.stats` until a rebuild
 * (`npm run rebuild -- ingest-stats`) points elsewhere.
 */
export const statsPointer = (store: Store, namespace: string): ProjectionPointer =>
  projectionPointer(store, { collection: 'stats', groupId: `${namespace}.ingest.stats` })

/** What the statistics fold: every event (both event topics) and every outcome. */
export const statsTopics = (topics: Topics): string[] => [topics.enterprise, topics.recall, topics.outcomes]
