/**
 * What changed in an enterprise's full profile (contract §8), as the change feed reports it: the
 * profile stored before an update against the one after, both "at now" of their projection, so the
 * changes of time alone since the last write (publicity ends, listings expire, bans run out) are
 * caught with those of the new events. Pure: `now` and the times of the update's new events are
 * parameters.
 *
 * A change's `time` is the instant the fact itself names (listedAt, removedAt, since, the end of
 * publicity, the due instant of an obligation, the registration and deregistration events); a change
 * without one (a risk class, a recall's publication, a restatement) takes the latest instant of the
 * update: of the dated changes of the same diff and of the update's new events, or `now` when there
 * is none (a refresh by time alone).
 *
 * What appears already over (a back-dated listing whose removal is also known, a penalty whose
 * publicity has already ended) is reported for its whole life as the profile keeps the row: listed
 * and removed, published and ended. What the profile shows only while it lasts (a restriction, an
 * overdue obligation, the risk class) is reported only as it is seen: one that began and ended
 * between two projections left no trace in either and makes no change.
 */
import { CHANGE_KINDS, type Change } from '@ecrs/contracts'
import {
  abnormalChanges,
  ms,
  penaltyChanges,
  recallChanges,
  restrictionChanges,
  seriousChanges,
  statusChanges,
  type Collect,
  type ProfileFacts,
} from './fact-changes.js'
import type { Derivation } from './types.js'

export { overdueOnly, VOIDED_REASON, type ProfileFacts } from './fact-changes.js'

/** The changes of one enterprise that took effect at one instant. */
export interface ChangeGroup {
  /** ISO instant. */
  readonly time: string
  readonly changes: readonly Change[]
}

/** What the comparison knows of the update beside the two profiles. */
export interface ChangeContext {
  readonly now: Date
  /** The times of the events new to this update (duplicates excluded), RFC 3339. */
  readonly eventTimes: readonly string[]
}

/** The new side of a comparison from a derivation; undefined while not registered. */
export const profileFacts = (d: Derivation): ProfileFacts | undefined =>
  d.profile === undefined
    ? undefined
    : {
        profile: d.profile,
        obligations: d.obligations,
        ...(d.registeredTime === undefined ? {} : { registeredTime: d.registeredTime }),
      }

/** A change and its own instant (epoch ms), or none: it then takes the update's latest instant. */
interface Found {
  readonly change: Change
  readonly at?: number
}

/**
 * The changes from `before` (undefined: no profile yet, so everything present is new) to `after`,
 * grouped by the instant they took effect, in time order; empty when nothing of §8 changed.
 */
export const profileChanges = (
  before: ProfileFacts | undefined,
  after: ProfileFacts | undefined,
  ctx: ChangeContext,
): ChangeGroup[] => {
  if (after === undefined) return []
  const found: Found[] = []
  const collect: Collect = (change, at) => {
    const n = ms(at)
    found.push(n === undefined ? { change } : { change, at: n })
  }
  statusChanges(before, after, collect)
  abnormalChanges(before?.profile.abnormalListings ?? [], after.profile.abnormalListings, collect)
  seriousChanges(before?.profile.seriousListings ?? [], after.profile.seriousListings, collect)
  restrictionChanges(before?.profile, after.profile, ctx.now, collect)
  penaltyChanges(before?.profile.penalties ?? [], after.profile.penalties, collect)
  recallChanges(before, after, collect)
  const riskBefore = before?.profile.risk.class ?? null
  if (riskBefore !== after.profile.risk.class) {
    collect({ kind: 'risk-class-changed', from: riskBefore, to: after.profile.risk.class })
  }
  return group(found, latestInstant(found, ctx))
}

// The update's latest instant: of its dated changes and its new events (not those after now, which
// the fold has not applied yet), or now.
const latestInstant = (found: readonly Found[], ctx: ChangeContext): number => {
  const now = ctx.now.getTime()
  const candidates = [
    ...found.flatMap((f) => (f.at === undefined ? [] : [f.at])),
    ...ctx.eventTimes.flatMap((t) => {
      const n = ms(t)
      return n === undefined || n > now ? [] : [n]
    }),
  ]
  return candidates.length === 0 ? now : Math.max(...candidates)
}

// The order of §8's list, the risk class last (it sums up the rest).
const KIND_ORDER: ReadonlyMap<string, number> = new Map(
  [...CHANGE_KINDS.filter((k) => k !== 'risk-class-changed'), 'risk-class-changed'].map((k, i) => [k, i]),
)

// One group per instant, in time order; within one, by kind (a listing before its removal at the
// same instant, the risk class last), then as found.
const group = (found: readonly Found[], fallback: number): ChangeGroup[] => {
  const byTime = new Map<number, Change[]>()
  for (const f of found) {
    const at = f.at ?? fallback
    const list = byTime.get(at) ?? []
    list.push(f.change)
    byTime.set(at, list)
  }
  return [...byTime.entries()]
    .sort(([a], [b]) => a - b)
    .map(([at, changes]) => ({
      time: new Date(at).toISOString(),
      changes: changes
        .map((c, i) => ({ c, i }))
        .sort((x, y) => (KIND_ORDER.get(x.c.kind) ?? 0) - (KIND_ORDER.get(y.c.kind) ?? 0) || x.i - y.i)
        .map((x) => x.c),
    }))
}
