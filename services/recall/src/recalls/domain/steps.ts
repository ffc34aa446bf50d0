/**
 * The recall steps of contract §4.2 and the part of their `data` the fold reads. Ingest has already
 * validated the schema; reading defensively here keeps a malformed record (a replayed dead letter, an
 * old version) from breaking a case: it is rejected as `EVENT_INVALID` instead.
 */
import type { ProductCategory, RecallProduct } from './types.js'

/** The §4.2 types, in contract order. */
export const RECALL_STEP_TYPES = [
  'recall.initiated',
  'recall.ordered',
  'recall.plan-submitted',
  'recall.plan-accepted',
  'recall.plan-returned',
  'recall.notice-published',
  'recall.progress-reported',
  'recall.completed',
  'recall.summary-submitted',
  'recall.closed',
] as const

/** A recall step type (§4.2). */
export type RecallStepType = (typeof RECALL_STEP_TYPES)[number]

const STEP_TYPES: ReadonlySet<string> = new Set(RECALL_STEP_TYPES)

/** Tells whether `type` is a recall step of §4.2. */
export const isRecallStepType = (type: string): type is RecallStepType => STEP_TYPES.has(type)

/** The steps only an agency takes (§4.2 "who"); the others are firm-side (an agency may act for the firm). */
export const AGENCY_ONLY_STEPS: ReadonlySet<RecallStepType> = new Set([
  'recall.ordered',
  'recall.plan-accepted',
  'recall.plan-returned',
  'recall.closed',
])

/** What opening a case carries (`recall.initiated`, `recall.ordered`). */
export interface OpeningData {
  readonly recallId: string
  readonly product: RecallProduct
  readonly unitsAffected: number
  readonly hazard: string
  readonly regions?: readonly string[]
  readonly decisionNo?: string
  /** Not in the catalogue: read when a publisher adds it, as the public shape names the producer. */
  readonly producerName?: string
}

/** A step's data as the fold reads it. */
export type StepData =
  | ({ readonly kind: 'opening' } & OpeningData)
  | { readonly kind: 'units'; readonly recallId: string; readonly unitsRemedied: number }
  | { readonly kind: 'plain'; readonly recallId: string }

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined)

const count = (v: unknown, min: number): number | undefined =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= min ? v : undefined

const isRecord = (v: unknown): v is Readonly<Record<string, unknown>> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

const texts = (v: unknown): readonly string[] | undefined =>
  Array.isArray(v) && v.every((s): s is string => typeof s === 'string') ? v : undefined

const category = (v: unknown): ProductCategory | undefined =>
  v === 'consumer-product' || v === 'vehicle' ? v : undefined

const readProduct = (v: unknown): RecallProduct | undefined => {
  if (!isRecord(v)) return undefined
  const name = text(v.name)
  const cat = category(v.category)
  if (name === undefined || cat === undefined) return undefined
  const model = text(v.model)
  const batches = texts(v.batches)
  const gtin = text(v.gtin)
  return {
    name,
    category: cat,
    ...(model === undefined ? {} : { model }),
    ...(batches === undefined ? {} : { batches }),
    ...(gtin === undefined ? {} : { gtin }),
  }
}

const readOpening = (type: RecallStepType, data: Readonly<Record<string, unknown>>): StepData | undefined => {
  const recallId = text(data.recallId)
  const product = readProduct(data.product)
  const unitsAffected = count(data.unitsAffected, 1)
  const hazard = text(data.hazard)
  const decisionNo = text(data.decisionNo)
  if (recallId === undefined || product === undefined || unitsAffected === undefined || hazard === undefined)
    return undefined
  if (type === 'recall.ordered' && decisionNo === undefined) return undefined
  const regions = texts(data.regions)
  const producerName = text(data.producerName)
  return {
    kind: 'opening',
    recallId,
    product,
    unitsAffected,
    hazard,
    ...(regions === undefined ? {} : { regions }),
    ...(decisionNo === undefined ? {} : { decisionNo }),
    ...(producerName === undefined ? {} : { producerName }),
  }
}

/** Reads the data of a `type` step; undefined when a field the fold needs is missing or malformed. */
export const readStepData = (
  type: RecallStepType,
  data: Readonly<Record<string, unknown>>,
): StepData | undefined => {
  switch (type) {
    case 'recall.initiated':
    case 'recall.ordered':
      return readOpening(type, data)
    case 'recall.progress-reported':
    case 'recall.completed': {
      const recallId = text(data.recallId)
      const unitsRemedied = count(data.unitsRemedied, 0)
      return recallId === undefined || unitsRemedied === undefined
        ? undefined
        : { kind: 'units', recallId, unitsRemedied }
    }
    case 'recall.plan-submitted':
    case 'recall.plan-accepted':
    case 'recall.plan-returned':
    case 'recall.notice-published':
    case 'recall.summary-submitted':
    case 'recall.closed': {
      const recallId = text(data.recallId)
      return recallId === undefined ? undefined : { kind: 'plain', recallId }
    }
  }
}
