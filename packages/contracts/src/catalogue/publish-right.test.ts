import { describe, it, expect } from 'vitest'
import type { Envelope } from '../envelope.js'
import { publishRight, type Publisher } from './publish-right.js'
import type { EventType } from './specs.js'
import { validateEvent } from './validate-event.js'
import { AGENCY, FIRM, NOW, OTHER_FIRM, exampleEvent } from './testing/examples.js'

const valid = (type: EventType, overrides: Record<string, unknown> = {}) => {
  const result = validateEvent(exampleEvent(type, overrides), NOW)
  if (!result.ok) throw new Error(`example ${type} must be valid: ${JSON.stringify(result.errors)}`)
  return result
}

const right = (p: Publisher, type: EventType, overrides: Record<string, unknown> = {}) => {
  const { event, spec } = valid(type, overrides)
  return publishRight(p, event, spec)
}

const agency: Publisher = { kind: 'agency', agency: AGENCY }
const firm: Publisher = { kind: 'firm', uscc: FIRM }
const asFirm = { source: `firm:${FIRM}` }

describe('publishRight', () => {
  it.each<EventType>([
    'penalty.decided',
    'annual-report.filed',
    'abnormal-list.entered',
    'recall.initiated',
    'recall.ordered',
    'recall.progress-reported',
    'recall.closed',
  ])('lets an agency publish %s as itself', (type) => {
    expect(right(agency, type)).toEqual({ ok: true })
  })

  it('refuses an agency publishing as another agency or as a firm', () => {
    expect(right(agency, 'penalty.decided', { source: 'samr.bj' })).toMatchObject({ ok: false })
    expect(right(agency, 'penalty.decided', asFirm)).toMatchObject({ ok: false })
  })

  it.each(['ecrs.rules', 'ecrs.recall'])('refuses the reserved source %s to everyone', (source) => {
    const reserved: Publisher = { kind: 'agency', agency: source }
    expect(right(reserved, 'abnormal-list.entered', { source })).toEqual({
      ok: false,
      reason: expect.stringContaining("'ecrs.'") as unknown,
    })
    expect(right(agency, 'recall.status-changed', { source })).toMatchObject({ ok: false })
  })

  it("refuses an agency the recall service's types", () => {
    expect(right(agency, 'recall.status-changed', { source: AGENCY })).toMatchObject({
      ok: false,
      reason: 'Agencies may not publish recall.status-changed events.',
    })
  })

  it.each<EventType>([
    'annual-report.filed',
    'credit-repair.applied',
    'recall.initiated',
    'recall.plan-submitted',
    'recall.notice-published',
    'recall.progress-reported',
    'recall.completed',
    'recall.summary-submitted',
  ])('lets a firm publish %s about itself', (type) => {
    expect(right(firm, type, asFirm)).toEqual({ ok: true })
  })

  it.each<EventType>([
    'penalty.decided',
    'abnormal-list.removed',
    'credit-repair.decided',
    'recall.ordered',
    'recall.plan-accepted',
    'recall.closed',
    'recall.obligation-fulfilled',
    'recall.obligation-voided',
  ])('refuses a firm the agency or system type %s', (type) => {
    expect(right(firm, type, asFirm)).toEqual({ ok: false, reason: `Firms may not publish ${type} events.` })
  })

  it('refuses a firm publishing about another firm or as another firm', () => {
    expect(right(firm, 'annual-report.filed', { ...asFirm, subject: OTHER_FIRM })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('about itself') as unknown,
    })
    expect(right(firm, 'annual-report.filed', { source: `firm:${OTHER_FIRM}` })).toMatchObject({ ok: false })
    expect(right(firm, 'annual-report.filed', { source: AGENCY })).toMatchObject({ ok: false })
  })

  it.each<Publisher>([{ kind: 'regulator' }, { kind: 'admin' }, { kind: 'public' }])(
    'refuses $kind everything',
    (p) => {
      expect(right(p, 'penalty.decided')).toMatchObject({ ok: false })
      expect(right(p, 'annual-report.filed', asFirm)).toMatchObject({ ok: false })
    },
  )

  it('gives short sentences as reasons', () => {
    const { event, spec } = valid('penalty.decided')
    const other: Envelope = { ...event, source: 'samr.bj' }
    const answer = publishRight(agency, other, spec)
    expect(answer).toEqual({ ok: false, reason: "Agency samr.ln may publish only as source 'samr.ln'." })
  })
})
