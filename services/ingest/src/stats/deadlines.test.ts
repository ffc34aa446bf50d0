import { eventTypes } from '@ecrs/contracts'
import { describe, expect, it } from 'vitest'
import { DEFAULT_DEADLINES, parseDeadlines } from './deadlines.js'

describe('parseDeadlines (TIMELINESS_DEADLINES)', () => {
  it('by default: 7 working days for penalty decisions, 20 for every other type', () => {
    const d = parseDeadlines(DEFAULT_DEADLINES)
    expect(d('penalty.decided')).toBe(7)
    for (const t of eventTypes.filter((t) => t !== 'penalty.decided')) expect(d(t)).toBe(20)
  })

  it('takes overrides per type; types not named get `*`, or 20 without it', () => {
    const d = parseDeadlines('penalty.decided=5, inspection.recorded = 3 ,*=15')
    expect(d('penalty.decided')).toBe(5)
    expect(d('inspection.recorded')).toBe(3)
    expect(d('recall.ordered')).toBe(15)
    const noStar = parseDeadlines('inspection.recorded=0')
    expect(noStar('inspection.recorded')).toBe(0)
    expect(noStar('penalty.decided')).toBe(20)
    expect(noStar('recall.ordered')).toBe(20)
  })

  it('`*` alone sets every type', () => {
    const d = parseDeadlines('*=10')
    for (const t of eventTypes) expect(d(t)).toBe(10)
    expect(parseDeadlines('*=9999')('penalty.decided')).toBe(9999)
  })

  it('refuses an unknown type, naming it', () => {
    expect(() => parseDeadlines('penalty.decide=7')).toThrow(
      'TIMELINESS_DEADLINES: unknown event type penalty.decide',
    )
    expect(() => parseDeadlines('*penalty=7')).toThrow(/unknown event type \*penalty/)
  })

  it('refuses what is not type=days: a bad number, a missing part, an empty list', () => {
    for (const bad of [
      'penalty.decided=x',
      'penalty.decided=-1',
      'penalty.decided=1.5',
      'penalty.decided=12345',
      'penalty.decided=',
      'penalty.decided',
      '=7',
      'penalty.decided=7,',
      '',
    ])
      expect(() => parseDeadlines(bad), bad).toThrow(/^TIMELINESS_DEADLINES: ".*" is not type=days$/)
    expect(() => parseDeadlines('penalty.decided=7;*=20')).toThrow(
      'TIMELINESS_DEADLINES: "penalty.decided=7;*=20" is not type=days',
    )
  })

  it('refuses a type given twice, and `*` given twice', () => {
    expect(() => parseDeadlines('penalty.decided=7,*=20,penalty.decided=8')).toThrow(
      'TIMELINESS_DEADLINES: penalty.decided is given twice',
    )
    expect(() => parseDeadlines('*=7, *=8')).toThrow('TIMELINESS_DEADLINES: * is given twice')
  })
})
