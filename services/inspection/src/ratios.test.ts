import { describe, expect, it } from 'vitest'
import { parseRatios } from './ratios.js'

describe('parseRatios (INSPECTION_RATIOS)', () => {
  it('reads the default', () => {
    expect(parseRatios('A=0.01,B=0.03,C=0.1,D=0.3')).toEqual({ A: 0.01, B: 0.03, C: 0.1, D: 0.3 })
  })

  it('takes any order, spaces, 0 and 1', () => {
    expect(parseRatios(' D=1, C=0 ,B=.5,A=1.0')).toEqual({ A: 1, B: 0.5, C: 0, D: 1 })
  })

  it.each([
    ['A=0.01,B=0.03,C=0.1', 'class D missing'],
    ['A=0.01,A=0.02,B=0.03,C=0.1,D=0.3', 'class A is given twice'],
    ['A=0.01,B=0.03,C=0.1,D=1.5', 'D=1.5 is not a number from 0 to 1'],
    ['A=-0.1,B=0.03,C=0.1,D=0.3', 'A=-0.1 is not a number from 0 to 1'],
    ['A=x,B=0.03,C=0.1,D=0.3', 'A=x is not a number'],
    ['A=,B=0.03,C=0.1,D=0.3', 'A= is not a number'],
    ['A=1e-2,B=0.03,C=0.1,D=0.3', 'A=1e-2 is not a number'],
    ['E=0.1,A=0.01,B=0.03,C=0.1,D=0.3', 'unknown class "E"'],
    ['A0.01,B=0.03,C=0.1,D=0.3', 'is not CLASS=ratio'],
    ['', 'is not CLASS=ratio'],
  ])('refuses %j', (text, message) => {
    expect(() => parseRatios(text)).toThrow(message)
  })
})
