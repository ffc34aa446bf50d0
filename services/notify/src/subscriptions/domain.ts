/**
 * Subscriptions (contract §8) as data and pure rules: who owns one, which entries it matches, what
 * a firm may ask for, which secrets sign. No store, no HTTP: ids, secrets and time are parameters.
 */
import { FIRM_HIDDEN_KINDS, isValidUscc, type ChangeKind } from '@ecrs/contracts'
import type { Principal } from '@ecrs/http'
import type { FeedEntry } from '../types.js'

export type SubscriptionStatus = 'active' | 'paused'

/** A signing secret; one without `notAfter` is the current one, the others were rotated out. */
export interface SigningSecret {
  readonly secret: string
  readonly notAfter?: Date
}

/** Who may own a subscription: the roles that read the change feed. */
export type Owner =
  | { readonly role: 'agency'; readonly sub: string; readonly agency: string }
  | { readonly role: 'regulator'; readonly sub: string }
  | { readonly role: 'firm'; readonly sub: string; readonly uscc: string }

/** A subscription as stored (`_id` = its id). */
export interface Subscription {
  readonly _id: string
  readonly owner: Owner
  readonly url: string
  /** Any of these kinds; empty = every kind. */
  readonly kinds: readonly ChangeKind[]
  /** Only these enterprises; absent = every enterprise. A firm's is always its own uscc. */
  readonly usccs?: readonly string[]
  /** Only enterprises whose region starts with this. */
  readonly region?: string
  readonly description?: string
  readonly status: SubscriptionStatus
  readonly secrets: readonly SigningSecret[]
  readonly createdAt: Date
  readonly updatedAt: Date
}

/** The owner a principal stands for, or undefined for those who may not subscribe (admin, public). */
export const ownerOf = (p: Principal): Owner | undefined => {
  switch (p.kind) {
    case 'agency':
      return { role: 'agency', sub: p.sub, agency: p.agency }
    case 'regulator':
      return { role: 'regulator', sub: p.sub }
    case 'firm':
      return { role: 'firm', sub: p.sub, uscc: p.uscc }
    case 'admin':
    case 'public':
      return undefined
  }
}

/**
 * The caller owns the subscription: the same `sub` claim, and the same role (a firm: the same
 * uscc), so that a token of another kind with a colliding `sub` never edits what it could not create.
 */
export const isOwnedBy = (s: Pick<Subscription, 'owner'>, p: Principal): boolean => {
  const o = ownerOf(p)
  if (o === undefined || o.sub !== s.owner.sub || o.role !== s.owner.role) return false
  return o.role !== 'firm' || (s.owner.role === 'firm' && s.owner.uscc === o.uscc)
}

/** Why a firm's or anyone's `usccs` is refused: `forbidden` (403) or `invalid` (400, with the index). */
export type UsccsProblem =
  { readonly kind: 'forbidden'; readonly uscc: string } | { readonly kind: 'invalid'; readonly index: number }

/**
 * The `usccs` a subscription gets from what was asked: a firm gets its own uscc, and may name no
 * other; others get the list as given (every code valid), or none (every enterprise) when absent.
 */
export const usccsFor = (
  owner: Owner,
  asked: readonly string[] | undefined | null,
): { ok: true; usccs: readonly string[] | undefined } | { ok: false; problem: UsccsProblem } => {
  const list = asked ?? undefined
  if (list !== undefined) {
    const bad = list.findIndex((u) => !isValidUscc(u))
    if (bad >= 0) return { ok: false, problem: { kind: 'invalid', index: bad } }
  }
  if (owner.role === 'firm') {
    const other = list?.find((u) => u !== owner.uscc)
    if (other !== undefined) return { ok: false, problem: { kind: 'forbidden', uscc: other } }
    return { ok: true, usccs: [owner.uscc] }
  }
  return { ok: true, usccs: list }
}

/** The secrets that sign at `now`: the current one first, then those rotated out less than the overlap ago. */
export const signingSecrets = (secrets: readonly SigningSecret[], now: Date): string[] =>
  secrets.filter((s) => s.notAfter === undefined || s.notAfter > now).map((s) => s.secret)

/**
 * The secrets after a rotation at `now`: `fresh` becomes current, the others sign until `now +
 * overlapMs` at most (an earlier end stays), and those past their end are dropped.
 */
export const rotateSecrets = (
  secrets: readonly SigningSecret[],
  fresh: string,
  now: Date,
  overlapMs: number,
): SigningSecret[] => {
  const end = new Date(now.getTime() + overlapMs)
  const kept = secrets
    .filter((s) => s.notAfter === undefined || s.notAfter > now)
    .map((s) => ({
      secret: s.secret,
      notAfter: s.notAfter !== undefined && s.notAfter < end ? s.notAfter : end,
    }))
  return [{ secret: fresh }, ...kept]
}

/**
 * What one subscription is sent of an entry: the entry when it matches (uscc, region prefix, any of
 * the kinds), without the kinds a firm is never shown; undefined when nothing is left to send.
 */
export const entryFor = (
  s: Pick<Subscription, 'owner' | 'kinds' | 'usccs' | 'region'>,
  entry: FeedEntry,
): FeedEntry | undefined =>
  s.usccs !== undefined && !s.usccs.includes(entry.uscc) ? undefined : contentFor(s, entry)

/**
 * {@link entryFor} for a subscription already known to want `entry.uscc` (an index found it by
 * uscc, or it names none): the region, the kinds and the firm's rules are checked here.
 */
export const contentFor = (
  s: Pick<Subscription, 'owner' | 'kinds' | 'region'>,
  entry: FeedEntry,
): FeedEntry | undefined => {
  if (s.owner.role === 'firm' && entry.uscc !== s.owner.uscc) return undefined
  if (s.region !== undefined && !entry.region.startsWith(s.region)) return undefined
  const changes =
    s.owner.role === 'firm' ? entry.changes.filter((c) => !FIRM_HIDDEN_KINDS.has(c.kind)) : entry.changes
  if (changes.length === 0) return undefined
  if (s.kinds.length > 0 && !changes.some((c) => s.kinds.includes(c.kind))) return undefined
  return changes.length === entry.changes.length ? entry : { ...entry, changes }
}

/** What the API shows of a subscription: everything but the secrets and the owner's claims. */
export interface SubscriptionView {
  id: string
  url: string
  kinds: ChangeKind[]
  usccs?: string[]
  region?: string
  description?: string
  status: SubscriptionStatus
  createdAt: string
  updatedAt: string
}

export const viewOf = (s: Subscription): SubscriptionView => ({
  id: s._id,
  url: s.url,
  kinds: [...s.kinds],
  ...(s.usccs === undefined ? {} : { usccs: [...s.usccs] }),
  ...(s.region === undefined ? {} : { region: s.region }),
  ...(s.description === undefined ? {} : { description: s.description }),
  status: s.status,
  createdAt: s.createdAt.toISOString(),
  updatedAt: s.updatedAt.toISOString(),
})
