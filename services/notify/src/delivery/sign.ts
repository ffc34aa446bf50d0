/**
 * Standard Webhooks signatures (contract §8), made by the `standardwebhooks` library itself so that
 * its `Webhook.verify` — what receivers use — accepts them by construction.
 */
import { Webhook } from 'standardwebhooks'

/** The headers that carry a delivery's identity and signatures. */
// A type, not an interface: it is passed where a header record is expected.
export type WebhookHeaders = {
  readonly 'webhook-id': string
  readonly 'webhook-timestamp': string
  readonly 'webhook-signature': string
}

/**
 * Signs `body` as message `id` sent at `at` with every secret that signs now (the current one first,
 * then a rotated-out one while it overlaps): `v1,<sig>` each, separated by a space.
 */
export const signedHeaders = (
  secrets: readonly string[],
  id: string,
  at: Date,
  body: string,
): WebhookHeaders => {
  if (secrets.length === 0) throw new Error(`no secret signs message ${id}`)
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': secrets.map((s) => new Webhook(s).sign(id, at, body)).join(' '),
  }
}
