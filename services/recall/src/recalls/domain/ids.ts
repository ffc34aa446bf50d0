/**
 * Deterministic ids for obligations and decisions: the same history always names the same things, so
 * a rebuild, a replay or a second sweep republishes under the same ids and nothing counts twice.
 */
import { createHash } from 'node:crypto'
import type { ObligationKind } from './types.js'

// The envelope's id rule (contract §3). recallIds may be Chinese or long, so decision ids built from
// them do not always fit; those fall back to a digest.
const ENVELOPE_ID = /^[A-Za-z0-9._:-]{1,128}$/

// The catalogue's bound on a `data` id such as obligationId (contracts' MAX_ID_LENGTH, not exported).
const MAX_ID_LENGTH = 128

const digest = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 40)

/**
 * `<recallId>:<kind>:<n>` (n from 1 per kind), or with a digest of the recallId in its place when the
 * result would pass the 128 characters of a `data` id.
 */
export const obligationId = (recallId: string, kind: ObligationKind, n: number): string => {
  const natural = `${recallId}:${kind}:${n}`
  return natural.length <= MAX_ID_LENGTH ? natural : `h-${digest(recallId)}:${kind}:${n}`
}

/**
 * `<prefix>:<key>` when that is a valid envelope id, else `<prefix>-h:<digest of key>`. The two forms
 * differ in their prefix, so a digest never equals a natural id.
 */
export const decisionId = (prefix: 'overdue' | 'fulfilled' | 'voided' | 'status', key: string): string => {
  const natural = `${prefix}:${key}`
  return ENVELOPE_ID.test(natural) ? natural : `${prefix}-h:${digest(key)}`
}

/**
 * The key of the `generation`-th decision about one thing (an obligation, a step's status): the thing
 * itself for the first, `<key>:g<n>` for later ones. Keys end in a digit or `:g<n>`, so no later
 * generation's key equals another thing's first.
 */
export const generationKey = (key: string, generation: number): string =>
  generation === 1 ? key : `${key}:g${generation}`
