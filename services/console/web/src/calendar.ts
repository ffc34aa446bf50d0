// The official working-day calendar and the USCC check of packages/contracts: plain TypeScript with
// no Node imports, so the page counts working days exactly as the services do.
export { isValidUscc } from '../../../../packages/contracts/src/uscc.js'
export {
  addDays,
  parseDate,
  shanghaiDateOf,
  formatDate,
  type CalendarDate,
} from '../../../../packages/contracts/src/dates.js'
export { workingDayStatus } from '../../../../packages/contracts/src/calendar/working-days.js'
