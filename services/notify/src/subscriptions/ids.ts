import { randomBytes } from 'node:crypto'

/** A fresh subscription id: `sub_` and 16 random bytes, base64url. */
export const newSubscriptionId = (): string => `sub_${randomBytes(16).toString('base64url')}`

/** A fresh Standard Webhooks secret: `whsec_` and 32 random bytes, base64 (contract §8: 24+ bytes). */
export const newSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`
