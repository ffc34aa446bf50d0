/**
 * What one case's history means for the outside world: the outcomes and `ecrs.recall` decisions not
 * yet published, and the case document to write after publishing them. Pure: the consumer and the
 * rules sweep do the I/O around it.
 */
import { toCloudEventRecord, toOutcomeRecord, type Envelope, type Topics } from '@ecrs/contracts'
import type { OutboundRecord } from '@ecrs/kafka'
import {
  derive,
  EMPTY_LEDGER,
  eventKey,
  reconcile,
  type CaseEvent,
  type Ledger,
  type Outcome,
  type RecallCase,
  type RecallDecision,
  type RecallParams,
} from './domain/index.js'
import { eventsOf, type CaseDoc, type PublishedOutcome } from './store.js'

/** The consumer name on the outcomes topic (the catalogue's `recall`). */
export const CONSUMER = 'recall'

/** The source of everything the service decides itself (contract §3). */
export const SYSTEM_SOURCE = 'ecrs.recall'

export interface SettleContext {
  readonly params: RecallParams
  readonly topics: Topics
}

/** The result of {@link settle}: publish `records`, then write `doc` (when `changed`). */
export interface Settled {
  readonly doc: CaseDoc
  readonly records: OutboundRecord[]
  /** Ids of the decisions among `records`. */
  readonly published: string[]
  /** False when nothing would change: no record to send, the document as it was. */
  readonly changed: boolean
}

/** `known` plus those of `fresh` whose (source, id) is new: a replayed or resubmitted event counts once. */
export const mergeEvents = (
  known: readonly CaseEvent[],
  fresh: readonly CaseEvent[],
): { events: CaseEvent[]; added: number } => {
  const seen = new Set(known.map(eventKey))
  const events = [...known]
  for (const e of fresh) {
    if (seen.has(eventKey(e))) continue
    seen.add(eventKey(e))
    events.push(e)
  }
  return { events, added: events.length - known.length }
}

const decisionEnvelope = (d: RecallDecision): Envelope => ({
  specversion: '1.0',
  id: d.id,
  source: SYSTEM_SOURCE,
  type: d.type,
  subject: d.subject,
  time: d.time,
  dataversion: 1,
  data: { ...d.data },
})

const sameOutcome = (a: PublishedOutcome | undefined, b: Outcome): boolean =>
  a !== undefined && a.status === b.status && a.reason === b.reason

/** The lower-case text the public search matches: product name, model, producer name and USCC. */
export const searchText = (c: RecallCase | undefined): string =>
  c === undefined
    ? ''
    : [c.product.name, c.product.model, c.producer.name, c.producer.uscc]
        .filter((s): s is string => s !== undefined)
        .join('\n')
        .toLowerCase()

// A document written before the ledger existed: take what it published to be what its own history
// called for when it was written.
const ledgerOf = (prev: CaseDoc | null, params: RecallParams): Ledger => {
  if (prev === null) return EMPTY_LEDGER
  if (prev.ledger !== undefined) return prev.ledger
  if (prev.decisions.length === 0) return EMPTY_LEDGER
  const then = derive(eventsOf(prev), prev.updatedAt, params)
  return reconcile(then.case, then.statuses, EMPTY_LEDGER).ledger
}

/**
 * Derives the case `recallId` from `events` as of `now` and compares with what `prev` says was
 * published: outcomes that changed (the first word on an event, or a back-dated step that turned
 * it) become records, and so do the decisions that bring what was published about its obligations
 * and statuses in line with the whole history (voiding what it contradicts, see reconcile.ts); the
 * new document remembers them.
 */
export const settle = (
  prev: CaseDoc | null,
  recallId: string,
  events: readonly CaseEvent[],
  now: Date,
  ctx: SettleContext,
): Settled => {
  const d = derive(events, now, ctx.params)
  const byKey = new Map(events.map((e) => [eventKey(e), e]))
  const before = new Map((prev?.outcomes ?? []).map((o) => [eventKey(o), o]))
  const records: OutboundRecord[] = []
  const outcomes: PublishedOutcome[] = []
  for (const [key, o] of d.outcomes) {
    const e = byKey.get(key)
    if (e === undefined) continue
    outcomes.push({ source: e.source, id: e.id, status: o.status, ...(o.reason ? { reason: o.reason } : {}) })
    if (sameOutcome(before.get(key), o)) continue
    records.push(
      toOutcomeRecord(ctx.topics.outcomes, {
        source: e.source,
        id: e.id,
        type: e.type,
        consumer: CONSUMER,
        status: o.status,
        ...(o.reason ? { reason: o.reason } : {}),
        at: now,
        recordedAt: e.recordedAt,
      }),
    )
  }
  // Outcomes of events that no longer count (none today: time only moves forward) are kept as sent.
  for (const [key, o] of before) if (!d.outcomes.has(key)) outcomes.push(o)
  const sent = new Set(prev?.decisions ?? [])
  const published = ledgerOf(prev, ctx.params)
  const { decisions: fresh, ledger } = reconcile(d.case, d.statuses, published)
  for (const x of fresh) {
    sent.add(x.id)
    // The broker stamps the record: `now` is the service's clock (data), which the broker may refuse.
    const { timestamp: _stamp, ...record } = toCloudEventRecord(decisionEnvelope(x), {
      topic: ctx.topics.enterprise,
      key: x.subject,
      recordedAt: now,
    })
    records.push(record)
  }
  const c = d.case
  const doc: CaseDoc = {
    _id: recallId,
    version: (prev?.version ?? 0) + 1,
    events: events.map((e) => JSON.stringify(e)),
    outcomes,
    decisions: [...sent],
    ledger,
    ...(c === undefined ? {} : { case: c, status: c.status, producer: c.producer.uscc }),
    regions: [...(c?.regions ?? [])],
    published: c?.noticePublishedAt !== undefined,
    search: searchText(c),
    ...(d.nextChangeAt === undefined ? {} : { nextChangeAt: new Date(d.nextChangeAt) }),
    updatedAt: now,
  }
  const changed =
    prev === null ||
    records.length > 0 ||
    prev.events.length !== doc.events.length ||
    prev.nextChangeAt?.getTime() !== doc.nextChangeAt?.getTime() ||
    JSON.stringify(prev.ledger) !== JSON.stringify(ledger) ||
    JSON.stringify(prev.case) !== JSON.stringify(doc.case)
  return { doc, records, published: fresh.map((x) => x.id), changed }
}
