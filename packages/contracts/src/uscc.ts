/**
 * Unified Social Credit Code (统一社会信用代码, GB 32100-2015): shape and check characters.
 * See domain-rules.md §11 and rules R37/R40.
 */

/** The 31 characters a USCC may contain (no I, O, Z, S, V); a character's value is its index. */
export const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY'

// Weights 3^(i-1) mod 31 for positions 1..17.
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const

// GB 11714 organisation-code weights for the 8 body characters (positions 9–16 of a USCC).
const ORG_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2] as const

const USCC_SHAPE = /^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$/
const FIRST_17_SHAPE = /^[0-9A-HJ-NPQRTUWXY]{17}$/
const ORG_BODY_SHAPE = /^[0-9A-Z]{8}$/

/** Options of {@link isValidUscc}. */
export interface UsccCheckOptions {
  /**
   * Also verify position 17, the organisation-code check character (strict mode, R40). Off by
   * default: some legacy codes were issued with a position 17 that fails this check.
   */
  readonly checkOrgCode?: boolean
}

/**
 * Tells whether `code` is a well-formed USCC: 18 characters of {@link USCC_CHARSET}, positions 3–8
 * digits, a correct position-18 check character, and, with `checkOrgCode`, a correct position-17
 * organisation-code check character. Upper case only: callers that accept lower case normalise first.
 */
export function isValidUscc(code: string, opts: UsccCheckOptions = {}): boolean {
  if (!USCC_SHAPE.test(code)) return false
  if (usccCheckCharacter(code.slice(0, 17)) !== code[17]) return false
  if (opts.checkOrgCode === true && orgCodeCheckCharacter(code.slice(8, 16)) !== code[16]) return false
  return true
}

/**
 * The position-18 check character for the first 17 characters of a USCC.
 *
 * @throws RangeError when `first17` is not 17 characters of {@link USCC_CHARSET} (a programmer error).
 */
export function usccCheckCharacter(first17: string): string {
  if (!FIRST_17_SHAPE.test(first17)) throw new RangeError('usccCheckCharacter needs 17 USCC characters')
  let sum = 0
  for (let i = 0; i < 17; i++) sum += USCC_CHARSET.indexOf(first17.charAt(i)) * (USCC_WEIGHTS[i] ?? 0)
  return USCC_CHARSET.charAt((31 - (sum % 31)) % 31)
}

/**
 * The GB 11714 organisation-code check character (USCC position 17) for the 8 body characters
 * (USCC positions 9–16). Letters count in the full Latin alphabet here (A=10 … Z=35), not in the
 * USCC table.
 *
 * @throws RangeError when `body8` is not 8 characters of 0–9 and A–Z (a programmer error).
 */
export function orgCodeCheckCharacter(body8: string): string {
  if (!ORG_BODY_SHAPE.test(body8)) throw new RangeError('orgCodeCheckCharacter needs 8 characters 0-9/A-Z')
  let sum = 0
  for (let i = 0; i < 8; i++) sum += parseInt(body8.charAt(i), 36) * (ORG_CODE_WEIGHTS[i] ?? 0)
  const check = 11 - (sum % 11)
  return check === 10 ? 'X' : check === 11 ? '0' : String(check)
}
