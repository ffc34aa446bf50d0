import type { Json } from './public-api.js'

/**
 * Contract §4.1 events the tests publish. Each is applied when it arrives, in any order after its
 * enterprise's registration (unique inspection ids and decision numbers). Times are relative to
 * now, so the tests do not age: a firm registered 60 days ago owes its first annual report on
 * 30 June of the next year, at least four months ahead, and the rules decide nothing about it.
 */
export const AGENCY = 'samr.ln'

const DAY = 86_400_000
const registeredAtMs = Date.now() - 60 * DAY

/** An instant `days` days before now (RFC 3339). */
export const daysAgo = (days: number): string => new Date(Date.now() - days * DAY).toISOString()

/** The n-th minute after a point 50 days ago: after the registration, well before now. */
const at = (minute: number): string => new Date(Date.now() - 50 * DAY + minute * 60_000).toISOString()

export const registered = (uscc: string, name = `测试企业 ${uscc.slice(-6)}`): Json => ({
  id: `reg-${uscc}`,
  source: AGENCY,
  type: 'enterprise.registered',
  subject: uscc,
  time: new Date(registeredAtMs).toISOString(),
  // The registration date in Asia/Shanghai (UTC+8, no daylight saving).
  data: {
    name,
    registeredAt: new Date(registeredAtMs + 8 * 3_600_000).toISOString().slice(0, 10),
    region: '210102',
  },
})

/** The n-th inspection of an enterprise (no problem found: it changes no risk). */
export const inspection = (uscc: string, n: number): Json => ({
  id: `insp-${uscc}-${n}`,
  source: AGENCY,
  type: 'inspection.recorded',
  subject: uscc,
  time: at(n),
  data: { inspectionId: `I-${n}`, kind: 'random', results: ['no-problem'] },
})

/** The n-th penalty of an enterprise: a warning (never published, no risk points). */
export const warning = (uscc: string, n: number): Json => ({
  id: `pen-${uscc}-${n}`,
  source: AGENCY,
  type: 'penalty.decided',
  subject: uscc,
  time: at(n),
  data: { decisionNo: `D-${n}`, measures: ['warning'], domain: 'other' },
})

/**
 * A stream for `enterprises` firms of `perEnterprise` events each (registration first), interleaved
 * round-robin so every batch touches many enterprises and each one's events keep their order.
 */
export const eventStream = (usccs: readonly string[], perEnterprise: number): Json[] => {
  const out: Json[] = []
  for (let n = 0; n < perEnterprise; n++)
    for (const uscc of usccs)
      out.push(n === 0 ? registered(uscc) : n % 2 === 0 ? warning(uscc, n) : inspection(uscc, n))
  return out
}

/** The expected applied ids per enterprise of a list of events. */
export const expectedBySubject = (events: readonly Json[]): Map<string, Set<string>> => {
  const m = new Map<string, Set<string>>()
  for (const e of events) {
    const s = m.get(e['subject'] as string) ?? new Set<string>()
    s.add(e['id'] as string)
    m.set(e['subject'] as string, s)
  }
  return m
}

/**
 * An agency opens a recall of `uscc`'s heater `daysBack` days ago: id `<idPrefix>-<uscc>`, recallId
 * `<casePrefix>-<uscc>`.
 */
export const recallOpened = (uscc: string, idPrefix: string, casePrefix: string, daysBack = 40): Json => ({
  id: `${idPrefix}-${uscc}`,
  source: AGENCY,
  type: 'recall.initiated',
  subject: uscc,
  time: daysAgo(daysBack),
  data: {
    recallId: `${casePrefix}-${uscc}`,
    product: { name: `Heater ${uscc.slice(-5)}`, category: 'consumer-product' },
    unitsAffected: 50,
    hazard: 'fire',
  },
})
