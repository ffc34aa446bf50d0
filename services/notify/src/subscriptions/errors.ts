import { codedError } from '@ecrs/http'

/** The error codes of subscriptions (contract §8). */
export const subscriptionErrors = {
  SUBSCRIPTION_NOT_FOUND: codedError('SUBSCRIPTION_NOT_FOUND', 404, 'no subscription %s'),
  DELIVERY_NOT_FOUND: codedError('DELIVERY_NOT_FOUND', 404, 'subscription %s has no delivery %s'),
  SUBSCRIPTION_URL_INVALID: codedError('SUBSCRIPTION_URL_INVALID', 400, 'invalid webhook URL: %s'),
  SUBSCRIPTION_URL_FORBIDDEN: codedError('SUBSCRIPTION_URL_FORBIDDEN', 400, 'webhook URL not allowed: %s'),
  CURSOR_INVALID: codedError('QUERY_INVALID', 400, 'cursor is not one this service gave out'),
} as const
