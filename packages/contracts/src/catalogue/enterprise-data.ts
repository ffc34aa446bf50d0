/**
 * `data` schemas of the enterprise supervision events that agencies (and, for two of them, firms)
 * publish: contract.md §4.1, version 1. Bold fields of the contract are `required` here.
 */
import { Type, type Static } from '@sinclair/typebox'
import {
  CalendarDateString,
  DivisionCode,
  Id,
  MAX_FINE_AMOUNT,
  Name,
  OPEN,
  Reason,
  Year,
  requires,
  stringEnum,
} from './fields.js'

const ENTERPRISE_KINDS = ['company', 'individual', 'cooperative', 'other'] as const

/** `enterprise.registered`: the enterprise comes into existence. */
export const enterpriseRegisteredData = Type.Object(
  {
    name: Name('registered name'),
    registeredAt: CalendarDateString('registration date'),
    region: DivisionCode('administrative division of the registration'),
    kind: Type.Optional(stringEnum(ENTERPRISE_KINDS, { default: 'company', description: 'legal form' })),
    legalRepresentative: Type.Optional(Name('legal representative')),
    address: Type.Optional(Name('registered address')),
  },
  OPEN,
)
/** The `data` of `enterprise.registered`. */
export type EnterpriseRegistered = Static<typeof enterpriseRegisteredData>

const CHANGEABLE = ['name', 'region', 'kind', 'legalRepresentative', 'address'] as const

/** `enterprise.changed`: at least one registered fact changes. */
export const enterpriseChangedData = Type.Object(
  {
    name: Type.Optional(Name('new registered name')),
    region: Type.Optional(DivisionCode('new administrative division')),
    // No default here: a change names only what changes.
    kind: Type.Optional(stringEnum(ENTERPRISE_KINDS, { description: 'new legal form' })),
    legalRepresentative: Type.Optional(Name('new legal representative')),
    address: Type.Optional(Name('new registered address')),
  },
  { ...OPEN, anyOf: CHANGEABLE.map(requires) },
)
/** The `data` of `enterprise.changed`. */
export type EnterpriseChanged = Static<typeof enterpriseChangedData>

/** `enterprise.deregistered`: the enterprise ceases to exist. */
export const enterpriseDeregisteredData = Type.Object(
  { reason: Type.Optional(Reason('why it was deregistered')) },
  OPEN,
)
/** The `data` of `enterprise.deregistered`. */
export type EnterpriseDeregistered = Static<typeof enterpriseDeregisteredData>

/** `annual-report.filed`: the envelope `time` is the filing time. */
export const annualReportFiledData = Type.Object(
  {
    year: Year('the year reported on'),
    content: Type.Optional(Type.Object({}, { ...OPEN, maxProperties: 1000, description: 'the report' })),
  },
  OPEN,
)
/** The `data` of `annual-report.filed`. */
export type AnnualReportFiled = Static<typeof annualReportFiledData>

const INSPECTION_RESULTS = [
  'no-problem',
  'no-relevant-business',
  'problem-corrected',
  'problem-pending',
  'info-not-disclosed',
  'false-information',
  'unreachable-at-address',
  'non-cooperation',
  'product-nonconforming',
  'violation-other',
  'closed-or-liquidating',
] as const

/** `inspection.recorded`: the findings of one inspection. */
export const inspectionRecordedData = Type.Object(
  {
    inspectionId: Id('the inspection'),
    kind: stringEnum(['random', 'sampling', 'targeted', 'complaint'], {
      description: 'why it was inspected',
    }),
    results: Type.Array(stringEnum(INSPECTION_RESULTS), {
      minItems: 1,
      maxItems: INSPECTION_RESULTS.length,
      uniqueItems: true,
    }),
    product: Type.Optional(Type.Object({}, { ...OPEN, maxProperties: 100, description: 'product sampled' })),
    taskId: Type.Optional(
      Id('the random-inspection task (contract §9) this result belongs to, with `kind: "random"`'),
    ),
  },
  OPEN,
)
/** The `data` of `inspection.recorded`. */
export type InspectionRecorded = Static<typeof inspectionRecordedData>

const MEASURES = [
  'warning',
  'criticism',
  'fine',
  'confiscation',
  'qualification-downgrade',
  'license-revocation',
  'business-restriction',
  'suspension',
  'closure',
  'practice-ban',
] as const

const DOMAINS = [
  'food',
  'drug',
  'special-equipment',
  'product-quality',
  'consumer-rights',
  'fair-competition',
  'obstruction',
  'other',
] as const

/**
 * `penalty.decided`: an administrative penalty decision. `fineAmount` is required when the measures
 * include `fine`; that it has at most two decimals is checked in code (`multipleOf: 0.01` is not
 * exact on doubles).
 */
export const penaltyDecidedData = Type.Object(
  {
    decisionNo: Id('the decision number'),
    measures: Type.Array(stringEnum(MEASURES), { minItems: 1, maxItems: MEASURES.length, uniqueItems: true }),
    domain: stringEnum(DOMAINS, { description: 'the field of law' }),
    fineAmount: Type.Optional(
      Type.Number({ minimum: 0, maximum: MAX_FINE_AMOUNT, description: 'CNY, at most two decimals' }),
    ),
    aggravated: Type.Optional(Type.Boolean({ description: 'heavier penalty (从重)' })),
    procedure: Type.Optional(stringEnum(['ordinary', 'simple'], { default: 'ordinary' })),
    restrictionEndsAt: Type.Optional(CalendarDateString('when the restriction imposed ends')),
    legalBasis: Type.Optional(Reason('the provisions applied')),
  },
  {
    ...OPEN,
    if: { properties: { measures: { type: 'array', contains: { const: 'fine' } } }, required: ['measures'] },
    then: requires('fineAmount'),
  },
)
/** The `data` of `penalty.decided`. */
export type PenaltyDecided = Static<typeof penaltyDecidedData>

/** `penalty.revoked`: a decision is revoked (only by the agency that decided it). */
export const penaltyRevokedData = Type.Object(
  { decisionNo: Id('the decision revoked'), reason: Type.Optional(Reason('why')) },
  OPEN,
)
/** The `data` of `penalty.revoked`. */
export type PenaltyRevoked = Static<typeof penaltyRevokedData>

const ABNORMAL_REASONS = [
  'annual-report-not-filed',
  'ordered-info-not-published',
  'false-information',
  'unreachable-at-address',
] as const

/** `abnormal-list.entered`: a listing in the abnormal-operations list; `year` for a missing report. */
export const abnormalListEnteredData = Type.Object(
  {
    listingId: Id('the listing'),
    reason: stringEnum(ABNORMAL_REASONS),
    year: Type.Optional(Year('the report year not filed')),
    decisionNo: Type.Optional(Id('the listing decision')),
  },
  {
    ...OPEN,
    if: { properties: { reason: { const: 'annual-report-not-filed' } }, required: ['reason'] },
    then: requires('year'),
  },
)
/** The `data` of `abnormal-list.entered`. */
export type AbnormalListEntered = Static<typeof abnormalListEnteredData>

/** `abnormal-list.removed`: a listing ends. */
export const abnormalListRemovedData = Type.Object(
  { listingId: Id('the listing removed'), reason: Type.Optional(Reason('why')) },
  OPEN,
)
/** The `data` of `abnormal-list.removed`. */
export type AbnormalListRemoved = Static<typeof abnormalListRemovedData>

/** `serious-list.entered`: a listing in the serious-violations list. */
export const seriousListEnteredData = Type.Object(
  {
    listingId: Id('the listing'),
    basis: stringEnum(['heavier-penalty', 'abnormal-list-3-years', 'false-registration']),
    decisionNo: Type.Optional(Id('for heavier-penalty: the penalty decision')),
  },
  OPEN,
)
/** The `data` of `serious-list.entered`. */
export type SeriousListEntered = Static<typeof seriousListEnteredData>

/** `serious-list.removed`: a serious listing ends. */
export const seriousListRemovedData = Type.Object(
  {
    listingId: Id('the listing removed'),
    reason: stringEnum(['expired', 'credit-repair', 'decision-revoked']),
  },
  OPEN,
)
/** The `data` of `serious-list.removed`. */
export type SeriousListRemoved = Static<typeof seriousListRemovedData>

/** `credit-repair.applied`: the enterprise asks for a listing or penalty to be repaired. */
export const creditRepairAppliedData = Type.Object(
  {
    repairId: Id('the repair application'),
    target: Type.Object(
      {
        kind: stringEnum(['abnormal-listing', 'serious-listing', 'penalty']),
        ref: Id('the listingId or decisionNo'),
      },
      OPEN,
    ),
  },
  OPEN,
)
/** The `data` of `credit-repair.applied`. */
export type CreditRepairApplied = Static<typeof creditRepairAppliedData>

/** `credit-repair.decided`: the agency's decision on a repair application. */
export const creditRepairDecidedData = Type.Object(
  {
    repairId: Id('the repair application'),
    decision: stringEnum(['approved', 'rejected']),
    reason: Type.Optional(Reason('why')),
  },
  OPEN,
)
/** The `data` of `credit-repair.decided`. */
export type CreditRepairDecided = Static<typeof creditRepairDecidedData>
