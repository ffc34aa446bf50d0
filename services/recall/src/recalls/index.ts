/** The recalls slice as other slices see it: the case store and the domain's views. */
export { eventsOf, type CaseDoc, type CaseStore } from './store.js'
export { recallErrors } from './errors.js'
export {
  derive,
  obligationItems,
  type ObligationItem,
  type ObligationStatus,
  type RecallParams,
} from './domain/index.js'
