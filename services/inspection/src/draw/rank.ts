/**
 * The two ranks of the draw (spec "Exact rules"): lower-case hex SHA-256 over the UTF-8 bytes of a
 * string. Ranks are equal-length hex, so plain string comparison is numeric comparison.
 */
import * as crypto from 'node:crypto'

// `crypto.hash` (Node ≥ 20.12) is one native call without a Hash object, about 2.5× faster than
// `createHash().update().digest()` for strings this short; the fallback keeps older runtimes right.
const oneShot: ((algorithm: string, data: string, encoding: 'hex') => string) | undefined =
  typeof crypto.hash === 'function' ? crypto.hash : undefined

/** Lower-case hex SHA-256 of the UTF-8 bytes of `s`. */
export const sha256hex = (s: string): string =>
  oneShot !== undefined ? oneShot('sha256', s, 'hex') : crypto.createHash('sha256').update(s).digest('hex')

/** The selection rank of an enterprise: `sha256hex(seed + ":" + taskId + ":" + uscc)`. */
export const selectionRank = (seed: string, taskId: string, uscc: string): string =>
  sha256hex(`${seed}:${taskId}:${uscc}`)

/** The assignment rank of an inspector for an enterprise: `sha256hex(seed:uscc:agency:inspectorId)`. */
export const assignmentRank = (seed: string, uscc: string, agency: string, inspectorId: string): string =>
  sha256hex(`${seed}:${uscc}:${agency}:${inspectorId}`)

/** Orders by rank, a tie (never expected) by the second key (uscc or inspectorId). */
export const compareRanked = (rankA: string, keyA: string, rankB: string, keyB: string): number =>
  rankA < rankB ? -1 : rankA > rankB ? 1 : keyA < keyB ? -1 : keyA > keyB ? 1 : 0
