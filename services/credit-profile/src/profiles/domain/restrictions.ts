/**
 * Joint punishment (contract §6 rule 7; 条例 Arts. 17–18, 市场主体登记管理条例 Art. 33).
 */
import { addYearsPeriodEnd } from '@ecrs/contracts'
import { iso } from './order.js'
import type { FoldState } from './state.js'
import type { RestrictionView } from './types.js'

/** The measures in force while any abnormal or serious listing is active. */
export const LISTING_MEASURES = [
  'government-procurement',
  'bidding',
  'land-transfer',
  'honours',
  'simplified-deregistration',
] as const

/** When the legal-representative ban of a serious listing listed at `listedAt` ends. */
export const banEndsAt = (s: FoldState, listedAt: number): number =>
  addYearsPeriodEnd(new Date(listedAt), s.params.listing.legalRepresentativeBanYears).getTime()

/** The restrictions in force at asOf. */
export const restrictionsAt = (s: FoldState): RestrictionView[] => {
  const active = [...s.abnormal.values(), ...s.serious.values()]
    .filter((l) => l.removedAt === undefined)
    .sort((a, b) => a.listedAt - b.listedAt)
  const out: RestrictionView[] = []
  const first = active[0]
  if (first !== undefined) {
    const because = active.map((l) => l.ref)
    for (const measure of LISTING_MEASURES) out.push({ measure, since: iso(first.listedAt), because })
  }
  // The ban runs its three years whatever happens to the listing (repair, expiry).
  const serious = [...s.serious.values()].sort((a, b) => a.listedAt - b.listedAt)
  for (const l of serious) {
    const until = banEndsAt(s, l.listedAt)
    if (until > s.asOf) {
      out.push({
        measure: 'legal-representative-ban',
        since: iso(l.listedAt),
        until: iso(until),
        because: [l.ref],
      })
    }
  }
  return out
}
