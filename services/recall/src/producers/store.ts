import type { Collection } from 'mongodb'
import type { Store } from '@ecrs/store'

/**
 * The name of an enterprise as the enterprise topic last gave it (`enterprise.registered`, or an
 * `enterprise.changed` that names it), by effective time: a back-dated change does not overwrite a
 * later one. `_id` is the USCC.
 */
export interface ProducerName {
  _id: string
  name: string
  /** Effective time of the event that gave the name (RFC 3339). */
  time: string
  /** `source/id` of that event, for provenance. */
  event: string
}

export interface ProducerNames {
  /** Keeps `next` unless the stored name has a later effective time. */
  put(next: ProducerName): Promise<void>
  /** Names of the given USCCs that are known (unknown ones are absent from the map). */
  namesOf(usccs: Iterable<string>): Promise<Map<string, string>>
}

/** The producers' names in the recall service's store (collection `producer_names`). */
export const producerNames = (store: Store): ProducerNames => {
  const names: Collection<ProducerName> = store.db.collection('producer_names')
  return {
    async put(next) {
      const prev = await names.findOne({ _id: next._id })
      if (prev !== null && Date.parse(prev.time) > Date.parse(next.time)) return
      if (prev !== null && prev.name === next.name && prev.time === next.time) return
      const { _id, ...rest } = next
      await store.write(() => names.replaceOne({ _id }, rest, { upsert: true }))
    },
    async namesOf(usccs) {
      // One `_id` lookup each: the only query the local stand-in answers from an index.
      const ids = [...new Set(usccs)]
      const found = await Promise.all(ids.map((id) => names.findOne({ _id: id })))
      return new Map(found.flatMap((d) => (d === null ? [] : [[d._id, d.name] as const])))
    },
  }
}
