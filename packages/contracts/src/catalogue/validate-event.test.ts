import { describe, it, expect } from 'vitest'
import { extensionAttributes } from '../envelope.js'
import { eventTypes, isEventOfType, type EventType } from './specs.js'
import { partitionKey, validateEvent } from './validate-event.js'
import { FIRM, NOW, exampleEvent } from './testing/examples.js'

const types = eventTypes as readonly EventType[]

const errorsOf = (input: unknown) => {
  const result = validateEvent(input, NOW)
  if (result.ok) throw new Error('expected the event to be invalid')
  return result
}

describe('validateEvent', () => {
  it.each(types)('accepts the example %s', (type) => {
    const result = validateEvent(exampleEvent(type), NOW)
    expect(result).toMatchObject({
      ok: true,
      spec: { type },
      event: { type, specversion: '1.0', dataversion: 1 },
    })
  })

  it('answers EVENT_TYPE_UNKNOWN for a type not in the catalogue, before any other error', () => {
    const result = errorsOf({ type: 'penalty.forgiven', subject: 'nope', data: 'x' })
    expect(result.code).toBe('EVENT_TYPE_UNKNOWN')
    expect(result.errors).toEqual([{ path: '/type', message: expect.stringContaining('penalty.forgiven') }])
  })

  it('answers EVENT_INVALID when type is missing or not a string', () => {
    const { type: _, ...noType } = exampleEvent('penalty.decided')
    expect(errorsOf(noType)).toMatchObject({ code: 'EVENT_INVALID', errors: [{ path: '/type' }] })
    expect(errorsOf({ ...noType, type: 7 })).toMatchObject({ code: 'EVENT_INVALID' })
    expect(errorsOf(null)).toMatchObject({ code: 'EVENT_INVALID' })
    expect(errorsOf([])).toMatchObject({ code: 'EVENT_INVALID' })
  })

  it('collects envelope and data errors together', () => {
    const input = exampleEvent('penalty.decided', {
      subject: '91350100M000100Y44',
      id: 'bad id',
      data: { decisionNo: 'D-1', measures: ['fine', 'flogging'], domain: 'food' },
    })
    const paths = errorsOf(input).errors.map((e) => e.path)
    expect(paths).toEqual(expect.arrayContaining(['/subject', '/id', '/data/measures/1', '/data/fineAmount']))
  })

  it('reports a future time, a NUL and a $ key with the data errors', () => {
    const input = exampleEvent('penalty.revoked', {
      time: '2025-08-01T08:10:00+08:00',
      data: { reason: 'a\u0000b', $where: 1 },
    })
    const paths = errorsOf(input).errors.map((e) => e.path)
    expect(paths).toEqual(
      expect.arrayContaining(['/time', '/data/reason', '/data/$where', '/data/decisionNo']),
    )
  })

  it('refuses a dataversion the type does not have', () => {
    const result = errorsOf(exampleEvent('annual-report.filed', { dataversion: 2 }))
    expect(result).toEqual({
      ok: false,
      code: 'EVENT_INVALID',
      errors: [{ path: '/dataversion', message: 'annual-report.filed has no dataversion 2' }],
    })
    expect(errorsOf(exampleEvent('annual-report.filed', { dataversion: 0 })).errors[0]?.path).toBe(
      '/dataversion',
    )
  })

  it('keeps unknown data fields and envelope extensions', () => {
    const input = exampleEvent('inspection.recorded', { traceparent: 'x' })
    ;(input['data'] as Record<string, unknown>)['inspector'] = { name: 'Li' }
    const result = validateEvent(input, NOW)
    expect(result.ok && result.event.data).toMatchObject({ inspector: { name: 'Li' } })
    expect(result.ok && extensionAttributes(result.event)).toEqual({ traceparent: 'x' })
  })

  it('applies data defaults to a copy and never changes the input', () => {
    const input = exampleEvent('enterprise.registered')
    const before = structuredClone(input)
    const result = validateEvent(input, NOW)
    expect(result.ok && result.event.data).toMatchObject({ kind: 'company' })
    expect(input).toEqual(before)

    const invalid = exampleEvent('penalty.decided', { id: '', data: { measures: ['warning'] } })
    const invalidBefore = structuredClone(invalid)
    validateEvent(invalid, NOW)
    expect(invalid).toEqual(invalidBefore) // `procedure` was defaulted on a copy only
  })

  it('answers the same on the same input (compiled schemas are reused)', () => {
    const input = exampleEvent('recall.completed')
    expect(validateEvent(input, NOW)).toEqual(validateEvent(input, NOW))
  })

  it('narrows an accepted event to its typed form', () => {
    const result = validateEvent(exampleEvent('penalty.decided'), NOW)
    if (!result.ok || !isEventOfType(result.event, 'penalty.decided')) throw new Error('expected a penalty')
    expect(result.event.data.measures).toContain('fine')
  })
})

describe('partitionKey', () => {
  it('keys enterprise events by subject and recall events by recallId', () => {
    const enterprise = validateEvent(exampleEvent('penalty.decided'), NOW)
    const recall = validateEvent(exampleEvent('recall.initiated'), NOW)
    const system = validateEvent(exampleEvent('recall.status-changed'), NOW)
    if (!enterprise.ok || !recall.ok || !system.ok) throw new Error('examples must be valid')
    expect(partitionKey(enterprise.event, enterprise.spec)).toBe(FIRM)
    expect(partitionKey(recall.event, recall.spec)).toBe('R-2025-001')
    // ecrs.recall's feedback travels on the enterprise topic, keyed by the producer.
    expect(partitionKey(system.event, system.spec)).toBe(FIRM)
  })

  it('throws for a recall event without a recallId', () => {
    const result = validateEvent(exampleEvent('recall.closed'), NOW)
    if (!result.ok) throw new Error('the example must be valid')
    expect(() => partitionKey({ ...result.event, data: {} }, result.spec)).toThrow(RangeError)
  })
})
