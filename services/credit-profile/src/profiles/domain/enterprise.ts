/**
 * The enterprise itself and its inspections (contract §4.1): registration, changes,
 * deregistration, inspection findings.
 */
import { parseDate } from '@ecrs/contracts'
import { iso, type TimedEvent } from './order.js'
import { applied, rejected, text, texts, type FoldState } from './state.js'
import type { InspectionView } from './types.js'

/** The registration facts of an `enterprise.registered`, or undefined when they are unusable. */
export const registrationFacts = (
  data: Readonly<Record<string, unknown>>,
): { name: string; region: string; registeredAt: string; year: number; kind: string } | undefined => {
  const name = text(data, 'name')
  const region = text(data, 'region')
  const registeredAt = text(data, 'registeredAt')
  const date = registeredAt === undefined ? undefined : parseDate(registeredAt)
  if (name === undefined || region === undefined || registeredAt === undefined || date === undefined) {
    return undefined
  }
  return { name, region, registeredAt, year: date.year, kind: text(data, 'kind') ?? 'company' }
}

/** `enterprise.registered`: once per enterprise. */
export const register = (s: FoldState, e: TimedEvent): void => {
  const facts = registrationFacts(e.data)
  if (facts === undefined) return rejected(s, e, 'EVENT_INVALID')
  if (s.registered) return rejected(s, e, 'ALREADY_REGISTERED')
  s.registered = true
  s.name = facts.name
  s.region = facts.region
  s.kind = facts.kind
  s.registeredAt = facts.registeredAt
  const legalRepresentative = text(e.data, 'legalRepresentative')
  const address = text(e.data, 'address')
  if (legalRepresentative !== undefined) s.legalRepresentative = legalRepresentative
  if (address !== undefined) s.address = address
  applied(s, e)
}

const CHANGEABLE = ['name', 'region', 'kind', 'legalRepresentative', 'address'] as const

/** `enterprise.changed`: the fields it names. */
export const change = (s: FoldState, e: TimedEvent): void => {
  for (const field of CHANGEABLE) {
    const value = text(e.data, field)
    if (value !== undefined) s[field] = value
  }
  applied(s, e)
}

/** `enterprise.deregistered`: once, after registration. */
export const deregister = (s: FoldState, e: TimedEvent): void => {
  if (!s.registered) return rejected(s, e, 'NOT_REGISTERED')
  if (s.deregisteredAt !== undefined) return rejected(s, e, 'ALREADY_DEREGISTERED')
  s.deregisteredAt = e.at
  applied(s, e)
}

/** `inspection.recorded`: one per `inspectionId`. */
export const recordInspection = (s: FoldState, e: TimedEvent): void => {
  const inspectionId = text(e.data, 'inspectionId')
  const kind = text(e.data, 'kind')
  const results = texts(e.data, 'results')
  if (inspectionId === undefined || kind === undefined || results === undefined || results.length === 0) {
    return rejected(s, e, 'EVENT_INVALID')
  }
  if (s.inspections.has(inspectionId)) return rejected(s, e, 'DUPLICATE_ENTITY')
  s.inspections.set(inspectionId, {
    inspectionId,
    kind,
    inspectedAt: e.at,
    agency: e.source,
    results,
    ref: e.ref,
  })
  applied(s, e)
}

/** The inspection rows at asOf, in time order. */
export const inspectionRows = (s: FoldState): InspectionView[] =>
  [...s.inspections.values()]
    .sort((a, b) => a.inspectedAt - b.inspectedAt)
    .map((i) => ({
      inspectionId: i.inspectionId,
      kind: i.kind,
      inspectedAt: iso(i.inspectedAt),
      agency: i.agency,
      results: i.results,
      provenance: i.ref,
    }))
