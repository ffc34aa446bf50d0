export { subscriptionRoutes, type SubscriptionRouteDeps } from './http.js'
export { subscriptionStore, type SubscriptionStore } from './store.js'
export type { DeliveryDesk, DeliveryListing, DeliveryStatus } from './desk.js'
export {
  contentFor,
  entryFor,
  isOwnedBy,
  ownerOf,
  rotateSecrets,
  signingSecrets,
  type Owner,
  type SigningSecret,
  type Subscription,
  type SubscriptionStatus,
  type SubscriptionView,
} from './domain.js'
export { subscriptionErrors } from './errors.js'
export { newSecret, newSubscriptionId } from './ids.js'
