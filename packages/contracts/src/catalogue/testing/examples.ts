/**
 * One valid event of every catalogue type, for tests. Typed with the derived `EventData`, so an
 * example that drifts from its schema fails to compile as well as to validate.
 */
import { catalogue, type EventData, type EventType } from '../specs.js'

/** A valid USCC: the producer and subject of the examples. */
export const FIRM = '91350100M000100Y43'
/** Another valid USCC. */
export const OTHER_FIRM = '9144030071526726XG'
/** The agency publishing the examples. */
export const AGENCY = 'samr.ln'
/** A `now` after every example's `time`. */
export const NOW = new Date('2025-08-01T00:00:00Z')

const recallCase: EventData<'recall.initiated'> = {
  recallId: 'R-2025-001',
  product: {
    name: 'Kettle K1',
    category: 'consumer-product',
    model: 'K1',
    batches: ['B1'],
    gtin: '06901234567892',
  },
  unitsAffected: 1200,
  hazard: 'The lid may open while boiling.',
  regions: ['210102', '210103'],
}

/** Valid `data` of every type. */
export const exampleData: { [K in EventType]: EventData<K> } = {
  'enterprise.registered': { name: 'Liaoning Kettles Ltd', registeredAt: '2020-02-29', region: '210102' },
  'enterprise.changed': { address: '1 Harbour Road, Shenyang' },
  'enterprise.deregistered': { reason: 'dissolved by the shareholders' },
  'annual-report.filed': { year: 2024, content: { employees: 12 } },
  'inspection.recorded': { inspectionId: 'INS-1', kind: 'random', results: ['no-problem'] },
  'penalty.decided': {
    decisionNo: 'SY-2025-017',
    measures: ['warning', 'fine'],
    domain: 'product-quality',
    fineAmount: 50000.5,
    restrictionEndsAt: '2026-06-30',
  },
  'penalty.revoked': { decisionNo: 'SY-2025-017', reason: 'set aside on review' },
  'abnormal-list.entered': { listingId: 'AL-1', reason: 'annual-report-not-filed', year: 2023 },
  'abnormal-list.removed': { listingId: 'AL-1' },
  'serious-list.entered': { listingId: 'SL-1', basis: 'heavier-penalty', decisionNo: 'SY-2025-017' },
  'serious-list.removed': { listingId: 'SL-1', reason: 'expired' },
  'credit-repair.applied': { repairId: 'CR-1', target: { kind: 'penalty', ref: 'SY-2025-017' } },
  'credit-repair.decided': { repairId: 'CR-1', decision: 'approved' },
  'recall.status-changed': { recallId: 'R-2025-001', status: 'in-progress', published: true, ordered: false },
  'recall.obligation-overdue': {
    recallId: 'R-2025-001',
    obligationId: 'R-2025-001/submit-plan/1',
    kind: 'submit-plan',
    dueAt: '2025-07-16T00:00:00+08:00',
  },
  'recall.obligation-fulfilled': {
    recallId: 'R-2025-001',
    obligationId: 'R-2025-001/submit-plan/1',
    kind: 'submit-plan',
    late: true,
  },
  'recall.obligation-voided': {
    recallId: 'R-2025-001',
    obligationId: 'R-2025-001/submit-plan/1',
    reason: 'fulfilled-on-time',
  },
  'recall.initiated': recallCase,
  'recall.ordered': { ...recallCase, decisionNo: 'ORD-2025-3' },
  'recall.plan-submitted': { recallId: 'R-2025-001', remedy: 'replace', summary: 'Replace the lid.' },
  'recall.plan-accepted': { recallId: 'R-2025-001' },
  'recall.plan-returned': { recallId: 'R-2025-001', reason: 'No schedule given.' },
  'recall.notice-published': { recallId: 'R-2025-001', channels: ['website'], url: 'https://example.cn/n/1' },
  'recall.progress-reported': { recallId: 'R-2025-001', unitsRemedied: 0 },
  'recall.completed': { recallId: 'R-2025-001', unitsRemedied: 1100 },
  'recall.summary-submitted': { recallId: 'R-2025-001' },
  'recall.closed': { recallId: 'R-2025-001', effective: true },
}

/** A valid event of `type` as a plain JSON object (a fresh copy each call), with `overrides` applied. */
export const exampleEvent = (
  type: EventType,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> => ({
  id: `ev-${type}`,
  source: catalogue.get(type)?.publishers.includes('ecrs.recall') === true ? 'ecrs.recall' : AGENCY,
  type,
  subject: FIRM,
  time: '2025-07-01T10:00:00+08:00',
  data: structuredClone(exampleData[type]),
  ...overrides,
})
