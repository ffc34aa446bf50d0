import { describe, it, expect } from 'vitest'
import { catalogue, eventTypes, type EventType } from './specs.js'
import { validateEvent } from './validate-event.js'
import { NOW, exampleData, exampleEvent } from './testing/examples.js'

const types = eventTypes as readonly EventType[]

// The paths of the errors for `type`'s example with `data` merged over it (undefined deletes a field).
const pathsFor = (type: EventType, data: Record<string, unknown>): string[] => {
  const merged: Record<string, unknown> = { ...structuredClone(exampleData[type]), ...data }
  for (const [key, value] of Object.entries(data)) if (value === undefined) delete merged[key]
  const result = validateEvent(exampleEvent(type, { data: merged }), NOW)
  return result.ok ? [] : result.errors.map((e) => e.path)
}

interface ObjectSchema {
  required?: string[]
  properties?: Record<string, { enum?: string[]; items?: { enum?: string[] } }>
}

describe('every type', () => {
  it.each(types)('%s: each required field is required', (type) => {
    const schema = catalogue.get(type)!.dataSchema as ObjectSchema
    for (const field of schema.required ?? []) {
      expect(pathsFor(type, { [field]: undefined }), field).toEqual([`/data/${field}`])
    }
  })

  it.each(types)('%s: each enum is closed', (type) => {
    const schema = catalogue.get(type)!.dataSchema as ObjectSchema
    for (const [field, property] of Object.entries(schema.properties ?? {})) {
      if (property.enum) expect(pathsFor(type, { [field]: 'bogus' }), field).toEqual([`/data/${field}`])
      if (property.items?.enum)
        expect(pathsFor(type, { [field]: ['bogus'] }), field).toEqual([`/data/${field}/0`])
    }
  })

  it.each(types)('%s: the subject must be a valid USCC', (type) => {
    const result = validateEvent(exampleEvent(type, { subject: '91350100M000100Y44' }), NOW)
    expect(result).toMatchObject({ ok: false, code: 'EVENT_INVALID', errors: [{ path: '/subject' }] })
  })

  it.each(types)('%s: data must be an object', (type) => {
    const result = validateEvent(exampleEvent(type, { data: [] }), NOW)
    expect(result).toMatchObject({ ok: false, errors: [{ path: '/data' }] })
  })
})

describe('field rules', () => {
  it.each<[EventType, Record<string, unknown>, string]>([
    ['enterprise.registered', { registeredAt: '2025-02-29' }, '/data/registeredAt'],
    ['enterprise.registered', { registeredAt: '2025-7-1' }, '/data/registeredAt'],
    ['enterprise.registered', { region: '21010' }, '/data/region'],
    ['enterprise.registered', { region: 210102 }, '/data/region'],
    ['enterprise.registered', { name: 'x'.repeat(201) }, '/data/name'],
    ['enterprise.registered', { name: '' }, '/data/name'],
    ['enterprise.changed', { region: 'abcdef' }, '/data/region'],
    ['annual-report.filed', { year: 1989 }, '/data/year'],
    ['annual-report.filed', { year: 2024.5 }, '/data/year'],
    ['annual-report.filed', { year: '2024' }, '/data/year'],
    ['inspection.recorded', { results: [] }, '/data/results'],
    ['inspection.recorded', { inspectionId: 'has\ttab' }, '/data/inspectionId'],
    ['inspection.recorded', { inspectionId: 'x'.repeat(129) }, '/data/inspectionId'],
    ['inspection.recorded', { taskId: '' }, '/data/taskId'],
    ['inspection.recorded', { taskId: 'has\ttab' }, '/data/taskId'],
    ['penalty.decided', { measures: [] }, '/data/measures'],
    ['penalty.decided', { fineAmount: -1 }, '/data/fineAmount'],
    ['penalty.decided', { fineAmount: 1e13 + 1 }, '/data/fineAmount'],
    ['penalty.decided', { fineAmount: 0.001 }, '/data/fineAmount'],
    ['penalty.decided', { fineAmount: 10.005 }, '/data/fineAmount'],
    ['penalty.decided', { fineAmount: '100' }, '/data/fineAmount'],
    ['penalty.decided', { aggravated: 'yes' }, '/data/aggravated'],
    ['penalty.decided', { restrictionEndsAt: '2026-13-01' }, '/data/restrictionEndsAt'],
    ['penalty.revoked', { reason: 'x'.repeat(1001) }, '/data/reason'],
    ['credit-repair.applied', { target: { kind: 'penalty' } }, '/data/target/ref'],
    ['credit-repair.applied', { target: { kind: 'pardon', ref: 'D-1' } }, '/data/target/kind'],
    ['recall.obligation-overdue', { dueAt: '2025-07-16' }, '/data/dueAt'],
    ['recall.status-changed', { published: 'true' }, '/data/published'],
    ['recall.initiated', { unitsAffected: 0 }, '/data/unitsAffected'],
    ['recall.initiated', { unitsAffected: 1.5 }, '/data/unitsAffected'],
    ['recall.initiated', { product: { name: 'Kettle', category: 'food' } }, '/data/product/category'],
    ['recall.initiated', { product: { category: 'vehicle' } }, '/data/product/name'],
    ['recall.initiated', { regions: ['2101'] }, '/data/regions/0'],
    ['recall.ordered', { unitsAffected: 0 }, '/data/unitsAffected'],
    ['recall.progress-reported', { unitsRemedied: -1 }, '/data/unitsRemedied'],
    ['recall.completed', { unitsRemedied: 2.5 }, '/data/unitsRemedied'],
    ['recall.notice-published', { url: 'javascript:alert(1)' }, '/data/url'],
    ['recall.closed', { effective: 1 }, '/data/effective'],
  ])('%s refuses %j at %s', (type, data, path) => {
    expect(pathsFor(type, data)).toContain(path)
  })

  it.each([0, 1, 12.3, 99.99, 1e13, 0.07, 123456789.01])('accepts the fine %d', (fineAmount) => {
    expect(pathsFor('penalty.decided', { fineAmount })).toEqual([])
  })

  it('accepts 29 February of a leap year and a vehicle recall with units remedied 0', () => {
    expect(pathsFor('enterprise.registered', { registeredAt: '2024-02-29' })).toEqual([])
    const product = { name: 'Sedan S', category: 'vehicle' }
    expect(pathsFor('recall.ordered', { product })).toEqual([])
    expect(pathsFor('recall.completed', { unitsRemedied: 0 })).toEqual([])
  })
})

describe('conditional rules', () => {
  it('requires fineAmount when the measures include a fine, and only then', () => {
    expect(pathsFor('penalty.decided', { fineAmount: undefined })).toEqual(['/data/fineAmount'])
    expect(pathsFor('penalty.decided', { fineAmount: undefined, measures: ['warning'] })).toEqual([])
  })

  it('requires the year of an abnormal listing for a missing annual report, and only then', () => {
    expect(pathsFor('abnormal-list.entered', { year: undefined })).toEqual(['/data/year'])
    expect(pathsFor('abnormal-list.entered', { year: undefined, reason: 'false-information' })).toEqual([])
  })

  it('asks an enterprise change to name at least one registered fact', () => {
    const result = validateEvent(exampleEvent('enterprise.changed', { data: { note: 'nothing' } }), NOW)
    expect(result).toMatchObject({
      ok: false,
      errors: [
        {
          path: '/data',
          message: 'must include at least one of name, region, kind, legalRepresentative, address',
        },
      ],
    })
  })

  it('does not default the kind of an enterprise change', () => {
    const result = validateEvent(exampleEvent('enterprise.changed'), NOW)
    expect(result.ok && result.event.data).toEqual({ address: '1 Harbour Road, Shenyang' })
  })
})
