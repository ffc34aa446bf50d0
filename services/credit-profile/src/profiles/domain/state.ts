/**
 * The fold's working state: what the history has established so far, in event time. Internal to the
 * domain; views.ts turns it into the profile of contract §6.
 */
import type { TimedEvent } from './order.js'
import type { ProfileParams } from './params.js'
import type { EventRef, Outcome, RuleDecision } from './types.js'

/** The source of the system's own decisions. */
export const RULES_SOURCE = 'ecrs.rules'
/** The source of what the recall service tells the credit profile. */
export const RECALL_SOURCE = 'ecrs.recall'

export interface ReportRec {
  readonly year: number
  readonly versions: { readonly filedAt: number; readonly ref: EventRef }[]
}

export interface AbnormalRec {
  readonly listingId: string
  readonly reason: string
  readonly year?: number
  readonly listedAt: number
  readonly listedBy: string
  readonly recordedAt: string
  readonly ref: EventRef
  readonly provisional?: boolean
  removedAt?: number
  removalReason?: string
}

export interface SeriousRec {
  readonly listingId: string
  readonly basis: string
  readonly decisionNo?: string
  readonly abnormalListingId?: string
  readonly listedAt: number
  readonly listedBy: string
  readonly recordedAt: string
  readonly ref: EventRef
  removedAt?: number
  removalReason?: string
}

export interface PenaltyRec {
  readonly decisionNo: string
  readonly decidedAt: number
  readonly decidedBy: string
  readonly measures: readonly string[]
  readonly domain: string
  readonly fineAmount?: number
  readonly aggravated: boolean
  readonly procedure: 'ordinary' | 'simple'
  readonly restrictionEndsAt?: string
  /** The enterprise was an individual business when decided (the lower fine threshold). */
  readonly individual: boolean
  readonly ref: EventRef
  revokedAt?: number
  repairedAt?: number
}

export interface InspectionRec {
  readonly inspectionId: string
  readonly kind: string
  readonly inspectedAt: number
  readonly agency: string
  readonly results: readonly string[]
  readonly ref: EventRef
}

export interface RepairRec {
  readonly repairId: string
  readonly targetKind: string
  readonly targetRef: string
  decided: boolean
}

export interface RecallRec {
  readonly recallId: string
  status: string
  published: boolean
  ordered: boolean
  productName?: string
  /** The first status change that said the recall was ordered (since it last said it was not). */
  orderedAt?: number
  orderedRef?: EventRef
}

/** One overdue decision about an obligation, and whether it was settled. */
export interface ObligationGeneration {
  overdue?: EventRef
  /** The due instant (the overdue event's time), epoch ms. */
  overdueAt?: number
  fulfilled: boolean
  voided: boolean
  /** When it was first fulfilled or voided (event time), epoch ms. */
  settledAt?: number
}

/** What the recall service said about one obligation, by generation (1, 2, … as it corrected itself). */
export interface ObligationRec {
  readonly recallId: string
  readonly obligationId: string
  readonly generations: Map<number, ObligationGeneration>
}

/** A rule that fires with time alone; `at` in epoch ms. */
export type Trigger =
  | { readonly kind: 'annual-report-missing'; readonly at: number; readonly year: number }
  | { readonly kind: 'abnormal-3-years'; readonly at: number; readonly listingId: string }
  | { readonly kind: 'serious-expiry'; readonly at: number; readonly listingId: string }

/** The first `enterprise.registered` of the history, known before the fold. */
export interface Registration {
  readonly at: number
  readonly registeredAt: string
  readonly year: number
  readonly kind: string
}

export interface FoldState {
  readonly uscc: string
  readonly params: ProfileParams
  readonly asOf: number
  /** Known before the fold: owed years and rule triggers hang on it. */
  readonly registration?: Registration
  readonly deregistrationAt?: number
  /** Years an agency listed for a missing report: the system adds none for them. */
  readonly agencyListedYears: ReadonlySet<number>
  /**
   * The latest generation of `recall.status-changed` per recall, instant and step (`data.step`): a
   * step's status said again is a correction, and only its last word counts.
   */
  readonly statusGenerations: ReadonlyMap<string, number>
  /** `ecrs.rules` events of the history by id, for their `recordedAt`. */
  readonly publishedDecisions: ReadonlyMap<string, TimedEvent>
  registered: boolean
  deregisteredAt?: number
  name?: string
  region?: string
  kind?: string
  registeredAt?: string
  legalRepresentative?: string
  address?: string
  readonly reports: Map<number, ReportRec>
  readonly abnormal: Map<string, AbnormalRec>
  readonly serious: Map<string, SeriousRec>
  readonly penalties: Map<string, PenaltyRec>
  readonly inspections: Map<string, InspectionRec>
  readonly repairs: Map<string, RepairRec>
  readonly recalls: Map<string, RecallRec>
  readonly obligations: Map<string, ObligationRec>
  readonly outcomes: Map<string, Outcome>
  readonly decisions: RuleDecision[]
  /** Decision ids the system would have taken but an agency's own listing took their place. */
  readonly superseded: Set<string>
  readonly triggers: Trigger[]
}

/** Records that `e` was applied. */
export const applied = (s: FoldState, e: TimedEvent): void => {
  s.outcomes.set(e.key, { status: 'applied' })
}

/** Records that `e` was not applied, and why. */
export const rejected = (s: FoldState, e: TimedEvent, reason: string): void => {
  s.outcomes.set(e.key, { status: 'rejected', reason })
}

/** Tells whether a listing id is taken by either list (one namespace per enterprise, contract §3). */
export const listingExists = (s: FoldState, listingId: string): boolean =>
  s.abnormal.has(listingId) || s.serious.has(listingId)

/** Tells whether any abnormal or serious listing is in force. */
export const anyListingActive = (s: FoldState): boolean =>
  [...s.abnormal.values(), ...s.serious.values()].some((l) => l.removedAt === undefined)

/** A string field of `data`, or undefined. */
export const text = (data: Readonly<Record<string, unknown>>, key: string): string | undefined => {
  const v = data[key]
  return typeof v === 'string' && v.length > 0 ? v : undefined
}

/** A finite number field of `data`, or undefined. */
export const numeric = (data: Readonly<Record<string, unknown>>, key: string): number | undefined => {
  const v = data[key]
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined
}

/** A boolean field of `data`, or `fallback`. */
export const flag = (data: Readonly<Record<string, unknown>>, key: string, fallback = false): boolean => {
  const v = data[key]
  return typeof v === 'boolean' ? v : fallback
}

/** An array-of-strings field of `data` (other items dropped), or undefined. */
export const texts = (data: Readonly<Record<string, unknown>>, key: string): string[] | undefined => {
  const v = data[key]
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined
}
