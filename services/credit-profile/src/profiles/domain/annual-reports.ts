/**
 * Annual reports (contract §6 rule 1, domain-rules R1–R2): which years are owed, when each is due,
 * filings and corrections, and the rows of the profile.
 */
import { endOfShanghaiDay, nextWorkingDayAfter, shanghaiDateOf, startOfShanghaiDay } from '@ecrs/contracts'
import { iso, type TimedEvent } from './order.js'
import { applied, numeric, rejected, type FoldState } from './state.js'
import type { AnnualReportView } from './types.js'

/** The report for `year` is due by 30 June 24:00 +08:00 of the next year, whatever the weekday. */
export const dueByOf = (year: number): number =>
  endOfShanghaiDay({ year: year + 1, month: 6, day: 30 }).getTime()

/** The filing window for `year` opens on 1 January of the next year. */
export const windowOpensAt = (year: number): number =>
  startOfShanghaiDay({ year: year + 1, month: 1, day: 1 }).getTime()

/** When the system lists a missing report for `year`: 00:00 of the first working day after 30 June. */
export const missingReportListingAt = (year: number): { at: number; provisional: boolean } => {
  const next = nextWorkingDayAfter({ year: year + 1, month: 6, day: 30 })
  return { at: startOfShanghaiDay(next.date).getTime(), provisional: next.provisional }
}

/**
 * The years owed, from the registration year (not before the configured start) to the year before
 * the deregistration year; `last` is open (Infinity) while the enterprise exists. Undefined while the
 * history holds no registration, as nothing can be said then.
 */
export const owedYears = (s: FoldState): { first: number; last: number } | undefined => {
  if (s.registration === undefined) return undefined
  const first = Math.max(s.registration.year, s.params.annualReportsFrom)
  const last =
    s.deregistrationAt === undefined
      ? Number.POSITIVE_INFINITY
      : shanghaiDateOf(new Date(s.deregistrationAt)).year - 1
  return { first, last }
}

/**
 * `annual-report.filed`: the first filing of a year, or a correction until its deadline (inclusive;
 * Art. 12: both versions are kept). After the deadline a second filing is refused.
 */
export const fileAnnualReport = (s: FoldState, e: TimedEvent): void => {
  const year = numeric(e.data, 'year')
  if (year === undefined || !Number.isInteger(year)) return rejected(s, e, 'EVENT_INVALID')
  const owed = owedYears(s)
  if (owed !== undefined && (year < owed.first || year > owed.last)) {
    return rejected(s, e, 'ANNUAL_REPORT_NOT_OWED')
  }
  // A year cannot be reported on before it is over.
  if (e.at < windowOpensAt(year)) return rejected(s, e, 'ANNUAL_REPORT_NOT_OPEN')
  const report = s.reports.get(year)
  if (report === undefined) {
    s.reports.set(year, { year, versions: [{ filedAt: e.at, ref: e.ref }] })
    return applied(s, e)
  }
  if (e.at > dueByOf(year)) return rejected(s, e, 'ANNUAL_REPORT_CORRECTION_CLOSED')
  report.versions.push({ filedAt: e.at, ref: e.ref })
  applied(s, e)
}

/** Deadlines are inclusive (contract §3): filed at 30 June 24:00 itself is on time. */
export const onTimeFor = (year: number, filedAt: number): boolean => filedAt <= dueByOf(year)

/** Tells whether the report for `year` was filed by its deadline. */
export const filedOnTime = (s: FoldState, year: number): boolean => {
  const first = s.reports.get(year)?.versions[0]
  return first !== undefined && onTimeFor(year, first.filedAt)
}

/** The last year whose filing window has opened at `asOf`. */
const lastOpenedYear = (asOf: number): number => shanghaiDateOf(new Date(asOf)).year - 1

/** The annual-report rows at asOf: owed years whose filing window has opened. */
export const annualReportRows = (s: FoldState): AnnualReportView[] => {
  const owed = owedYears(s)
  if (owed === undefined) return []
  const rows: AnnualReportView[] = []
  for (let year = owed.first; year <= Math.min(owed.last, lastOpenedYear(s.asOf)); year++) {
    const dueBy = dueByOf(year)
    const versions = s.reports.get(year)?.versions ?? []
    const first = versions[0]
    const status =
      first !== undefined
        ? onTimeFor(year, first.filedAt)
          ? 'filed'
          : 'filed-late'
        : dueBy < s.asOf
          ? 'overdue'
          : 'not-yet-due'
    rows.push({
      year,
      status,
      dueBy: iso(dueBy),
      ...(first === undefined ? {} : { filedAt: iso(first.filedAt) }),
      versions: versions.map((v) => ({ ...v.ref, filedAt: iso(v.filedAt) })),
    })
  }
  return rows
}
