import { describe, it, expect } from 'vitest'
import { USCC_CHARSET, isValidUscc, orgCodeCheckCharacter, usccCheckCharacter } from './uscc.js'

// domain-rules.md §11.4: valid in both modes.
const VECTORS = [
  '91350100M000100Y43',
  '9144030071526726XG',
  '914403001922038216',
  '91330100716105852F',
  '91110000802100433B',
  '911100001000054748',
]

describe('isValidUscc', () => {
  it.each(VECTORS)('accepts %s leniently and strictly', (code) => {
    expect(isValidUscc(code)).toBe(true)
    expect(isValidUscc(code, { checkOrgCode: false })).toBe(true)
    expect(isValidUscc(code, { checkOrgCode: true })).toBe(true)
  })

  it.each(VECTORS)('rejects every single-character change of %s, in both modes', (code) => {
    let mutations = 0
    for (let pos = 0; pos < code.length; pos++) {
      for (const c of USCC_CHARSET) {
        if (c === code[pos]) continue
        const mutated = code.slice(0, pos) + c + code.slice(pos + 1)
        expect(isValidUscc(mutated), mutated).toBe(false)
        expect(isValidUscc(mutated, { checkOrgCode: true }), mutated).toBe(false)
        mutations++
      }
    }
    expect(mutations).toBe(18 * 30)
  })

  it('rejects lower case', () => {
    expect(isValidUscc('9144030071526726xg')).toBe(false)
    expect(isValidUscc('91350100m000100y43')).toBe(false)
  })

  it.each([
    '',
    '9',
    '91350100M000100Y4',
    '91350100M000100Y433',
    ' 91350100M000100Y43',
    '91350100M000100Y43\n',
  ])('rejects the wrong length or padding: %j', (code) => {
    expect(isValidUscc(code)).toBe(false)
  })

  it.each(['I', 'O', 'Z', 'S', 'V'])('rejects the excluded character %s', (c) => {
    expect(isValidUscc(`91350100M000100${c}43`)).toBe(false)
    expect(isValidUscc(`${c}1350100M000100Y43`)).toBe(false)
    // Even with a check character computed as if the character were allowed.
    expect(isValidUscc(`9135010${c}M000100Y43`)).toBe(false)
  })

  it('rejects a letter in positions 3–8 even with a matching check character', () => {
    for (let pos = 2; pos < 8; pos++) {
      const first17 = '91350100M000100Y4'
      const mutated17 = first17.slice(0, pos) + 'A' + first17.slice(pos + 1)
      // The check character itself is computable: only the shape rule rejects the code.
      const code = mutated17 + usccCheckCharacter(mutated17)
      expect(isValidUscc(code), code).toBe(false)
    }
  })

  it('accepts a wrong position 17 leniently but not strictly', () => {
    const first17 = '91350100M000100Y5' // the organisation-code check character is 4
    const code = first17 + usccCheckCharacter(first17)
    expect(isValidUscc(code)).toBe(true)
    expect(isValidUscc(code, { checkOrgCode: true })).toBe(false)
  })

  it('rejects non-ASCII look-alikes', () => {
    expect(isValidUscc('９1350100M000100Y43')).toBe(false)
    expect(isValidUscc('91350100Ｍ000100Y43')).toBe(false)
  })
})

describe('usccCheckCharacter', () => {
  it.each(VECTORS)('computes the last character of %s', (code) => {
    expect(usccCheckCharacter(code.slice(0, 17))).toBe(code[17])
  })

  it("maps a sum divisible by 31 to '0', not to index 31", () => {
    // Σ value × weight = 1054 = 34 × 31 for these 17 characters.
    expect(usccCheckCharacter('9111000010000547N')).toBe('0')
    expect(isValidUscc('9111000010000547N0')).toBe(true)
  })

  it('throws a RangeError for input that is not 17 USCC characters', () => {
    expect(() => usccCheckCharacter('9135010')).toThrow(RangeError)
    expect(() => usccCheckCharacter('91350100M000100YI')).toThrow(RangeError)
  })
})

describe('orgCodeCheckCharacter', () => {
  it.each([
    ['M000100Y', '4'],
    ['71526726', 'X'],
    ['19220382', '1'],
  ])('computes %s → %s (domain-rules §11.4)', (body, check) => {
    expect(orgCodeCheckCharacter(body)).toBe(check)
  })

  it("maps a check value of 11 to '0'", () => {
    // 00000000 sums to 0 → 11 − 0 = 11 → '0'.
    expect(orgCodeCheckCharacter('00000000')).toBe('0')
  })
})
