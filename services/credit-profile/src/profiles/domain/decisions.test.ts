import { describe, expect, it } from 'vitest'
import { decisionId } from './decisions.js'
import { USCC, deriveAt, registered } from './testing/events.js'

describe('decision ids', () => {
  it('keep a readable id where the envelope allows it', () => {
    expect(decisionId('abn3y', USCC, 'FJ-2023.7:1')).toBe(`abn3y:${USCC}:FJ-2023.7:1`)
  })

  it.each([['闽市监异〔2023〕12号'], ['x'.repeat(120)]])(
    'hash what the envelope does not allow: %s',
    (ref) => {
      const id = decisionId('abn3y', USCC, ref)
      expect(id).toMatch(/^abn3y:91350100M000100Y43:h-[0-9a-f]{40}$/)
      expect(decisionId('abn3y', USCC, ref)).toBe(id)
    },
  )

  it('mark a listing date beyond the holiday data as provisional', () => {
    // The calendar data ends with 2026: 1 July 2027 is counted Monday–Friday.
    const d = deriveAt([registered('2025-03-01')], '2027-08-01')
    const listing = d.decisions.find((x) => x.id.endsWith(':2026'))
    expect(listing?.data).toMatchObject({ year: 2026, provisional: true })
    expect(d.profile?.abnormalListings.find((l) => l.year === 2026)?.provisional).toBe(true)
    expect(d.decisions.find((x) => x.id.endsWith(':2025'))?.data).not.toHaveProperty('provisional')
  })
})
