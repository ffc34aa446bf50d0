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

/** What {@link watchPointer} needs. */
export interface PointerWatch {
  intervalMs: number
  /** The projection the service runs now. */
  current(): ActiveProjection
  /** Moves the service to `next` (stop the consumer, swap the collection, consume with its group). */
  switchTo(next: ActiveProjection): Promise<void>
  /** A failed check or switch; the next tick tries again. */
  onError(err: unknown): void
}

/**
 * Reads the pointer every `intervalMs` and, when it names another collection or group than the
 * current one, calls `switchTo` — never two at once. Answers a function that stops the watch.
 */
export const watchPointer = (pointer: ProjectionPointer, watch: PointerWatch): (() => void) => {
  let busy = false
  const timer = setInterval(() => {
    if (busy) return
    busy = true
    pointer
      .read()
      .then(async (next) => {
        const now = watch.current()
        if (next.collection === now.collection && next.groupId === now.groupId) return
        await watch.switchTo(next)
      })
      .catch((err: unknown) => watch.onError(err))
      .finally(() => {
        busy = false
      })
  }, watch.intervalMs)
  timer.unref()
  return () => clearInterval(timer)
}

/**
 * Where a rebuild starting `at` writes: `<collectionPrefix>_<stamp>` fed by `<groupPrefix>.<stamp>`,
 * the stamp to the millisecond, so two rebuilds never share a collection or a group.
 */
export const freshProjection = (
  collectionPrefix: string,
  groupPrefix: string,
  at: Date,
): ActiveProjection => {
  const stamp = at.toISOString().replace(/\D/g, '')
  return { collection: `${collectionPrefix}_${stamp}`, groupId: `${groupPrefix}.${stamp}` }
}
