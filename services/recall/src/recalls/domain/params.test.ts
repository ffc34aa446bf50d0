import { describe, expect, it } from 'vitest'
import { assertRecallParams, defaultRecallParams, type RecallParams, type Template } from './params.js'

const withConsumer = (patch: Partial<Record<keyof Template, number>>): RecallParams => ({
  templates: {
    ...defaultRecallParams.templates,
    'consumer-product': { ...defaultRecallParams.templates['consumer-product'], ...patch },
  },
})

describe('recall parameters', () => {
  it('the defaults are the contract §7 table', () => {
    expect(defaultRecallParams.templates).toEqual({
      'consumer-product': {
        submitPlanWd: 10,
        resubmitPlanWd: 10,
        publishNoticeWd: 3,
        progressPeriodMonths: 3,
        submitSummaryWd: 15,
      },
      vehicle: {
        submitPlanWd: 10,
        resubmitPlanWd: 10,
        publishNoticeWd: 5,
        notifyOwnersWd: 30,
        progressPeriodMonths: 3,
        submitSummaryWd: 15,
      },
    })
    expect(() => assertRecallParams(defaultRecallParams)).not.toThrow()
  })
  it.each([
    [{ submitPlanWd: -1 }, /submitPlanWd/],
    [{ publishNoticeWd: 2.5 }, /publishNoticeWd/],
    [{ progressPeriodMonths: 0 }, /progressPeriodMonths/],
  ])('refuses %j', (patch, message) => {
    expect(() => assertRecallParams(withConsumer(patch))).toThrow(message)
  })
  it('allows 0 working days (due at the end of the trigger day)', () => {
    expect(() => assertRecallParams(withConsumer({ submitSummaryWd: 0 }))).not.toThrow()
  })
})
