/**
 * Builders of enterprise histories for the domain's unit tests.
 */
import { parseInstant } from '@ecrs/contracts'
import { derive } from '../fold.js'
import { defaultProfileParams, type ProfileParams } from '../params.js'
import type { Derivation, FullProfile, HistoryEvent, RuleDecision } from '../types.js'

/** A valid USCC (GB 32100 check character). */
export const USCC = '91350100M000100Y43'

let counter = 0

/** Options of an event: who publishes it, its id, when it was recorded. */
export interface EventOptions {
  readonly source?: string
  readonly id?: string
  readonly recordedAt?: string
}

/** An instant from RFC 3339 (or a date: the end of that Shanghai day). */
export const at = (s: string): Date => {
  const d = parseInstant(s)
  if (d === undefined) throw new Error(`bad instant ${s}`)
  return d
}

/** One event of the history; recorded when it took effect unless told otherwise. */
export const ev = (
  type: string,
  time: string,
  data: Record<string, unknown>,
  options: EventOptions = {},
): HistoryEvent => ({
  source: options.source ?? 'samr.fj',
  id: options.id ?? `e${++counter}`,
  type,
  subject: USCC,
  time,
  recordedAt: options.recordedAt ?? at(time).toISOString(),
  data,
})

/** `enterprise.registered` on `date` at 09:00 +08:00. */
export const registered = (date: string, extra: Record<string, unknown> = {}): HistoryEvent =>
  ev('enterprise.registered', `${date}T09:00:00+08:00`, {
    name: 'Fuzhou Acme Ltd',
    registeredAt: date,
    region: '350102',
    ...extra,
  })

/** `annual-report.filed` by the firm. */
export const filed = (year: number, time: string, options: EventOptions = {}): HistoryEvent =>
  ev('annual-report.filed', time, { year }, { source: `firm:${USCC}`, ...options })

/** `penalty.decided` at `time`. */
export const penalty = (
  decisionNo: string,
  time: string,
  data: Record<string, unknown>,
  options: EventOptions = {},
): HistoryEvent => ev('penalty.decided', time, { decisionNo, domain: 'product-quality', ...data }, options)

/** A system decision as the service would publish it. */
export const published = (d: RuleDecision, recordedAt?: string): HistoryEvent => ({
  source: 'ecrs.rules',
  id: d.id,
  type: d.type,
  subject: d.subject,
  time: d.time,
  recordedAt: recordedAt ?? d.time,
  data: d.data,
})

/** `derive` with an asOf given as a string. */
export const deriveAt = (
  history: readonly HistoryEvent[],
  asOf: string,
  params: ProfileParams = defaultProfileParams,
): Derivation => derive(history, at(asOf), params)

/** The profile at asOf, which must exist. */
export const profileAt = (
  history: readonly HistoryEvent[],
  asOf: string,
  params: ProfileParams = defaultProfileParams,
): FullProfile => {
  const { profile } = deriveAt(history, asOf, params)
  if (profile === undefined) throw new Error('no profile')
  return profile
}

/** An ISO instant from RFC 3339. */
export const isoOf = (s: string): string => at(s).toISOString()

/** A deterministic shuffle (mulberry32), so a failing order can be replayed. */
export const shuffled = <T>(items: readonly T[], seed: number): T[] => {
  let a = seed >>> 0
  const random = (): number => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    const tmp = out[i] as T
    out[i] = out[j] as T
    out[j] = tmp
  }
  return out
}
