/**
 * What an accepted step does to a case: its new status, the obligations it creates or fulfils, and
 * the decisions that follow. Only steps that {@link judgeStep} accepted get here.
 */
import { addDuty, addProgressPeriod, cancelOpen, fulfil, templateOf } from './obligations.js'
import { statusDecision } from './decisions.js'
import type { RecallParams } from './params.js'
import { statusAfter } from './status-machine.js'
import type { OpeningData, RecallStepType, StepData } from './steps.js'
import type { CaseEvent, Obligation, RecallCase, RecallDecision } from './types.js'

/** A case after a step, with the `recall.status-changed` it calls for when what the profile shows changed. */
export interface Change {
  readonly case: RecallCase
  readonly status?: RecallDecision
}

/** An accepted step: the event, its data as read, and its instant. */
export interface AcceptedStep {
  readonly event: CaseEvent
  readonly type: RecallStepType
  readonly data: StepData
  /** `event.time` in epoch ms. */
  readonly at: number
}

const completionRate = (remedied: number, affected: number): number =>
  Math.min(1, Math.max(0, remedied / affected))

const open = (step: AcceptedStep, d: OpeningData): RecallCase => ({
  recallId: d.recallId,
  producer: { uscc: step.event.subject, ...(d.producerName === undefined ? {} : { name: d.producerName }) },
  product: d.product,
  status: step.type === 'recall.ordered' ? 'ordered' : 'initiated',
  hazard: d.hazard,
  ...(d.regions === undefined ? {} : { regions: d.regions }),
  ordered: step.type === 'recall.ordered',
  ...(d.decisionNo === undefined ? {} : { decisionNo: d.decisionNo }),
  unitsAffected: d.unitsAffected,
  unitsRemedied: 0,
  completionRate: 0,
  obligations: [],
  timeline: [],
})

const withUnits = (c: RecallCase, data: StepData): RecallCase =>
  data.kind === 'units'
    ? {
        ...c,
        unitsRemedied: data.unitsRemedied,
        completionRate: completionRate(data.unitsRemedied, c.unitsAffected),
      }
    : c

const kindIs =
  (...kinds: readonly Obligation['kind'][]) =>
  (o: Obligation): boolean =>
    kinds.includes(o.kind)

// Progress and completion report units: any unit remedied shows the owners were reached.
const reportFulfils = (data: StepData): ((o: Obligation) => boolean) =>
  data.kind === 'units' && data.unitsRemedied > 0
    ? kindIs('progress-report', 'notify-owners')
    : kindIs('progress-report')

// The obligations a step creates, fulfils or cancels, given the case with its new status; `opened`
// tells whether the step created the case.
const duties = (c: RecallCase, step: AcceptedStep, params: RecallParams, opened: boolean): RecallCase => {
  const t = templateOf(c, params)
  const { time, source, id } = step.event
  const by = { time, source, id, at: step.at }
  switch (step.type) {
    case 'recall.initiated':
    case 'recall.ordered':
      // An order for an existing voluntary recall keeps the deadlines already running.
      return opened ? addDuty(c, 'submit-plan', time, t.submitPlanWd) : c
    case 'recall.plan-submitted':
      return fulfil(c, kindIs('submit-plan'), by)
    case 'recall.plan-accepted': {
      const notice = addDuty(c, 'publish-notice', time, t.publishNoticeWd)
      return t.notifyOwnersWd === undefined
        ? notice
        : addDuty(notice, 'notify-owners', time, t.notifyOwnersWd)
    }
    case 'recall.plan-returned':
      return addDuty(c, 'submit-plan', time, t.resubmitPlanWd)
    case 'recall.notice-published':
      return addProgressPeriod(fulfil(c, kindIs('publish-notice'), by), params)
    case 'recall.progress-reported':
      return fulfil(c, reportFulfils(step.data), by)
    case 'recall.completed':
      return addDuty(fulfil(c, reportFulfils(step.data), by), 'submit-summary', time, t.submitSummaryWd)
    case 'recall.summary-submitted':
      return fulfil(c, kindIs('submit-summary'), by)
    case 'recall.closed':
      return cancelOpen(c)
  }
}

// What the credit profile shows of a case; a change of any of it is published.
const shown = (c: RecallCase | undefined): string =>
  c === undefined ? '' : `${c.status}|${c.noticePublishedAt !== undefined}|${c.ordered}`

/** Applies an accepted step to `c` (undefined for an opening step) and says what to publish. */
export const evolve = (c: RecallCase | undefined, step: AcceptedStep, params: RecallParams): Change => {
  const { type, data, event } = step
  let next: RecallCase
  if (c === undefined) {
    if (data.kind !== 'opening') throw new Error(`${type} cannot open a case`)
    next = open(step, data)
  } else {
    next = withUnits({ ...c, status: statusAfter(c, type) }, data)
    if (type === 'recall.ordered' && data.kind === 'opening') {
      next = {
        ...next,
        ordered: true,
        ...(data.decisionNo === undefined ? {} : { decisionNo: data.decisionNo }),
      }
    }
    if (type === 'recall.notice-published') next = { ...next, noticePublishedAt: event.time }
  }
  next = {
    ...next,
    timeline: [...next.timeline, { type, time: event.time, source: event.source, id: event.id }],
  }
  const changed = duties(next, step, params, c === undefined)
  return shown(changed) === shown(c)
    ? { case: changed }
    : { case: changed, status: statusDecision(changed, event) }
}
