import { projectionPointer, type ProjectionPointer, type Store } from '@ecrs/store'

/**
 * The live cases: `cases` fed by `<ns>.recall.cases` until a rebuild (`npm run rebuild -- recall`)
 * points elsewhere (see service.ts for the switch and hand-over.ts for what is handed over).
 */
export const casePointer = (store: Store, namespace: string): ProjectionPointer =>
  projectionPointer(store, { collection: 'cases', groupId: `${namespace}.recall.cases` })
