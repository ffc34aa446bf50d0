import type { ProfileStore } from './store.js'

/** A ProfileStore whose target can be swapped at run time (after a rebuild). */
export interface SwitchableProfileStore extends ProfileStore {
  swap(next: ProfileStore): void
}

export const switchable = (initial: ProfileStore): SwitchableProfileStore => {
  let current = initial
  return {
    swap: (next) => {
      current = next
    },
    get: (uscc) => current.get(uscc),
    put: (doc, v) => current.put(doc, v),
    due: (now, limit, after) => current.due(now, limit, after),
    all: (after, limit) => current.all(after, limit),
    search: (q) => current.search(q),
    stats: () => current.stats(),
  }
}
