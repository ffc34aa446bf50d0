export { dispatcher, type Dispatcher, type DispatcherDeps } from './dispatcher.js'
export { webhookBody } from './docs.js'
export { parseDurationMs, parseSchedule, retryDelay } from './schedule.js'
export { signedHeaders, type WebhookHeaders } from './sign.js'
export {
  deliveryId,
  deliveryStore,
  type DeliveryDoc,
  type DeliveryState,
  type DeliveryStore,
} from './store.js'
export {
  addressProblem,
  pinnedLookup,
  urlGuard,
  urlProblem,
  type CheckedTarget,
  type ResolvedAddress,
  type Resolver,
  type UrlGuard,
  type UrlGuardOptions,
  type UrlRefusal,
} from './url-guard.js'
export { deliverySettings, type DeliverySettings } from './settings.js'
