/**
 * fast-check generators of enterprise histories for the arrival-order properties (issue 10): every
 * catalogue type an agency or a firm publishes, valid and invalid (for the domain: late, duplicate,
 * out of turn, not eligible — always valid for ingest's schema and rights, so the same history can be
 * sent through ingest), with times that often land exactly on deadlines (24:00 of a day).
 *
 * A history is a template: `instantiate` names it for one enterprise (USCC, ids, recall ids), so the
 * end-to-end property can send the same history for two fresh enterprises.
 */
import fc from 'fast-check'

/** Who publishes an item: the main agency, a second agency (not the deciding one), or the firm itself. */
export type Publisher = 'agency' | 'agency2' | 'firm'

/** One event of a generated history, before it is named for an enterprise. */
export interface HistoryItem {
  /** Unique within the history: the event id once prefixed. */
  readonly key: string
  readonly by: Publisher
  readonly type: string
  /** RFC 3339 with the +08:00 offset. */
  readonly time: string
  /** May hold the placeholders {@link RECALL_PLACEHOLDER} and {@link USCC_PLACEHOLDER}. */
  readonly data: Readonly<Record<string, unknown>>
}

/** Stands for the recall id in a template's data. */
export const RECALL_PLACEHOLDER = '{RECALL}'
/** Stands for the enterprise's USCC in a template's data (ids of system listings contain it). */
export const USCC_PLACEHOLDER = '{USCC}'

const DAY = 86_400_000
const MINUTE = 60_000
const SHANGHAI = 8 * 3_600_000

/** An epoch-ms instant as `YYYY-MM-DDTHH:MM:SS(.mmm)+08:00`. */
export const shanghaiTime = (ms: number): string => {
  const local = new Date(ms + SHANGHAI).toISOString() // …Z, but the wall clock of +08:00
  const [date, clock = ''] = local.slice(0, -1).split('T')
  const time = clock.endsWith('.000') ? clock.slice(0, 8) : clock
  return `${date}T${time}+08:00`
}

/** 00:00 +08:00 of a Shanghai date (`YYYY-MM-DD`): the instant that is also 24:00 of the day before. */
export const shanghaiMidnight = (date: string): number => Date.parse(`${date}T00:00:00+08:00`)

const dateOf = (ms: number): string => shanghaiTime(ms).slice(0, 10)

/**
 * A time of day for a step on a given day: midnight (24:00 of the day before, where working-day
 * deadlines fall, so on-time-at-the-deadline is common), office hours, or the last minute.
 */
const timeOfDay = fc.oneof(
  { weight: 35, arbitrary: fc.constant(0) },
  { weight: 50, arbitrary: fc.integer({ min: 8 * 60, max: 18 * 60 }).map((m) => m * MINUTE) },
  { weight: 15, arbitrary: fc.constant(23 * 3_600_000 + 59 * MINUTE) },
)

/** A draft item: everything but the key, assigned once the history is put together. */
type Draft = Omit<HistoryItem, 'key'>

const draft = (by: Publisher, type: string, ms: number, data: Record<string, unknown>): Draft => ({
  by,
  type,
  time: shanghaiTime(ms),
  data,
})

const MEASURES = [
  'warning',
  'criticism',
  'fine',
  'confiscation',
  'qualification-downgrade',
  'license-revocation',
  'business-restriction',
  'suspension',
  'closure',
  'practice-ban',
] as const
const DOMAINS = ['food', 'drug', 'special-equipment', 'product-quality', 'consumer-rights', 'other'] as const
const RESULTS = [
  'no-problem',
  'problem-corrected',
  'problem-pending',
  'false-information',
  'non-cooperation',
  'product-nonconforming',
] as const

/** What the generators need to know of the world: the registration window and the present. */
export interface HistoryWindow {
  /** No event is later than this (ingest refuses events more than 5 minutes ahead). */
  readonly until: Date
}

const firmOrAgency = fc.constantFrom<Publisher>('agency', 'agency', 'firm')

const annualReports = (regMs: number, untilMs: number): fc.Arbitrary<Draft[]> => {
  const first = Number(dateOf(regMs).slice(0, 4))
  const last = Number(dateOf(untilMs).slice(0, 4)) - 1
  const years = Array.from({ length: Math.max(0, last - first + 1) }, (_, i) => first + i)
  return fc
    .tuple(
      ...years.map((year) =>
        fc
          .tuple(
            fc.constantFrom('none', 'on-time', 'at-deadline', 'late', 'too-early', 'on-time'),
            fc.integer({ min: 0, max: 180 }),
            timeOfDay,
            fc.constantFrom('none', 'none', 'before', 'after'),
            firmOrAgency,
          )
          .map(([when, day, tod, correction, by]) => {
            const jan1 = shanghaiMidnight(`${year + 1}-01-01`)
            const deadline = shanghaiMidnight(`${year + 1}-07-01`) // 30 June 24:00
            const at =
              when === 'on-time'
                ? jan1 + (day % 180) * DAY + tod
                : when === 'at-deadline'
                  ? deadline
                  : when === 'late'
                    ? deadline + (day + 1) * DAY + tod
                    : shanghaiMidnight(`${year}-12-01`) + (day % 28) * DAY + tod
            if (when === 'none') return []
            const out = [draft(by, 'annual-report.filed', at, { year })]
            if (correction === 'before' && at < deadline)
              out.push(
                draft(by, 'annual-report.filed', Math.min(deadline, at + 3 * DAY), {
                  year,
                  content: { v: 2 },
                }),
              )
            if (correction === 'after')
              out.push(draft(by, 'annual-report.filed', deadline + 10 * DAY, { year }))
            return out
          }),
      ),
    )
    .map((perYear) => perYear.flat().filter((d) => Date.parse(d.time) <= untilMs))
}

const instant = (fromMs: number, untilMs: number): fc.Arbitrary<number> =>
  untilMs <= fromMs
    ? fc.constant(fromMs)
    : fc.integer({ min: fromMs, max: untilMs }).map((m) => m - (m % MINUTE))

const penalties = (regMs: number, untilMs: number): fc.Arbitrary<Draft[]> =>
  fc
    .array(
      fc.record({
        at: instant(regMs, untilMs),
        measures: fc.subarray([...MEASURES], { minLength: 1, maxLength: 3 }),
        domain: fc.constantFrom(...DOMAINS),
        fine: fc.integer({ min: 0, max: 300_000 }),
        aggravated: fc.boolean(),
        procedure: fc.constantFrom('ordinary', 'ordinary', 'simple'),
        restrictionEnds: fc.option(fc.integer({ min: 30, max: 2_000 }), { nil: undefined }),
        revoke: fc.option(
          fc.tuple(fc.integer({ min: 1, max: 900 }), fc.constantFrom<Publisher>('agency', 'agency2')),
          {
            nil: undefined,
          },
        ),
        duplicate: fc.boolean(),
      }),
      { maxLength: 3 },
    )
    .map((ps) =>
      ps.flatMap((p, i) => {
        const decisionNo = `P-${i + 1}`
        const data: Record<string, unknown> = {
          decisionNo,
          measures: p.measures,
          domain: p.domain,
          procedure: p.procedure,
          aggravated: p.aggravated,
          ...(p.measures.includes('fine') ? { fineAmount: p.fine } : {}),
          ...(p.restrictionEnds === undefined
            ? {}
            : { restrictionEndsAt: dateOf(p.at + p.restrictionEnds * DAY) }),
        }
        const out = [draft('agency', 'penalty.decided', p.at, data)]
        if (p.duplicate && i === 0) out.push(draft('agency', 'penalty.decided', p.at + 5 * DAY, data))
        if (p.revoke !== undefined)
          out.push(
            draft(p.revoke[1], 'penalty.revoked', p.at + p.revoke[0] * DAY, {
              decisionNo,
              reason: 'set aside',
            }),
          )
        return out.filter((d) => Date.parse(d.time) <= untilMs)
      }),
    )

const inspections = (regMs: number, untilMs: number): fc.Arbitrary<Draft[]> =>
  fc
    .array(
      fc.record({
        at: instant(regMs, untilMs),
        kind: fc.constantFrom('random', 'sampling', 'targeted', 'complaint'),
        results: fc.subarray([...RESULTS], { minLength: 1, maxLength: 2 }),
      }),
      { maxLength: 2 },
    )
    .map((xs) =>
      xs.map((x, i) =>
        draft('agency', 'inspection.recorded', x.at, {
          inspectionId: `I-${i + 1}`,
          kind: x.kind,
          results: x.results,
        }),
      ),
    )

const LISTING_REASONS = ['annual-report-not-filed', 'unreachable-at-address', 'false-information'] as const

const listings = (regMs: number, untilMs: number): fc.Arbitrary<Draft[]> => {
  const firstYear = Number(dateOf(regMs).slice(0, 4))
  return fc
    .tuple(
      fc.array(
        fc.record({
          at: instant(regMs, untilMs),
          reason: fc.constantFrom(...LISTING_REASONS),
          year: fc.integer({ min: firstYear, max: firstYear + 3 }),
          remove: fc.option(fc.integer({ min: 1, max: 1_400 }), { nil: undefined }),
        }),
        { maxLength: 2 },
      ),
      fc.option(
        fc.record({
          at: instant(regMs, untilMs),
          basis: fc.constantFrom('heavier-penalty', 'false-registration'),
          remove: fc.option(
            fc.tuple(
              fc.integer({ min: 1, max: 1_400 }),
              fc.constantFrom('expired', 'credit-repair', 'decision-revoked'),
            ),
            { nil: undefined },
          ),
        }),
        { nil: undefined },
      ),
    )
    .map(([abnormal, serious]) => {
      const out: Draft[] = []
      abnormal.forEach((a, i) => {
        const listingId = `AL-${i + 1}`
        out.push(
          draft('agency', 'abnormal-list.entered', a.at, {
            listingId,
            reason: a.reason,
            ...(a.reason === 'annual-report-not-filed' ? { year: a.year } : {}),
          }),
        )
        if (a.remove !== undefined)
          out.push(
            draft('agency', 'abnormal-list.removed', a.at + a.remove * DAY, { listingId, reason: 'cured' }),
          )
      })
      if (serious !== undefined) {
        out.push(
          draft('agency', 'serious-list.entered', serious.at, {
            listingId: 'SL-1',
            basis: serious.basis,
            ...(serious.basis === 'heavier-penalty' ? { decisionNo: 'P-1' } : {}),
          }),
        )
        if (serious.remove !== undefined)
          out.push(
            draft('agency', 'serious-list.removed', serious.at + serious.remove[0] * DAY, {
              listingId: 'SL-1',
              reason: serious.remove[1],
            }),
          )
      }
      return out.filter((d) => Date.parse(d.time) <= untilMs)
    })
}

const repairs = (regMs: number, untilMs: number): fc.Arbitrary<Draft[]> => {
  const firstYear = Number(dateOf(regMs).slice(0, 4))
  return fc
    .array(
      fc.record({
        at: instant(regMs, untilMs),
        target: fc.constantFrom(
          { kind: 'penalty', ref: 'P-1' },
          { kind: 'penalty', ref: 'P-2' },
          { kind: 'abnormal-listing', ref: 'AL-1' },
          { kind: 'serious-listing', ref: 'SL-1' },
          { kind: 'abnormal-listing', ref: `ar-missing:${USCC_PLACEHOLDER}:${firstYear}` },
        ),
        decision: fc.option(
          fc.tuple(
            fc.integer({ min: 0, max: 60 }),
            fc.constantFrom('approved', 'approved', 'rejected'),
            fc.constantFrom<Publisher>('agency', 'agency', 'agency2'),
          ),
          { nil: undefined },
        ),
        by: firmOrAgency,
      }),
      { maxLength: 2 },
    )
    .map((rs) =>
      rs
        .flatMap((r, i) => {
          const repairId = `CR-${i + 1}`
          const out = [draft(r.by, 'credit-repair.applied', r.at, { repairId, target: r.target })]
          if (r.decision !== undefined)
            out.push(
              draft(r.decision[2], 'credit-repair.decided', r.at + r.decision[0] * DAY + MINUTE, {
                repairId,
                decision: r.decision[1],
              }),
            )
          return out
        })
        .filter((d) => Date.parse(d.time) <= untilMs),
    )
}

/** The shape of one generated recall: the product category and how far the case got. */
const recallPath = fc.record({
  category: fc.constantFrom('consumer-product', 'consumer-product', 'vehicle'),
  ordered: fc.boolean(),
  returned: fc.boolean(),
  reports: fc.array(fc.tuple(fc.integer({ min: 20, max: 130 }), fc.integer({ min: 0, max: 1_100 })), {
    maxLength: 4,
  }),
  completedUnits: fc.integer({ min: 0, max: 1_100 }),
  gaps: fc.array(fc.integer({ min: 0, max: 24 }), { minLength: 8, maxLength: 8 }),
  tods: fc.array(timeOfDay, { minLength: 12, maxLength: 12 }),
  stopAfter: fc.integer({ min: 1, max: 14 }),
  closeEarly: fc.option(fc.integer({ min: 1, max: 400 }), { nil: undefined }),
  stray: fc.option(
    fc.tuple(
      fc.constantFrom(
        'recall.plan-submitted',
        'recall.plan-accepted',
        'recall.notice-published',
        'recall.progress-reported',
        'recall.completed',
        'recall.summary-submitted',
        'recall.initiated',
      ),
      fc.integer({ min: -20, max: 300 }),
    ),
    { nil: undefined },
  ),
  firmSide: firmOrAgency,
})

/**
 * The steps of one recall (contract §4.2), opened at `openMs`: a plausible path (opening, plan,
 * perhaps returned and resubmitted, acceptance, notice, progress reports, completion, summary,
 * close) with gaps of 0–24 days that are sometimes on time, sometimes late and sometimes exactly at
 * the due instant, cut short at a random step, perhaps closed early, perhaps with a stray step out
 * of turn. Recall data carries {@link RECALL_PLACEHOLDER} as its recallId.
 */
export const recallSteps = (openMs: number, untilMs: number): fc.Arbitrary<Draft[]> =>
  recallPath.map((p) => {
    const recallId = RECALL_PLACEHOLDER
    const steps: Draft[] = []
    let t = openMs
    let gap = 0
    let tod = 0
    const next = (days: number): number => {
      const at = shanghaiMidnight(dateOf(t)) + days * DAY + (p.tods[tod++ % p.tods.length] ?? 0)
      t = Math.max(t + MINUTE, at)
      return t
    }
    const g = (): number => p.gaps[gap++ % p.gaps.length] ?? 0
    const product = { name: '电水壶 K1', category: p.category, model: 'K1' }
    const opening = { recallId, product, unitsAffected: 1_000, hazard: 'The lid may come off while boiling.' }
    steps.push(
      p.ordered
        ? draft('agency', 'recall.ordered', t, { ...opening, decisionNo: 'ORD-1' })
        : draft(p.firmSide, 'recall.initiated', t, opening),
    )
    steps.push(draft(p.firmSide, 'recall.plan-submitted', next(g()), { recallId, remedy: 'replace' }))
    if (p.returned) {
      steps.push(draft('agency', 'recall.plan-returned', next(g() % 6), { recallId, reason: 'no schedule' }))
      steps.push(draft(p.firmSide, 'recall.plan-submitted', next(g()), { recallId, remedy: 'refund' }))
    }
    steps.push(draft('agency', 'recall.plan-accepted', next(g() % 10), { recallId }))
    steps.push(
      draft(p.firmSide, 'recall.notice-published', next(g() % 8), { recallId, url: 'https://example.cn/n' }),
    )
    let units = 0
    for (const [days, u] of p.reports) {
      units = u
      steps.push(draft(p.firmSide, 'recall.progress-reported', next(days), { recallId, unitsRemedied: u }))
    }
    steps.push(
      draft(p.firmSide, 'recall.completed', next(g() * 5), {
        recallId,
        unitsRemedied: Math.max(units, p.completedUnits),
      }),
    )
    steps.push(draft(p.firmSide, 'recall.summary-submitted', next(g()), { recallId }))
    steps.push(draft('agency', 'recall.closed', next(g()), { recallId, effective: true }))
    const kept = steps.slice(0, p.stopAfter)
    if (p.closeEarly !== undefined)
      kept.push(
        draft('agency', 'recall.closed', openMs + p.closeEarly * DAY + MINUTE, {
          recallId,
          effective: false,
        }),
      )
    if (p.stray !== undefined) {
      const [type, days] = p.stray
      const data =
        type === 'recall.initiated'
          ? opening
          : type === 'recall.progress-reported' || type === 'recall.completed'
            ? { recallId, unitsRemedied: 500 }
            : { recallId, ...(type === 'recall.plan-submitted' ? { remedy: 'repair' } : {}) }
      kept.push(draft('agency', type, openMs + days * DAY + 7 * MINUTE, data))
    }
    return kept.filter((d) => Date.parse(d.time) <= untilMs && Date.parse(d.time) > 0)
  })

// Two events at one instant apply in (recordedAt, source, id) order (contract §3): arrival order
// then decides, so the properties keep instants distinct. A collision moves one event a second on.
const distinctTimes = (drafts: readonly Draft[]): Draft[] => {
  const taken = new Set<number>()
  return drafts.map((d) => {
    let at = Date.parse(d.time)
    while (taken.has(at)) at += 1_000
    taken.add(at)
    return at === Date.parse(d.time) ? d : { ...d, time: shanghaiTime(at) }
  })
}

const keyed = (drafts: readonly Draft[]): HistoryItem[] =>
  distinctTimes(drafts).map((d, i) => ({ key: `e${i + 1}`, ...d }))

/** A generated recall history alone (one case), for the recall service's properties. */
export const recallHistory = (w: HistoryWindow): fc.Arbitrary<HistoryItem[]> => {
  const untilMs = w.until.getTime()
  return instant(untilMs - 4 * 365 * DAY, untilMs - 20 * DAY)
    .chain((open) => recallSteps(open, untilMs))
    .map(keyed)
}

/**
 * A generated enterprise history: its registration (sometimes twice, sometimes changed or
 * deregistered), annual reports (missing, on time, at the deadline instant, late, too early,
 * corrected), penalties (some revoked, by the deciding agency or not; a duplicate decision number),
 * inspections, listings by agencies and their removals, credit repairs (eligible or not, decided by
 * the deciding agency or another), and usually one recall.
 */
export const enterpriseHistory = (w: HistoryWindow): fc.Arbitrary<HistoryItem[]> => {
  const untilMs = w.until.getTime()
  const regFrom = Date.parse('2016-01-01T00:00:00+08:00')
  const regTo = Math.min(Date.parse('2023-12-31T00:00:00+08:00'), untilMs - 400 * DAY)
  return fc.integer({ min: 0, max: Math.max(0, Math.floor((regTo - regFrom) / DAY)) }).chain((d) => {
    const regMs = regFrom + d * DAY + 9 * 3_600_000
    return fc
      .tuple(
        fc.record({
          kind: fc.constantFrom('company', 'company', 'individual'),
          twice: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
          changed: fc.option(instant(regMs, untilMs), { nil: undefined }),
          deregistered: fc.option(instant(regMs, untilMs), { nil: undefined }),
          second: fc.integer({ min: 1, max: 900 }),
        }),
        annualReports(regMs, untilMs),
        penalties(regMs, untilMs),
        inspections(regMs, untilMs),
        listings(regMs, untilMs),
        repairs(regMs, untilMs),
        fc.option(
          instant(regMs, untilMs - 30 * DAY).chain((open) => recallSteps(open, untilMs)),
          {
            nil: undefined,
            freq: 3,
          },
        ),
        fc.integer({ min: 0, max: 5 }).map((n) => n === 0),
      )
      .map(([reg, reports, pens, insp, lists, reps, recall, dereg]) => {
        const registration = draft('agency', 'enterprise.registered', regMs, {
          name: '示例电器有限公司',
          registeredAt: dateOf(regMs),
          region: '210102',
          kind: reg.kind,
        })
        const out: Draft[] = [registration]
        if (reg.twice) out.push({ ...registration, time: shanghaiTime(regMs + reg.second * DAY) })
        if (reg.changed !== undefined)
          out.push(draft('agency', 'enterprise.changed', reg.changed, { name: '示例电器（辽宁）有限公司' }))
        if (dereg && reg.deregistered !== undefined)
          out.push(draft('agency', 'enterprise.deregistered', reg.deregistered, { reason: 'dissolved' }))
        out.push(...reports, ...pens, ...insp, ...lists, ...reps, ...(recall ?? []))
        return keyed(out.filter((x) => Date.parse(x.time) <= untilMs))
      })
  })
}

/** What names a history for one enterprise. */
export interface Naming {
  readonly uscc: string
  /** Prefixes event ids and recall ids: two enterprises with the same history need distinct ones. */
  readonly tag: string
  readonly agency: string
  readonly agency2: string
}

/** A history event named for one enterprise: an envelope as ingest takes it. */
export interface NamedEvent {
  readonly specversion: '1.0'
  readonly id: string
  readonly source: string
  readonly type: string
  readonly subject: string
  readonly time: string
  readonly data: Record<string, unknown>
}

const fill = (v: unknown, n: Naming): unknown => {
  if (typeof v === 'string')
    return v.replaceAll(RECALL_PLACEHOLDER, `${n.tag}-R1`).replaceAll(USCC_PLACEHOLDER, n.uscc)
  if (Array.isArray(v)) return v.map((x) => fill(x, n))
  if (typeof v === 'object' && v !== null)
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x, n)]))
  return v
}

/** The template `items` as envelopes of the enterprise `n.uscc`. */
export const instantiate = (items: readonly HistoryItem[], n: Naming): NamedEvent[] =>
  items.map((i) => ({
    specversion: '1.0',
    id: `${n.tag}.${i.key}`,
    source: i.by === 'firm' ? `firm:${n.uscc}` : i.by === 'agency2' ? n.agency2 : n.agency,
    type: i.type,
    subject: n.uscc,
    time: i.time,
    data: fill(i.data, n) as Record<string, unknown>,
  }))

/**
 * fast-check settings of the arrival-order properties: a fixed seed and a modest number of runs in
 * `npm test` (so a failure reproduces), more by `npm run test:property -- --runs N --seed S`, which
 * sets `ECRS_PROPERTY_RUNS` / `ECRS_PROPERTY_SEED`. fast-check prints the seed and the path of a
 * failing run, and its shrunk counterexample.
 */
export const propertyRuns = (
  defaultRuns: number,
  defaultSeed = 20_261_206,
): { numRuns: number; seed: number } => {
  const runs = Number(process.env['ECRS_PROPERTY_RUNS'] ?? defaultRuns)
  const seed = Number(process.env['ECRS_PROPERTY_SEED'] ?? defaultSeed)
  return {
    numRuns: Number.isSafeInteger(runs) && runs > 0 ? runs : defaultRuns,
    seed: Number.isSafeInteger(seed) ? seed : defaultSeed,
  }
}
