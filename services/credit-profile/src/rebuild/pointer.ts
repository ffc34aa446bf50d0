import { projectionPointer, type ProjectionPointer, type Store } from '@ecrs/store'

/**
 * The live profiles: `enterprises` fed by `<ns>.credit-profile.projection` until a rebuild
 * (`npm run rebuild -- credit-profile`) points elsewhere (see service.ts for the switch).
 */
export const profilePointer = (store: Store, namespace: string): ProjectionPointer =>
  projectionPointer(store, { collection: 'enterprises', groupId: `${namespace}.credit-profile.projection` })
