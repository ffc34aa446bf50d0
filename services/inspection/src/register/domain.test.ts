import { toChangeRecord, fromChangeRecord, type Change, type ChangeRecord } from '@ecrs/contracts'
import { describe, expect, it } from 'vitest'
import {
  foldChangeRecords,
  inspectedWithin,
  populationClass,
  withInspection,
  type RegisterDoc,
} from './domain.js'

const U = '91310000MA1K000001'
const record = (changes: Change[], over: Partial<ChangeRecord> = {}): ChangeRecord =>
  fromChangeRecord(
    toChangeRecord(
      't',
      {
        uscc: U,
        name: 'Acme',
        region: '310101',
        enterpriseKind: 'company',
        time: '2025-01-01T00:00:00Z',
        changes,
        ...over,
      },
      new Date(),
    ).value,
  )!

describe('foldChangeRecords', () => {
  it('registers, then takes the latest class and name', () => {
    const p = foldChangeRecords([
      record([{ kind: 'registered' }, { kind: 'risk-class-changed', from: null, to: 'B' }]),
      record([{ kind: 'risk-class-changed', from: 'B', to: 'D' }], {
        name: 'Acme 2',
        time: '2025-02-01T00:00:00Z',
      }),
    ]).get(U)!
    expect(p.set).toEqual({
      name: 'Acme 2',
      region: '310101',
      enterpriseKind: 'company',
      updatedAt: '2025-02-01T00:00:00.000Z',
      active: true,
      riskClass: 'D',
    })
    expect(p.setOnInsert).toEqual({})
  })

  it('deregistered is inactive; first seen otherwise is active with no class', () => {
    expect(foldChangeRecords([record([{ kind: 'deregistered' }])]).get(U)!.set.active).toBe(false)
    const p = foldChangeRecords([record([{ kind: 'recall-published', recallId: 'R1' }])]).get(U)!
    expect(p.set.active).toBeUndefined()
    expect(p.setOnInsert).toEqual({ active: true, riskClass: null })
  })
})

describe('withInspection', () => {
  it('keeps the latest per agency (agency ids with dots), sorted', () => {
    let l = withInspection(undefined, 'samr.sh', '2025-03-01T00:00:00.000Z')
    l = withInspection(l, 'samr.ln', '2025-01-01T00:00:00.000Z')
    l = withInspection(l, 'samr.sh', '2025-02-01T00:00:00.000Z')
    expect(l).toEqual(['samr.ln|2025-01-01T00:00:00.000Z', 'samr.sh|2025-03-01T00:00:00.000Z'])
    expect(withInspection(l, 'samr.sh', '2025-04-01T00:00:00.000Z')).toContain(
      'samr.sh|2025-04-01T00:00:00.000Z',
    )
  })
})

describe('populationClass', () => {
  const now = new Date('2025-06-15T04:00:00Z')
  const f = { region: '3101', excludeInspectedWithinMonths: 12, agencies: ['samr.sh'] }
  const doc: RegisterDoc = {
    _id: U,
    name: 'Acme',
    region: '310101',
    enterpriseKind: 'company',
    active: true,
    riskClass: 'C',
  }

  it.each<[string, Partial<RegisterDoc>, Partial<typeof f> & { kinds?: string[] }, string | undefined]>([
    ['matching', {}, {}, 'C'],
    ['inactive', { active: false }, {}, undefined],
    ['no class yet', { riskClass: null }, {}, undefined],
    ['other region', { region: '320101' }, {}, undefined],
    ['empty prefix = everywhere', { region: '320101' }, { region: '' }, 'C'],
    ['kind not asked', {}, { kinds: ['individual'] }, undefined],
    ['kind asked', {}, { kinds: ['individual', 'company'] }, 'C'],
    [
      'inspected by a task agency 11 months ago',
      { lastInspected: ['samr.sh|2024-07-20T00:00:00.000Z'] },
      {},
      undefined,
    ],
    [
      'inspected by a task agency 13 months ago',
      { lastInspected: ['samr.sh|2024-05-01T00:00:00.000Z'] },
      {},
      'C',
    ],
    ['inspected by another agency', { lastInspected: ['samr.ln|2025-06-01T00:00:00.000Z'] }, {}, 'C'],
    [
      'exclusion off',
      { lastInspected: ['samr.sh|2025-06-01T00:00:00.000Z'] },
      { excludeInspectedWithinMonths: 0 },
      'C',
    ],
  ])('%s', (_what, over, filter, expected) => {
    expect(populationClass({ ...doc, ...over }, { ...f, ...filter }, now)).toBe(expected)
  })

  it('the months end at 24:00 Shanghai of the corresponding date', () => {
    const t = new Date('2024-06-15T02:00:00Z') // 2024-06-15 10:00 +08:00
    expect(inspectedWithin(t, 12, new Date('2025-06-15T15:59:59Z'))).toBe(true)
    expect(inspectedWithin(t, 12, new Date('2025-06-15T16:00:00Z'))).toBe(false)
  })
})
