import type { Logger } from 'pino'
import { contentFor, type Subscription, type SubscriptionStore } from '../subscriptions/index.js'
import type { FeedEntry } from '../types.js'

/** The subscriptions in memory, indexed by the enterprises they name, for matching entries fast. */
export interface SubscriptionIndex {
  get(id: string): Subscription | undefined
  set(s: Subscription): void
  remove(id: string): void
  ids(): IterableIterator<string>
  /** Every subscription (active or paused) that wants `entry`, with what it is sent of it. */
  matching(entry: FeedEntry): { readonly subscription: Subscription; readonly entry: FeedEntry }[]
}

/**
 * An index of subscriptions by uscc: an entry is looked at only by the subscriptions that name its
 * enterprise or name none, so matching costs the candidates, not every subscription × its usccs.
 */
export const subscriptionIndex = (): SubscriptionIndex => {
  const subs = new Map<string, Subscription>()
  const byUscc = new Map<string, Set<string>>()
  const anyUscc = new Set<string>()

  const unindex = (s: Subscription) => {
    if (s.usccs === undefined) anyUscc.delete(s._id)
    else
      for (const u of s.usccs) {
        const set = byUscc.get(u)
        set?.delete(s._id)
        if (set?.size === 0) byUscc.delete(u)
      }
  }

  return {
    get: (id) => subs.get(id),
    set(s) {
      const old = subs.get(s._id)
      if (old !== undefined) unindex(old)
      subs.set(s._id, s)
      if (s.usccs === undefined) anyUscc.add(s._id)
      else
        for (const u of s.usccs) {
          let set = byUscc.get(u)
          if (set === undefined) byUscc.set(u, (set = new Set()))
          set.add(s._id)
        }
    },
    remove(id) {
      const old = subs.get(id)
      if (old === undefined) return
      unindex(old)
      subs.delete(id)
    },
    ids: () => subs.keys(),
    matching(entry) {
      const found: { subscription: Subscription; entry: FeedEntry }[] = []
      for (const ids of [byUscc.get(entry.uscc), anyUscc]) {
        for (const id of ids ?? []) {
          const subscription = subs.get(id)
          const sent = subscription === undefined ? undefined : contentFor(subscription, entry)
          if (subscription !== undefined && sent !== undefined) found.push({ subscription, entry: sent })
        }
      }
      return found
    },
  }
}

/** The subscriptions in memory, kept up to date with the store. */
export interface SubscriptionCache {
  readonly index: SubscriptionIndex
  /** Reads every subscription, once (again after a failure). */
  load(): Promise<void>
  /** Reads one subscription again (this process changed it, or deleted it). */
  refresh(id: string): Promise<void>
  /** Forgets a subscription at once (it was deleted). */
  forget(id: string): void
  /** Reads what changed since: every stamp, then the changed subscriptions by `_id`. */
  reload(): Promise<void>
}

/**
 * Subscriptions are read whole once, then by `_id` when this process changes one, and by their
 * `updatedAt` stamps now and then for what other processes changed. `changed` hears of every
 * subscription set or removed (`gone`), so that its deliveries are looked at again.
 */
export const subscriptionCache = (
  store: SubscriptionStore,
  log: Logger,
  changed: (id: string, gone: boolean) => void,
): SubscriptionCache => {
  const index = subscriptionIndex()
  const stamps = new Map<string, number>()

  const apply = (id: string, s: Subscription | null): void => {
    if (s === null) {
      index.remove(id)
      stamps.delete(id)
      changed(id, true)
      return
    }
    index.set(s)
    stamps.set(id, s.updatedAt.getTime())
    changed(id, false)
  }

  let loaded: Promise<void> | undefined
  const load = (): Promise<void> => {
    loaded ??= (async () => {
      for (const s of await store.all()) apply(s._id, s)
    })().catch((err: unknown) => {
      loaded = undefined
      throw err
    })
    return loaded
  }

  let reloading: Promise<void> | undefined
  return {
    index,
    load,
    async refresh(id) {
      await load()
      apply(id, await store.get(id))
    },
    forget: (id) => apply(id, null),
    reload() {
      reloading ??= (async () => {
        try {
          const fresh = await store.stamps()
          for (const id of [...index.ids()]) if (!fresh.has(id)) apply(id, null)
          for (const [id, stamp] of fresh) if (stamps.get(id) !== stamp) apply(id, await store.get(id))
        } catch (err) {
          log.warn({ err }, 'subscriptions not read again: the store did not answer')
        } finally {
          reloading = undefined
        }
      })()
      return reloading
    },
  }
}
