import type { Change } from '@ecrs/contracts'
import { describe, expect, it } from 'vitest'
import type { FeedEntry } from '../types.js'
import { entryFor, isOwnedBy, ownerOf, usccsFor, type Owner, type Subscription } from './domain.js'

// Valid codes (check characters by GB 32100), and one with a wrong check character.
const FIRM = '91110000100000001W'
const OTHER = '911100001000000020'
const BAD = '91110000100000001X'

const entry = (over: Partial<FeedEntry> & { changes: Change[] }): FeedEntry => ({
  seq: '000000000001',
  uscc: FIRM,
  name: 'Acme',
  region: '110105',
  enterpriseKind: 'company',
  time: '2025-07-01T00:00:00.000Z',
  recordedAt: '2025-07-01T00:00:01.000Z',
  ...over,
})
const risk: Change = { kind: 'risk-class-changed', from: 'A', to: 'C' }
const listed: Change = { kind: 'abnormal-listed', listingId: 'L1', reason: 'no annual report' }
const registered: Change = { kind: 'registered' }

const agency: Owner = { role: 'agency', sub: 'u1', agency: 'samr.bj' }
const firm: Owner = { role: 'firm', sub: 'f1', uscc: FIRM }
const sub = (owner: Owner, over: Partial<Pick<Subscription, 'kinds' | 'usccs' | 'region'>> = {}) => ({
  owner,
  kinds: [],
  ...over,
})

describe('entryFor: what one subscription is sent of an entry', () => {
  it.each([
    ['every entry for no filters', sub(agency), entry({ changes: [risk] }), true],
    ['its usccs', sub(agency, { usccs: [OTHER] }), entry({ changes: [listed] }), false],
    ['its usccs (hit)', sub(agency, { usccs: [OTHER, FIRM] }), entry({ changes: [listed] }), true],
    ['a region prefix', sub(agency, { region: '1101' }), entry({ changes: [listed] }), true],
    ['another region', sub(agency, { region: '3101' }), entry({ changes: [listed] }), false],
    [
      'any of the kinds',
      sub(agency, { kinds: ['registered', 'abnormal-listed'] }),
      entry({ changes: [risk, listed] }),
      true,
    ],
    ['none of the kinds', sub(agency, { kinds: ['registered'] }), entry({ changes: [risk, listed] }), false],
  ])('%s', (_what, s, e, sent) => {
    expect(entryFor(s, e) !== undefined).toBe(sent)
  })

  it('an agency gets the entry whole', () => {
    const e = entry({ changes: [risk, listed] })
    expect(entryFor(sub(agency, { kinds: ['abnormal-listed'] }), e)).toBe(e)
  })

  it('a firm never gets risk-class-changed; an entry left without changes is not sent', () => {
    expect(entryFor(sub(firm), entry({ changes: [risk] }))).toBeUndefined()
    expect(entryFor(sub(firm), entry({ changes: [risk, listed] }))?.changes).toEqual([listed])
    expect(
      entryFor(sub(firm, { kinds: ['risk-class-changed'] }), entry({ changes: [risk, listed] })),
    ).toBeUndefined()
    expect(
      entryFor(sub(firm, { kinds: ['registered'] }), entry({ changes: [registered, risk] }))?.changes,
    ).toEqual([registered])
  })

  it('a firm never gets another enterprise, whatever its usccs say', () => {
    expect(entryFor(sub(firm, { usccs: [OTHER] }), entry({ uscc: OTHER, changes: [listed] }))).toBeUndefined()
  })
})

describe('usccsFor', () => {
  it('gives a firm its own uscc and refuses any other', () => {
    expect(usccsFor(firm, undefined)).toEqual({ ok: true, usccs: [FIRM] })
    expect(usccsFor(firm, null)).toEqual({ ok: true, usccs: [FIRM] })
    expect(usccsFor(firm, [FIRM])).toEqual({ ok: true, usccs: [FIRM] })
    expect(usccsFor(firm, [FIRM, OTHER])).toEqual({ ok: false, problem: { kind: 'forbidden', uscc: OTHER } })
  })

  it('checks every code (check character too) and names the first bad one', () => {
    expect(usccsFor(agency, [FIRM, OTHER])).toEqual({ ok: true, usccs: [FIRM, OTHER] })
    expect(usccsFor(agency, undefined)).toEqual({ ok: true, usccs: undefined })
    expect(usccsFor(agency, [FIRM, BAD])).toEqual({ ok: false, problem: { kind: 'invalid', index: 1 } })
    expect(usccsFor(firm, [BAD])).toMatchObject({ ok: false, problem: { kind: 'invalid' } })
  })
})

describe('ownership', () => {
  it('is the sub claim with the same role (and, for a firm, the same uscc)', () => {
    const s = { owner: agency }
    expect(isOwnedBy(s, { kind: 'agency', sub: 'u1', agency: 'samr.bj' })).toBe(true)
    expect(isOwnedBy(s, { kind: 'agency', sub: 'u2', agency: 'samr.bj' })).toBe(false)
    expect(isOwnedBy(s, { kind: 'regulator', sub: 'u1' })).toBe(false)
    expect(isOwnedBy({ owner: firm }, { kind: 'firm', sub: 'f1', uscc: OTHER })).toBe(false)
    expect(isOwnedBy({ owner: firm }, { kind: 'firm', sub: 'f1', uscc: FIRM })).toBe(true)
    expect(isOwnedBy(s, { kind: 'public' })).toBe(false)
  })

  it('admins and the public own nothing', () => {
    expect(ownerOf({ kind: 'admin', sub: 'a' })).toBeUndefined()
    expect(ownerOf({ kind: 'public' })).toBeUndefined()
  })
})
