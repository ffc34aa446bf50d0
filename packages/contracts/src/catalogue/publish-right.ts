/**
 * Who may publish what (contract.md §2): an agency as itself, a firm as `firm:<uscc>` about itself,
 * nobody as the system.
 */
import type { Envelope } from '../envelope.js'
import type { EventSpec } from './specs.js'

/** The caller of ingest, as its token describes it (contract §2). */
export type Publisher =
  | { kind: 'agency'; agency: string }
  | { kind: 'firm'; uscc: string }
  | { kind: 'regulator' }
  | { kind: 'admin' }
  | { kind: 'public' }

/** The answer of {@link publishRight}; `reason` is a short sentence fit for a 403 message. */
export type PublishRight = { ok: true } | { ok: false; reason: string }

// Sources the system publishes under; no caller may use them, whatever its role.
const RESERVED_SOURCE_PREFIX = 'ecrs.'

const refuse = (reason: string): PublishRight => ({ ok: false, reason })

/**
 * Tells whether `p` may publish `event` (already validated against `spec`). Regulators, admins and
 * anonymous callers publish nothing; `ecrs.*` sources are reserved for the system; an agency
 * publishes as its own `source` the types that list `agency`; a firm publishes as `firm:<its uscc>`,
 * about itself, the types that list `firm`.
 */
export const publishRight = (p: Publisher, event: Envelope, spec: EventSpec): PublishRight => {
  switch (p.kind) {
    case 'regulator':
    case 'admin':
    case 'public':
      return refuse(`A ${p.kind === 'public' ? 'caller without a token' : p.kind} may not publish events.`)
    case 'agency':
    case 'firm':
      break
  }
  if (event.source.startsWith(RESERVED_SOURCE_PREFIX)) {
    return refuse(`Sources starting with '${RESERVED_SOURCE_PREFIX}' are reserved for the system.`)
  }
  if (p.kind === 'agency') {
    if (event.source !== p.agency)
      return refuse(`Agency ${p.agency} may publish only as source '${p.agency}'.`)
    if (!spec.publishers.includes('agency')) return refuse(`Agencies may not publish ${spec.type} events.`)
    return { ok: true }
  }
  const own = `firm:${p.uscc}`
  if (event.source !== own) return refuse(`A firm may publish only as source '${own}'.`)
  if (event.subject !== p.uscc) return refuse('A firm may publish only about itself (subject = its USCC).')
  if (!spec.publishers.includes('firm')) return refuse(`Firms may not publish ${spec.type} events.`)
  return { ok: true }
}
