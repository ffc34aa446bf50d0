import type { CaseStore } from './store.js'

/** A CaseStore whose target can be swapped at run time (after a rebuild). */
export interface SwitchableCaseStore extends CaseStore {
  swap(next: CaseStore): void
}

/** Forwards every call to the store in place at the time of the call. */
export const switchable = (initial: CaseStore): SwitchableCaseStore => {
  let current = initial
  return {
    swap: (next) => {
      current = next
    },
    get: (recallId) => current.get(recallId),
    save: (doc) => current.save(doc),
    dueIds: (now) => current.dueIds(now),
    list: (filter, limit, cursor) => current.list(filter, limit, cursor),
    ofProducer: (uscc) => current.ofProducer(uscc),
    published: () => current.published(),
  }
}
