import { toChangeRecord, toCloudEventRecord, toOutcomeRecord, type Topics } from '@ecrs/contracts'
import type { OutboundRecord } from '@ecrs/kafka'
import {
  derive,
  overdueOnly,
  profileChanges,
  profileFacts,
  searchFields,
  type Derivation,
  type ProfileFacts,
  type ProfileParams,
} from './domain/index.js'
import {
  regionPrefixes,
  toHistory,
  type EnterpriseDoc,
  type PublishedOutcome,
  type StoredEvent,
} from './store.js'

export const CONSUMER = 'credit-profile'
const RULES = 'ecrs.rules'

/** What reprojecting one enterprise gives: the new document and the records to publish first. */
export interface Projection {
  doc: EnterpriseDoc
  /** Outcomes and system decisions. */
  records: OutboundRecord[]
  /** Ids of the `ecrs.rules` decisions among `records`. */
  decisions: string[]
  /** Change records (contract §8): what changed from the stored profile to the new one, by instant. */
  changes: OutboundRecord[]
}

export const emptyDoc = (uscc: string, now: Date): EnterpriseDoc => ({
  _id: uscc,
  version: 0,
  events: [],
  outcomes: [],
  decisions: [],
  registered: false,
  updatedAt: now,
})

/**
 * Appends new events (deduplicated by source and id), derives the profile at `now`, and lists
 * what must be published: outcomes that changed since last published (contract §5: an outcome
 * may change when a back-dated event arrives), system decisions not yet published, and what
 * changed from the stored profile to this one (contract §8; nothing for a duplicate).
 */
export const reproject = (
  prev: EnterpriseDoc,
  fresh: readonly StoredEvent[],
  now: Date,
  params: ProfileParams,
  topics: Topics,
): Projection => {
  const seen = new Set(prev.events.map((e) => `${e.source}/${e.id}`))
  const events = [...prev.events]
  const added: StoredEvent[] = []
  for (const e of fresh) {
    const k = `${e.source}/${e.id}`
    if (!seen.has(k)) {
      seen.add(k)
      events.push(e)
      added.push(e)
    }
  }
  const d = derive(toHistory(events), now, params)
  const records: OutboundRecord[] = []

  const last = new Map(prev.outcomes.map((o) => [o.key, o]))
  const outcomes: PublishedOutcome[] = []
  const byKey = new Map(events.map((e) => [`${e.source}/${e.id}`, e]))
  for (const [key, o] of d.outcomes) {
    const p: PublishedOutcome = { key, status: o.status, ...(o.reason ? { reason: o.reason } : {}) }
    outcomes.push(p)
    const before = last.get(key)
    if (before?.status === p.status && before.reason === p.reason) continue
    const cut = key.indexOf('/')
    records.push(
      toOutcomeRecord(topics.outcomes, {
        source: key.slice(0, cut),
        id: key.slice(cut + 1),
        type: byKey.get(key)?.type ?? 'unknown',
        consumer: CONSUMER,
        status: o.status,
        ...(o.reason ? { reason: o.reason } : {}),
        at: now,
        ...(byKey.get(key)?.recordedAt ? { recordedAt: byKey.get(key)!.recordedAt } : {}),
      }),
    )
  }
  // Events after `now` (a slightly future time) have no outcome yet: keep what was published.
  for (const o of prev.outcomes) if (!d.outcomes.has(o.key)) outcomes.push(o)

  const inHistory = new Set(events.filter((e) => e.source === RULES).map((e) => e.id))
  const published = new Set(prev.decisions)
  const decisions: string[] = []
  for (const dec of d.decisions) {
    if (inHistory.has(dec.id) || published.has(dec.id)) continue
    decisions.push(dec.id)
    records.push(
      toCloudEventRecord(
        {
          specversion: '1.0',
          id: dec.id,
          source: RULES,
          type: dec.type,
          subject: dec.subject,
          time: dec.time,
          dataversion: 1,
          data: dec.data,
        },
        { topic: topics.enterprise, key: dec.subject, recordedAt: now },
      ),
    )
  }

  const p = d.profile
  const changes = changeRecords(prev, d, added, now, params, topics)
  const search = p ? searchFields(p) : undefined
  const doc: EnterpriseDoc = {
    _id: prev._id,
    version: prev.version + 1,
    events,
    outcomes,
    decisions: [...prev.decisions, ...decisions],
    registered: p !== undefined,
    updatedAt: now,
    ...(p && search
      ? {
          profile: p,
          overdue: overdueOnly(d.obligations),
          name: search.name,
          region: search.region,
          regionPrefixes: regionPrefixes(search.region),
          riskClass: search.riskClass,
          abnormalActive: search.abnormalActive,
          seriousActive: search.seriousActive,
        }
      : {}),
    ...(d.nextChangeAt ? { nextChangeAt: new Date(d.nextChangeAt) } : {}),
  }
  return { doc, records, decisions, changes }
}

// The stored side of the comparison. A document written before it kept its overdue obligations is
// derived again at its own instant, once (its next write keeps them).
const storedFacts = (prev: EnterpriseDoc, params: ProfileParams): ProfileFacts | undefined => {
  if (prev.profile === undefined) return undefined
  const obligations =
    prev.overdue ?? overdueOnly(derive(toHistory(prev.events), prev.updatedAt, params).obligations)
  return { profile: prev.profile, obligations }
}

const changeRecords = (
  prev: EnterpriseDoc,
  d: Derivation,
  added: readonly StoredEvent[],
  now: Date,
  params: ProfileParams,
  topics: Topics,
): OutboundRecord[] => {
  const p = d.profile
  if (p === undefined) return []
  const groups = profileChanges(storedFacts(prev, params), profileFacts(d), {
    now,
    eventTimes: added.map((e) => e.time),
  })
  return groups.map((g) =>
    toChangeRecord(
      topics.changes,
      {
        uscc: prev._id,
        name: p.name,
        region: p.region,
        enterpriseKind: p.kind,
        time: g.time,
        changes: g.changes,
      },
      now,
    ),
  )
}
