import { describe, expect, it } from 'vitest'
import { defaultProfileParams } from './params.js'
import { USCC, deriveAt, ev, filed, isoOf, registered } from './testing/events.js'

const reg = registered('2021-05-10')
const systemListing = `ar-missing:${USCC}:2022`
const base = [reg, filed(2021, '2022-03-01T10:00:00+08:00')]
const agencyListing = ev('abnormal-list.entered', '2023-03-01T10:00:00+08:00', {
  listingId: 'FJ-1',
  reason: 'false-information',
})
const removal = (listingId: string, source: string) =>
  ev('abnormal-list.removed', '2023-09-01T10:00:00+08:00', { listingId, reason: 'cured' }, { source })

describe('abnormal-list removal', () => {
  it.each([
    ['the listing agency its own listing', 'FJ-1', 'samr.fj', defaultProfileParams, undefined],
    ['another agency an agency listing', 'FJ-1', 'samr.xm', defaultProfileParams, 'NOT_LISTING_AGENCY'],
    ['any agency a system listing', systemListing, 'samr.xm', defaultProfileParams, undefined],
    ['a firm a system listing', systemListing, `firm:${USCC}`, defaultProfileParams, 'NOT_LISTING_AGENCY'],
    [
      'a registration authority a system listing',
      systemListing,
      'samr.fj',
      { ...defaultProfileParams, registrationAuthorities: ['samr.fj'] },
      undefined,
    ],
    [
      'another agency a system listing when authorities are configured',
      systemListing,
      'samr.xm',
      { ...defaultProfileParams, registrationAuthorities: ['samr.fj'] },
      'NOT_LISTING_AGENCY',
    ],
    ['anyone an unknown listing', 'FJ-404', 'samr.fj', defaultProfileParams, 'LISTING_NOT_FOUND'],
  ])('lets %s: %s', (_, listingId, source, params, reason) => {
    const removed = removal(listingId, source)
    const d = deriveAt([...base, agencyListing, removed], '2023-10-01', params)
    expect(d.outcomes.get(`${source}/${removed.id}`)).toEqual(
      reason === undefined ? { status: 'applied' } : { status: 'rejected', reason },
    )
    const listing = d.profile?.abnormalListings.find((l) => l.listingId === listingId)
    if (reason === undefined) {
      expect(listing).toMatchObject({
        active: false,
        removedAt: isoOf('2023-09-01T10:00:00+08:00'),
        removalReason: 'cured',
      })
    }
  })

  it('refuses a second removal', () => {
    const first = removal('FJ-1', 'samr.fj')
    const second = ev('abnormal-list.removed', '2023-09-02T10:00:00+08:00', { listingId: 'FJ-1' })
    const d = deriveAt([...base, agencyListing, first, second], '2023-10-01')
    expect(d.outcomes.get(`samr.fj/${second.id}`)?.reason).toBe('LISTING_ALREADY_REMOVED')
  })

  it('refuses a removal that comes before the system listing in event time', () => {
    const early = ev('abnormal-list.removed', '2023-07-02T10:00:00+08:00', { listingId: systemListing })
    const d = deriveAt([...base, early], '2023-10-01')
    expect(d.outcomes.get(`samr.fj/${early.id}`)?.reason).toBe('LISTING_NOT_FOUND')
  })
})

describe('entity keys of listings', () => {
  it('refuses a listing id used before, in either list', () => {
    const again = ev('serious-list.entered', '2023-04-01T10:00:00+08:00', {
      listingId: 'FJ-1',
      basis: 'false-registration',
    })
    const d = deriveAt([...base, agencyListing, again], '2023-10-01')
    expect(d.outcomes.get(`samr.fj/${again.id}`)).toEqual({ status: 'rejected', reason: 'DUPLICATE_ENTITY' })
  })

  it('keeps one active listing per missing year', () => {
    const listing = (listingId: string, time: string) =>
      ev('abnormal-list.entered', time, { listingId, reason: 'annual-report-not-filed', year: 2022 })
    const first = listing('FJ-A', '2023-07-05T10:00:00+08:00')
    const second = listing('FJ-B', '2023-07-06T10:00:00+08:00')
    const d = deriveAt([...base, first, second], '2023-10-01')
    expect(d.outcomes.get(`samr.fj/${second.id}`)?.reason).toBe('DUPLICATE_ENTITY')
    expect(d.profile?.abnormalListings.map((l) => l.listingId)).toEqual(['FJ-A'])
  })
})

describe('serious listings on a penalty', () => {
  it('refuses one on a penalty already revoked', () => {
    const decided = ev('penalty.decided', '2023-01-10T10:00:00+08:00', {
      decisionNo: 'P-1',
      measures: ['closure'],
      domain: 'food',
    })
    const revoked = ev('penalty.revoked', '2023-02-01T10:00:00+08:00', { decisionNo: 'P-1' })
    const listed = ev('serious-list.entered', '2023-03-01T10:00:00+08:00', {
      listingId: 'S-1',
      basis: 'heavier-penalty',
      decisionNo: 'P-1',
    })
    const d = deriveAt([...base, decided, revoked, listed], '2023-04-01')
    expect(d.outcomes.get(`samr.fj/${listed.id}`)?.reason).toBe('PENALTY_REVOKED')
  })
})
