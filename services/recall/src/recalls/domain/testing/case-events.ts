/**
 * Builders of recall events and cases for the domain's unit tests. Data defaults are typed with the
 * catalogue's `EventData`, so a default that drifts from the contract fails to compile.
 */
import type { EventData } from '@ecrs/contracts'
import { derive } from '../fold.js'
import { defaultRecallParams, type RecallParams } from '../params.js'
import { AGENCY_ONLY_STEPS, type RecallStepType } from '../steps.js'
import type { CaseEvent, Derivation, RecallCase } from '../types.js'

/** A valid USCC: the producer of the test cases. */
export const FIRM = '91350100M000100Y43'
/** Another valid USCC. */
export const OTHER_FIRM = '9144030071526726XG'
/** The agency of the test cases. */
export const AGENCY = 'samr.ln'
/** The recall of the test cases. */
export const RECALL_ID = 'R-2025-001'

const product: EventData<'recall.initiated'>['product'] = { name: 'Kettle K1', category: 'consumer-product' }
const opening: EventData<'recall.initiated'> = {
  recallId: RECALL_ID,
  product,
  unitsAffected: 1000,
  hazard: 'The lid may come off while boiling.',
}

const defaults: Readonly<Record<RecallStepType, Readonly<Record<string, unknown>>>> = {
  'recall.initiated': opening,
  'recall.ordered': { ...opening, decisionNo: '辽市监召〔2025〕1号' } satisfies EventData<'recall.ordered'>,
  'recall.plan-submitted': {
    recallId: RECALL_ID,
    remedy: 'repair',
  } satisfies EventData<'recall.plan-submitted'>,
  'recall.plan-accepted': { recallId: RECALL_ID },
  'recall.plan-returned': { recallId: RECALL_ID, reason: 'No remedy for stock in shops.' },
  'recall.notice-published': { recallId: RECALL_ID, url: 'https://example.org/notice' },
  'recall.progress-reported': { recallId: RECALL_ID, unitsRemedied: 0 },
  'recall.completed': { recallId: RECALL_ID, unitsRemedied: 0 },
  'recall.summary-submitted': { recallId: RECALL_ID },
  'recall.closed': { recallId: RECALL_ID, effective: true },
}

/** Overrides of a built event. */
export interface StepOptions {
  readonly id?: string
  readonly source?: string
  readonly subject?: string
  readonly recordedAt?: string
  /** Merged over the type's default data. */
  readonly data?: Readonly<Record<string, unknown>>
}

/**
 * A recall event of `type` at `time`: from the agency for agency-only steps, from the firm otherwise;
 * the id names the type and time so histories need no counter.
 */
export const step = (type: RecallStepType, time: string, o: StepOptions = {}): CaseEvent => ({
  source: o.source ?? (AGENCY_ONLY_STEPS.has(type) ? AGENCY : `firm:${FIRM}`),
  id: o.id ?? `${type.slice('recall.'.length)}@${time}`,
  type,
  subject: o.subject ?? FIRM,
  time,
  recordedAt: o.recordedAt ?? time,
  data: { ...defaults[type], ...o.data },
})

/** An opening step for a vehicle recall. */
export const vehicle = { product: { name: 'Model V', category: 'vehicle' } } as const

/** 24:00 +08:00 of a Shanghai date, as `toISOString` writes it. */
export const endOf = (date: string): string => new Date(Date.parse(`${date}T16:00:00Z`)).toISOString()

/** The millisecond after an instant: when a deadline at that instant has passed. */
export const justAfter = (instant: string): string => new Date(Date.parse(instant) + 1).toISOString()

/** `derive` with the default parameters and `asOf` given as an instant string. */
export const deriveAt = (
  events: readonly CaseEvent[],
  asOf: string,
  params: RecallParams = defaultRecallParams,
): Derivation => derive(events, new Date(asOf), params)

/** The case `events` lead to as of `asOf`; fails the test when there is none. */
export const caseAt = (events: readonly CaseEvent[], asOf: string, params?: RecallParams): RecallCase => {
  const c = deriveAt(events, asOf, params).case
  if (c === undefined) throw new Error('no case')
  return c
}

/** A consumer recall up to its published notice: initiated, plan submitted and accepted, notice. */
export const upToNotice = (notice: string): CaseEvent[] => [
  step('recall.initiated', '2023-01-03T10:00:00+08:00'),
  step('recall.plan-submitted', '2023-01-05T10:00:00+08:00'),
  step('recall.plan-accepted', '2023-01-06T10:00:00+08:00'),
  step('recall.notice-published', notice),
]
