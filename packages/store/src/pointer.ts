import type { Collection } from 'mongodb'
import type { Store } from './index.js'

/** Which collection holds a service's live projection and which consumer group feeds it. */
export interface ActiveProjection {
  collection: string
  groupId: string
}

/** The pointer of a projection, in the service's `projection_pointer` collection. */
export interface ProjectionPointer {
  /** The live projection: the pointer if a rebuild wrote one, else `defaults`. */
  read(): Promise<ActiveProjection>
  /** Points the service at a rebuilt collection and its group (the service switches by itself). */
  write(p: ActiveProjection): Promise<void>
}

interface PointerDoc extends ActiveProjection {
  _id: 'projection'
  since: Date
}

/**
 * A rebuild fills a new collection from the start of the topic with a new group, then writes this
 * pointer; the running service reads it every few seconds, switches and continues from the
 * rebuild's offsets. A service that was never rebuilt uses `defaults`.
 */
export const projectionPointer = (store: Store, defaults: ActiveProjection): ProjectionPointer => {
  const pointers: Collection<PointerDoc> = store.db.collection('projection_pointer')
  return {
    async read() {
      const doc = await pointers.findOne({ _id: 'projection' })
      return doc === null ? defaults : { collection: doc.collection, groupId: doc.groupId }
    },
    async write(p) {
      await store.write(() =>
        pointers.replaceOne(
          { _id: 'projection' },
          { collection: p.collection, groupId: p.groupId, since: new Date() },
          { upsert: true },
        ),
      )
    },
  }
}
