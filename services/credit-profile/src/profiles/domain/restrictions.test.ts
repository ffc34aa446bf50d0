import { describe, expect, it } from 'vitest'
import { LISTING_MEASURES } from './restrictions.js'
import { USCC, deriveAt, ev, filed, isoOf, profileAt, registered } from './testing/events.js'

const base = [
  registered('2020-05-10'),
  ...[2020, 2021, 2022, 2023, 2024].map((y) => filed(y, `${y + 1}-03-01T10:00:00+08:00`)),
]
const abnormal = ev('abnormal-list.entered', '2023-03-01T10:00:00+08:00', {
  listingId: 'A-1',
  reason: 'unreachable-at-address',
})
const serious = ev('serious-list.entered', '2023-06-01T10:00:00+08:00', {
  listingId: 'S-1',
  basis: 'false-registration',
})
const ref = (e: { source: string; id: string }) => ({ source: e.source, id: e.id })

describe('restrictions (rule 7)', () => {
  it('are none without a listing', () => {
    expect(profileAt(base, '2024-01-01').restrictions).toEqual([])
  })

  it('apply the five measures while any listing is active, since the earliest', () => {
    const r = profileAt([...base, abnormal, serious], '2024-01-01').restrictions
    const since = isoOf('2023-03-01T10:00:00+08:00')
    expect(r.filter((x) => x.measure !== 'legal-representative-ban')).toEqual(
      LISTING_MEASURES.map((measure) => ({ measure, since, because: [ref(abnormal), ref(serious)] })),
    )
  })

  it('ban the legal representative for three years whatever happens to the listing', () => {
    const application = ev(
      'credit-repair.applied',
      '2024-05-01T10:00:00+08:00',
      { repairId: 'R-1', target: { kind: 'serious-listing', ref: 'S-1' } },
      { source: `firm:${USCC}` },
    )
    const repaired = ev('credit-repair.decided', '2024-06-10T10:00:00+08:00', {
      repairId: 'R-1',
      decision: 'approved',
    })
    const history = [...base, serious, application, repaired]
    const ban = {
      measure: 'legal-representative-ban',
      since: isoOf('2023-06-01T10:00:00+08:00'),
      until: isoOf('2026-06-02T00:00:00+08:00'),
      because: [ref(serious)],
    }
    const d = deriveAt(history, '2025-01-01')
    expect(d.profile?.seriousListings[0]?.removalReason).toBe('credit-repair')
    expect(d.profile?.restrictions).toEqual([ban])
    expect(profileAt(history, '2026-06-01T23:59:59+08:00').restrictions).toEqual([ban])
    expect(profileAt(history, '2026-06-02T00:00:00+08:00').restrictions).toEqual([])
  })

  it('lift the five measures when the last listing goes', () => {
    const removed = ev('abnormal-list.removed', '2023-05-01T10:00:00+08:00', { listingId: 'A-1' })
    expect(profileAt([...base, abnormal, removed], '2023-06-01').restrictions).toEqual([])
  })
})
