/** The rosters (执法检查人员名录库): one document per inspector, `_id` = `agency|inspectorId`. */
import type { Store } from '@ecrs/store'
import type { Collection } from 'mongodb'

export interface Inspector {
  agency: string
  inspectorId: string
  name: string
  region: string
  active: boolean
  updatedAt: string
}

interface InspectorDoc extends Inspector {
  _id: string
}

export interface RosterStore {
  /** Creates or replaces an inspector; true when it was created. */
  put(inspector: Inspector): Promise<boolean>
  /** An agency's inspectors, by inspectorId. */
  ofAgency(agency: string): Promise<Inspector[]>
}

// Agency ids never hold `|`, so the first one ends the agency.
const idOf = (agency: string, inspectorId: string): string => `${agency}|${inspectorId}`

export const rosterStore = async (store: Store): Promise<RosterStore> => {
  const inspectors: Collection<InspectorDoc> = store.db.collection<InspectorDoc>('inspectors')
  await store.db.createCollection('inspectors').catch(() => undefined)
  return {
    put: async (i) => {
      const r = await store.write(() =>
        inspectors.replaceOne({ _id: idOf(i.agency, i.inspectorId) }, { ...i }, { upsert: true }),
      )
      return r.upsertedCount > 0
    },
    ofAgency: async (agency) => {
      const docs = await inspectors.find({ agency }, { projection: { _id: 0 } }).toArray()
      return docs
        .map(({ agency: a, inspectorId, name, region, active, updatedAt }) => ({
          agency: a,
          inspectorId,
          name,
          region,
          active,
          updatedAt,
        }))
        .sort((x, y) => (x.inspectorId < y.inspectorId ? -1 : x.inspectorId > y.inspectorId ? 1 : 0))
    },
  }
}
