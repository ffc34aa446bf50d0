import type { Topics } from '@ecrs/contracts'
import type { Producer } from '@ecrs/kafka'
import type { Logger } from 'pino'
import type { ProfileParams } from './domain/index.js'
import { emptyDoc, reproject, type Projection } from './project.js'
import type { ProfileStore, StoredEvent } from './store.js'

/** Reprojects enterprises: publish what changed, then write the document (one writer per version). */
export interface Projector {
  /**
   * Applies new events of several enterprises at once; returns the decisions published. `only`,
   * asked in this process's turn right before the reads, leaves out the enterprises it refuses
   * (the rules skip those another instance owns).
   */
  apply(
    freshByUscc: ReadonlyMap<string, readonly StoredEvent[]>,
    only?: (uscc: string) => boolean,
  ): Promise<string[]>
}

export const projector = (deps: {
  profiles: ProfileStore
  producer: Producer
  params: ProfileParams
  topics: Topics
  now: () => Date
  log: Logger
}): Projector => {
  // The consumer and the rules runner take turns: one reprojection of an enterprise at a time in
  // this process (the stored version guards against other processes on MongoDB).
  let turn: Promise<unknown> = Promise.resolve()
  const apply = async (
    freshByUscc: ReadonlyMap<string, readonly StoredEvent[]>,
    only: (uscc: string) => boolean,
  ): Promise<string[]> => {
    const published: string[] = []
    let pending = [...freshByUscc.keys()].filter(only)
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 5)
        throw new Error(`enterprises kept changing under us: ${pending.slice(0, 5).join(', ')}`)
      const now = deps.now()
      // Reads in parallel (the driver pipelines them over its pool), one findOne by `_id` each:
      // the only lookup the SQLite stand-in answers from an index, whatever the collection's size.
      const prevs = await Promise.all(pending.map((uscc) => deps.profiles.get(uscc)))
      const work = pending.map((uscc, i): { p: Projection; expected: number } => {
        const prev = prevs[i] ?? emptyDoc(uscc, now)
        return {
          p: reproject(prev, freshByUscc.get(uscc) ?? [], now, deps.params, deps.topics),
          expected: prev.version,
        }
      })
      // Published before the write: after a crash the same records go out again (deterministic
      // ids, consumers deduplicate); written before publishing, a crash would lose them. The change
      // records go with them. On a version conflict (two processes on MongoDB) this attempt's are
      // out already: the retry compares with what the other writer stored and published, so it adds
      // only what that did not say; what this attempt said beyond it stays in the feed.
      await deps.producer.send(work.flatMap((w) => [...w.p.records, ...w.p.changes]))
      // Issued together: the store writes them in order, new documents in one insert.
      const written = await Promise.all(work.map((w) => deps.profiles.put(w.p.doc, w.expected)))
      const retry: string[] = []
      work.forEach((w, i) => {
        if (written[i]) published.push(...w.p.decisions)
        else retry.push(w.p.doc._id)
      })
      if (retry.length > 0) deps.log.debug({ retry: retry.length }, 'version conflict, reprojecting')
      pending = retry
    }
    return published
  }
  return {
    apply(freshByUscc, only = () => true) {
      const run = turn.then(() => apply(freshByUscc, only))
      turn = run.catch(() => undefined)
      return run
    },
  }
}
