/**
 * The system's own decisions (contract §6, "What the system decides itself"): deterministic ids and
 * their record in the fold.
 */
import { createHash } from 'node:crypto'
import { iso } from './order.js'
import type { FoldState } from './state.js'
import type { RuleDecision } from './types.js'

// The envelope's id alphabet and length (contract §3).
const EVENT_ID = /^[A-Za-z0-9._:-]{1,128}$/

/**
 * A deterministic event id `<prefix>:<uscc>:<ref>`. Agency listing ids may hold characters the
 * envelope does not allow (Chinese decision numbers) or be long; those are replaced by a hash, which
 * is as deterministic.
 */
export const decisionId = (prefix: string, uscc: string, ref: string): string => {
  const id = `${prefix}:${uscc}:${ref}`
  if (EVENT_ID.test(id)) return id
  return `${prefix}:${uscc}:h-${createHash('sha256').update(ref).digest('hex').slice(0, 40)}`
}

/** Records a decision the system takes at `at`. */
export const decide = (
  s: FoldState,
  id: string,
  type: RuleDecision['type'],
  at: number,
  data: Record<string, unknown>,
): void => {
  s.decisions.push({ id, type, subject: s.uscc, time: iso(at), data })
}

/** When the system learned of its decision: from its `ecrs.rules` event, else the trigger instant. */
export const decisionRecordedAt = (s: FoldState, id: string, at: number): string =>
  s.publishedDecisions.get(id)?.recordedAt ?? iso(at)
