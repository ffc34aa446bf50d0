/**
 * @ecrs/contracts: what every ECRS service agrees on — the event envelope and its validation, the
 * event catalogue, the USCC check, Shanghai dates and Civil-Code periods, and the official
 * working-day calendar.
 */
export {
  USCC_CHARSET,
  isValidUscc,
  orgCodeCheckCharacter,
  usccCheckCharacter,
  type UsccCheckOptions,
} from './uscc.js'
export {
  addDays,
  addMonthsPeriodEnd,
  addYearsPeriodEnd,
  compareDates,
  dateOfEpochDay,
  dayOfWeek,
  daysInMonth,
  endOfShanghaiDay,
  epochDay,
  formatDate,
  isRfc3339WithOffset,
  isValidCalendarDate,
  parseDate,
  parseInstant,
  shanghaiDateOf,
  startOfShanghaiDay,
  type CalendarDate,
} from './dates.js'
export {
  HOLIDAYS_CN,
  HOLIDAYS_CN_FIRST_YEAR,
  HOLIDAYS_CN_LAST_YEAR,
  type HolidayArrangement,
} from './calendar/holidays-cn.js'
export {
  addWorkingDays,
  isWorkingDay,
  isYearCovered,
  nextWorkingDayAfter,
  workingDayStatus,
  workingDaysLag,
  type DayStatus,
  type WorkingDayDeadline,
  type WorkingDayResult,
} from './calendar/working-days.js'
export {
  EnvelopeSchema,
  MAX_DATA_DEPTH,
  MAX_EXTENSION_ATTRIBUTES,
  MAX_FUTURE_SKEW_MS,
  EARLIEST_EVENT_TIME,
  canonicalJson,
  createAjv,
  envelopeHash,
  envelopeValidator,
  extensionAttributes,
  issuesFromAjv,
  normalizeEnvelope,
  pointerToken,
  validateEnvelope,
  type ContractsAjvOptions,
  type Envelope,
  type EnvelopeInput,
  type EnvelopeValidation,
  type EnvelopeValidatorOptions,
  type ValidationIssue,
} from './envelope.js'
// Topic names live beside the schemas (written separately; re-exported so the package has one door).
export * from './topics.js'
// The event catalogue v1: data schemas and types, validation, publish rights, AsyncAPI and JSON Schema.
export * from './catalogue/index.js'
export {
  toCloudEventRecord,
  ATTEMPT_HEADER,
  fromCloudEventRecord,
  toOutcomeRecord,
  RecordUnreadable,
  type CloudEventRecord,
  type RecordedEvent,
  type OutcomeRecordInput,
} from './records.js'
export {
  CHANGE_KINDS,
  ChangeRecordSchema,
  ChangeSchema,
  FIRM_HIDDEN_KINDS,
  changeId,
  fromChangeRecord,
  toChangeRecord,
  type Change,
  type ChangeKind,
  type ChangeRecord,
} from './changes.js'
