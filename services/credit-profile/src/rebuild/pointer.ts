import type { Collection } from 'mongodb'
import type { Store } from '@ecrs/store'

/**
 * Which collection holds the live profiles and which consumer group feeds it. A rebuild fills a
 * new collection from the start of the topic with a new group, then points here; the running
 * service notices and switches (see service.ts), continuing from the rebuild's offsets.
 */
export interface ActiveProjection {
  _id: 'projection'
  collection: string
  groupId: string
  since: Date
}

export const defaultProjection = (namespace: string): Omit<ActiveProjection, 'since'> => ({
  _id: 'projection',
  collection: 'enterprises',
  groupId: `${namespace}.credit-profile.projection`,
})

const pointers = (store: Store): Collection<ActiveProjection> => store.db.collection('projection_pointer')

export const readActive = async (store: Store, namespace: string): Promise<Omit<ActiveProjection, 'since'>> =>
  (await pointers(store).findOne({ _id: 'projection' })) ?? defaultProjection(namespace)

export const writeActive = async (
  store: Store,
  p: { collection: string; groupId: string },
): Promise<void> => {
  await store.write(() =>
    pointers(store).replaceOne({ _id: 'projection' }, { ...p, since: new Date() }, { upsert: true }),
  )
}
