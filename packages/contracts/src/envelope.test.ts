import { describe, it, expect } from 'vitest'
import { Type } from '@sinclair/typebox'
import {
  EnvelopeSchema,
  MAX_DATA_DEPTH,
  canonicalJson,
  createAjv,
  envelopeHash,
  envelopeValidator,
  extensionAttributes,
  issuesFromAjv,
  normalizeEnvelope,
  validateEnvelope,
  type EnvelopeInput,
  type ValidationIssue,
} from './envelope.js'
import { usccCheckCharacter } from './uscc.js'

const NOW = new Date('2025-07-01T02:00:00Z') // 10:00 in Shanghai
const USCC = '91350100M000100Y43'
// Valid leniently, but position 17 fails the organisation-code check.
const USCC_LEGACY = `91350100M000100Y5${usccCheckCharacter('91350100M000100Y5')}`

const valid = (): Record<string, unknown> => ({
  specversion: '1.0',
  id: 'pen-2025-0001',
  source: 'samr.ln',
  type: 'penalty.decided',
  subject: USCC,
  time: '2025-06-30T15:00:00+08:00',
  dataversion: 1,
  data: { decisionNo: '辽市监罚〔2025〕1号', measures: ['fine'], fineAmount: 5000 },
})

const errorsOf = (input: unknown, now = NOW): ValidationIssue[] => {
  const result = validateEnvelope(input, now)
  return result.ok ? [] : result.errors
}
const pathsOf = (input: unknown, now = NOW): string[] => errorsOf(input, now).map((e) => e.path)

describe('validateEnvelope: valid events', () => {
  it('accepts a complete envelope and returns it', () => {
    const result = validateEnvelope(valid(), NOW)
    expect(result).toEqual({ ok: true, event: valid() })
  })

  it('defaults specversion and dataversion without touching the input', () => {
    const input = valid()
    delete input['specversion']
    delete input['dataversion']
    const frozen = structuredClone(input)
    const result = validateEnvelope(input, NOW)
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.event.specversion).toBe('1.0')
    expect(result.event.dataversion).toBe(1)
    expect(input).toEqual(frozen)
    expect('specversion' in input).toBe(false)
  })

  it('returns a copy of data: changing the event leaves the input alone', () => {
    const input = valid()
    const result = validateEnvelope(input, NOW)
    if (!result.ok) throw new Error('expected ok')
    ;(result.event.data['measures'] as string[]).push('warning')
    result.event.data['added'] = true
    expect(input['data']).toEqual(valid()['data'])
  })

  it.each([
    ['agency', 'samr.ln'],
    ['agency with dash and digits', 'amr-2101.sy'],
    ['firm', `firm:${USCC}`],
    ['system rules', 'ecrs.rules'],
    ['system recall', 'ecrs.recall'],
    ['64-character agency id', 'a'.repeat(64)],
  ])('accepts the source of a %s: %s', (_what, source) => {
    expect(errorsOf({ ...valid(), source })).toEqual([])
  })

  it.each(['annual-report.filed', 'recall.obligation-overdue', 'abnormal-list.entered', 'a', 'x1.y2-z3'])(
    'accepts the type %s',
    (type) => {
      expect(errorsOf({ ...valid(), type })).toEqual([])
    },
  )

  it.each(['A', 'a'.repeat(128), 'A.b-c:d_e.9', 'pen:2025:0001'])('accepts the id %s', (id) => {
    expect(errorsOf({ ...valid(), id })).toEqual([])
  })

  it.each([
    '2025-07-01T10:05:00+08:00', // exactly 5 minutes ahead
    '2025-07-01T02:05:00Z',
    '1999-01-01T00:00:00Z', // back-dated history is normal
    '2025-07-01T10:00:00.123456+08:00',
  ])('accepts the time %s', (time) => {
    expect(errorsOf({ ...valid(), time })).toEqual([])
  })

  it('accepts a legacy USCC leniently, and refuses it when the organisation-code check is on', () => {
    expect(errorsOf({ ...valid(), subject: USCC_LEGACY })).toEqual([])
    const strict = envelopeValidator({ checkOrgCode: true })
    const result = strict({ ...valid(), subject: USCC_LEGACY }, NOW)
    expect(result.ok).toBe(false)
    expect(result.ok ? [] : result.errors.map((e) => e.path)).toEqual(['/subject'])
    expect(strict(valid(), NOW).ok).toBe(true)
  })

  it('accepts CloudEvents extension attributes and lists them', () => {
    const input = {
      ...valid(),
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      partitionkey: 'x',
    }
    const result = validateEnvelope(input, NOW)
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(extensionAttributes(result.event)).toEqual({
      traceparent: input.traceparent,
      partitionkey: 'x',
    })
  })

  it('accepts data with nesting, arrays, unicode and an own "__proto__" key', () => {
    const data = JSON.parse('{"a":{"b":[1,{"c":"d"}]},"名称":"测试","__proto__":{"x":1},"e":null}') as unknown
    const result = validateEnvelope({ ...valid(), data }, NOW)
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(Object.getPrototypeOf(result.event.data)).toBe(Object.prototype)
    expect(Object.keys(result.event.data)).toContain('__proto__')
    expect(result.event.data).toEqual(data)
  })

  it('accepts keys with $ or NUL-free dots in the middle', () => {
    expect(errorsOf({ ...valid(), data: { price$: 1, 'a.b': 2, 'x/y~z': 3 } })).toEqual([])
  })
})

describe('validateEnvelope: errors', () => {
  it.each(
    ['specversion', 'id', 'source', 'type', 'subject', 'time', 'dataversion', 'data'].filter(
      (k) => k !== 'specversion' && k !== 'dataversion',
    ),
  )('reports a missing %s at the property itself', (key) => {
    const input = valid()
    delete input[key]
    expect(errorsOf(input)).toEqual([{ path: `/${key}`, message: 'is required' }])
  })

  it('collects every error at once', () => {
    const paths = pathsOf({
      specversion: '0.3',
      id: '',
      source: 'SAMR',
      type: 'Penalty.Decided',
      subject: '91350100M000100Y44',
      time: '2025-07-01 10:00:00',
      dataversion: 0,
      data: [],
    })
    expect(new Set(paths)).toEqual(
      new Set(['/specversion', '/id', '/source', '/type', '/subject', '/time', '/dataversion', '/data']),
    )
  })

  it.each([
    [null, ''],
    [[], ''],
    ['event', ''],
    [42, ''],
  ])('refuses a non-object %j at the root', (input, path) => {
    expect(pathsOf(input)).toEqual([path])
  })

  it.each([
    ['id', 'a'.repeat(129)],
    ['id', 'has space'],
    ['id', 'slash/y'],
    ['id', 'ünïcode'],
    ['id', 7],
    ['source', ''],
    ['source', 'Samr.ln'],
    ['source', 'samr_ln'],
    ['source', 'a'.repeat(65)],
    ['source', `firm:${USCC.toLowerCase()}`],
    ['source', 'firm:91350100M000100Y44'], // USCC-shaped, wrong check character
    ['source', `firm: ${USCC}`],
    ['type', ''],
    ['type', 'penalty..decided'],
    ['type', 'penalty.decided.'],
    ['type', '.penalty'],
    ['type', '1penalty.decided'],
    ['type', 'penalty_decided'],
    ['type', `x${'.y'.repeat(64)}`],
    ['subject', '91350100M000100Y44'],
    ['subject', '91350100m000100y43'],
    ['subject', ''],
    ['subject', 91350100],
    ['time', '2025-07-01T10:00:00'],
    ['time', '2025-07-01'],
    ['time', '2025-02-30T10:00:00+08:00'],
    ['time', 1751335200000],
    ['specversion', '1.0.0'],
    ['specversion', 1],
    ['dataversion', 0],
    ['dataversion', 1.5],
    ['dataversion', '1'],
    ['data', 'text'],
    ['data', null],
    ['data', [1, 2]],
  ])('refuses %s = %j, at that property only', (key, value) => {
    expect(new Set(pathsOf({ ...valid(), [key]: value }))).toEqual(new Set([`/${key}`]))
  })

  it('refuses a time more than 5 minutes after now', () => {
    expect(errorsOf({ ...valid(), time: '2025-07-01T10:05:01+08:00' })).toEqual([
      { path: '/time', message: 'must not be more than 5 minutes in the future' },
    ])
    expect(pathsOf({ ...valid(), time: '2025-07-01T02:05:00.001Z' })).toEqual(['/time'])
    expect(pathsOf({ ...valid(), time: '2030-01-01T00:00:00Z' })).toEqual(['/time'])
  })

  it('refuses a time before 1949-10-01 (EARLIEST_EVENT_TIME), and takes that instant itself', () => {
    expect(errorsOf({ ...valid(), time: '0001-01-01T00:00:00+08:00' })).toEqual([
      { path: '/time', message: 'must not be before 1949-10-01T00:00:00+08:00 (EARLIEST_EVENT_TIME)' },
    ])
    expect(pathsOf({ ...valid(), time: '1949-09-30T15:59:59.999Z' })).toEqual(['/time'])
    expect(pathsOf({ ...valid(), time: '1949-09-30T16:00:00Z' })).toEqual([])
  })

  it('honours a configured clock skew', () => {
    const validate = envelopeValidator({ maxFutureSkewMs: 0 })
    expect(validate({ ...valid(), time: '2025-07-01T10:00:00+08:00' }, NOW).ok).toBe(true)
    expect(validate({ ...valid(), time: '2025-07-01T10:00:01+08:00' }, NOW).ok).toBe(false)
  })

  it('finds NUL characters in data values and keys, at any depth', () => {
    const data = {
      name: 'a\u0000b',
      nested: { list: ['ok', 'bad\u0000'], ['k\u0000']: 1 },
    }
    expect(errorsOf({ ...valid(), data })).toEqual([
      { path: '/data/name', message: 'must not contain NUL characters' },
      { path: '/data/nested/list/1', message: 'must not contain NUL characters' },
      { path: '/data/nested/k\u0000', message: 'key must not contain NUL characters' },
    ])
  })

  it('finds keys starting with $ at any depth, escaping the pointer', () => {
    const data = { $where: 'x', a: [{ $gt: 1 }], 'b/c': { '$x~y': true } }
    expect(errorsOf({ ...valid(), data })).toEqual([
      { path: '/data/$where', message: "key must not start with '$'" },
      { path: '/data/a/0/$gt', message: "key must not start with '$'" },
      { path: '/data/b~1c/$x~0y', message: "key must not start with '$'" },
    ])
  })

  it('bounds the depth of data', () => {
    const nest = (levels: number): unknown => (levels === 0 ? 'leaf' : { a: nest(levels - 1) })
    expect(errorsOf({ ...valid(), data: nest(MAX_DATA_DEPTH) })).toEqual([])
    const errors = errorsOf({ ...valid(), data: nest(MAX_DATA_DEPTH + 1) })
    expect(errors).toHaveLength(1)
    expect(errors[0]?.path).toBe(`/data${'/a'.repeat(MAX_DATA_DEPTH)}`)
    // Far deeper than any stack would allow for recursion over the whole input.
    let deep: unknown = 'leaf'
    for (let i = 0; i < 100_000; i++) deep = [deep]
    expect(pathsOf({ ...valid(), data: { deep } })).toHaveLength(1)
  })

  it('refuses values JSON cannot carry inside data', () => {
    const data = { when: new Date(0), f: () => 1, n: Number.NaN, u: undefined }
    expect(pathsOf({ ...valid(), data })).toEqual(['/data/when', '/data/f', '/data/n', '/data/u'])
  })

  it('reports NUL and $ problems alongside schema errors', () => {
    expect(new Set(pathsOf({ ...valid(), id: '', data: { $set: 'a\u0000' } }))).toEqual(
      new Set(['/id', '/data/$set']),
    )
  })

  it('bounds extension attributes: names, values and count', () => {
    expect(pathsOf({ ...valid(), Trace: 'x' })).toEqual(['/Trace'])
    expect(pathsOf({ ...valid(), trace_id: 'x' })).toEqual(['/trace_id'])
    expect(pathsOf({ ...valid(), abcdefghijklmnopqrstu: 'x' })).toEqual(['/abcdefghijklmnopqrstu'])
    expect(pathsOf({ ...valid(), traceid: 5 })).toEqual(['/traceid'])
    expect(pathsOf({ ...valid(), traceid: { a: 1 } })).toEqual(['/traceid'])
    expect(pathsOf({ ...valid(), traceid: 'x'.repeat(513) })).toEqual(['/traceid'])
    expect(pathsOf({ ...valid(), traceid: 'a\u0000b' })).toEqual(['/traceid'])
    expect(pathsOf({ ...valid(), traceid: 'a\nb' })).toEqual(['/traceid'])
    const sixteen = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`ext${i}`, 'v']))
    expect(errorsOf({ ...valid(), ...sixteen })).toEqual([])
    expect(pathsOf({ ...valid(), ...sixteen, ext16: 'v' })).toEqual([''])
  })

  it('reports paths as JSON pointers with escaping', () => {
    expect(pathsOf({ ...valid(), 'a/b': 'x' })).toEqual(['/a~1b'])
  })

  it('gives readable messages', () => {
    expect(errorsOf({ ...valid(), subject: 'x' })).toEqual([
      { path: '/subject', message: 'must match format "uscc"' },
    ])
  })

  it('throws a RangeError for an invalid now', () => {
    expect(() => validateEnvelope(valid(), new Date(Number.NaN))).toThrow(RangeError)
  })
})

describe('normalizeEnvelope, canonicalJson and envelopeHash', () => {
  const base = (): EnvelopeInput => ({
    id: 'x-1',
    source: 'samr.ln',
    type: 'penalty.decided',
    subject: USCC,
    time: '2025-06-30T15:00:00+08:00',
    data: { b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } },
  })

  it('applies defaults and sorts keys at every level', () => {
    const normal = normalizeEnvelope(base())
    expect(Object.keys(normal)).toEqual([
      'data',
      'dataversion',
      'id',
      'source',
      'specversion',
      'subject',
      'time',
      'type',
    ])
    expect(normal.specversion).toBe('1.0')
    expect(normal.dataversion).toBe(1)
    expect(Object.keys(normal.data)).toEqual(['a', 'b'])
    expect(canonicalJson(normal)).toBe(
      '{"data":{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1},"dataversion":1,"id":"x-1","source":"samr.ln",' +
        '"specversion":"1.0","subject":"91350100M000100Y43","time":"2025-06-30T15:00:00+08:00","type":"penalty.decided"}',
    )
  })

  it('does not modify its argument', () => {
    const e = base()
    normalizeEnvelope(e)
    expect(e).toEqual(base())
  })

  it('hashes identical content alike, whatever the key order and explicit defaults', () => {
    const a = base()
    const b: EnvelopeInput = {
      data: { a: { c: 'x', d: [3, { y: 2, z: 1 }] }, b: 1 },
      time: '2025-06-30T15:00:00+08:00',
      dataversion: 1,
      subject: USCC,
      type: 'penalty.decided',
      specversion: '1.0',
      source: 'samr.ln',
      id: 'x-1',
    }
    expect(envelopeHash(a)).toBe(envelopeHash(b))
    expect(envelopeHash(a)).toMatch(/^[0-9a-f]{64}$/)
  })

  it('hashes different content differently', () => {
    const a = base()
    const variants: EnvelopeInput[] = [
      { ...a, dataversion: 2 },
      { ...a, time: '2025-06-30T07:00:00Z' }, // same instant, different text: different content
      { ...a, data: { ...a.data, b: 2 } },
      { ...a, data: { ...a.data, extra: null } },
      { ...a, data: { b: 1, a: { d: [{ z: 1, y: 2 }, 3], c: 'x' } } }, // array order matters
    ]
    const hashes = new Set(variants.map(envelopeHash))
    expect(hashes.size).toBe(variants.length)
    expect(hashes.has(envelopeHash(a))).toBe(false)
  })

  it('hashes what validation returns like what was sent', () => {
    const sent = { ...base() }
    const result = validateEnvelope(sent, NOW)
    if (!result.ok) throw new Error('expected ok')
    expect(envelopeHash(result.event)).toBe(envelopeHash(sent))
  })

  it('writes canonical JSON for all JSON values', () => {
    expect(canonicalJson({ b: [1, 'two', null, true], a: { y: undefined, x: -0.5 } })).toBe(
      '{"a":{"x":-0.5},"b":[1,"two",null,true]}',
    )
    expect(canonicalJson('é\u0000"')).toBe('"é\\u0000\\""')
    expect(canonicalJson({ '10': 1, '2': 2, a: 3 })).toBe('{"10":1,"2":2,"a":3}')
  })
})

describe('createAjv', () => {
  it('compiles TypeBox output in strict mode and knows the custom formats', () => {
    const ajv = createAjv()
    const schema = Type.Object({
      uscc: Type.String({ format: 'uscc' }),
      at: Type.String({ format: 'rfc3339-offset' }),
      day: Type.String({ format: 'date' }),
      kind: Type.Optional(
        Type.Union([Type.Literal('company'), Type.Literal('individual')], { default: 'company' }),
      ),
      tags: Type.Array(Type.String(), { minItems: 1, uniqueItems: true }),
      pair: Type.Tuple([Type.String(), Type.Number()]),
      maybe: Type.Union([Type.String(), Type.Null()]),
      rec: Type.Record(Type.String(), Type.Integer()),
      both: Type.Intersect([Type.Object({ a: Type.String() }), Type.Object({ b: Type.String() })]),
    })
    const validate = ajv.compile(schema)
    const value: Record<string, unknown> = {
      uscc: USCC,
      at: '2025-07-01T10:00:00+08:00',
      day: '2025-07-01',
      tags: ['x'],
      pair: ['a', 1],
      maybe: null,
      rec: { a: 1 },
      both: { a: 'a', b: 'b' },
    }
    expect(validate(value)).toBe(true)
    expect(value['kind']).toBe('company')
    expect(validate({ ...value, uscc: 'x', at: '2025-07-01' })).toBe(false)
    expect(issuesFromAjv(validate.errors).map((e) => e.path)).toEqual(['/uscc', '/at'])
  })

  it('refuses unknown keywords (strict)', () => {
    expect(() => createAjv().compile({ type: 'string', madeUp: true })).toThrow()
  })

  it('checks the organisation code only when asked', () => {
    const schema = { type: 'string', format: 'uscc' }
    expect(createAjv().validate(schema, USCC_LEGACY)).toBe(true)
    expect(createAjv({ checkOrgCode: true }).validate(schema, USCC_LEGACY)).toBe(false)
  })

  it('never coerces types', () => {
    expect(createAjv().validate(Type.Integer(), '1')).toBe(false)
  })

  it('prefixes paths for partial schemas', () => {
    const validate = createAjv().compile(Type.Object({ year: Type.Integer() }))
    validate({})
    expect(issuesFromAjv(validate.errors, '/data')).toEqual([{ path: '/data/year', message: 'is required' }])
  })

  it('exposes the envelope schema as plain JSON Schema', () => {
    const json = JSON.parse(JSON.stringify(EnvelopeSchema)) as { required: string[] }
    expect(json.required.sort()).toEqual(['data', 'id', 'source', 'subject', 'time', 'type'])
  })
})
