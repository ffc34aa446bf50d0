import type { Collection } from 'mongodb'
import type { Store } from '@ecrs/store'

/**
 * Which collection holds the live cases and which consumer group feeds it. A rebuild fills a new
 * collection from the start of the recall topic with a new group, then points here; the running
 * service notices and switches (see service.ts), continuing from the rebuild's offsets.
 */
export interface ActiveProjection {
  _id: 'projection'
  collection: string
  groupId: string
  since: Date
}

/** The projection of a service that was never rebuilt. */
export const defaultProjection = (namespace: string): Omit<ActiveProjection, 'since'> => ({
  _id: 'projection',
  collection: 'cases',
  groupId: `${namespace}.recall.cases`,
})

const pointers = (store: Store): Collection<ActiveProjection> => store.db.collection('projection_pointer')

/** The live projection: the pointer if a rebuild wrote one, else the default. */
export const readActive = async (store: Store, namespace: string): Promise<Omit<ActiveProjection, 'since'>> =>
  (await pointers(store).findOne({ _id: 'projection' })) ?? defaultProjection(namespace)

/** Points the service at a rebuilt collection and its group. */
export const writeActive = async (
  store: Store,
  p: { collection: string; groupId: string },
): Promise<void> => {
  await store.write(() =>
    pointers(store).replaceOne({ _id: 'projection' }, { ...p, since: new Date() }, { upsert: true }),
  )
}
