import { addDays, formatDate, shanghaiDateOf, workingDayStatus } from './calendar.js'

const TZ = 'Asia/Shanghai'

/** An instant as a Shanghai date and time, in the page's language. */
export const dateTime = (iso: string | undefined, lang: string): string =>
  iso === undefined
    ? '—'
    : new Intl.DateTimeFormat(lang, { timeZone: TZ, dateStyle: 'medium', timeStyle: 'short' }).format(
        new Date(iso),
      )

/** An instant's Shanghai calendar date, `YYYY-MM-DD`. */
export const date = (iso: string | undefined): string =>
  iso === undefined ? '—' : formatDate(shanghaiDateOf(new Date(iso)))

/**
 * Working days from today (Shanghai) to a due instant on the official calendar: today not counted,
 * the due day counted; negative when the deadline has passed (working days since). `provisional`
 * when a day lies beyond the calendar data.
 */
export const workingDaysLeft = (dueAt: string, now = new Date()): { days: number; provisional: boolean } => {
  // The due instant is 24:00 of its last day: the day it ends on is the day before in Shanghai.
  const due = shanghaiDateOf(new Date(new Date(dueAt).getTime() - 1))
  let day = shanghaiDateOf(now)
  const target = formatDate(due)
  const ahead = formatDate(day) <= target
  let days = 0
  let provisional = false
  for (let i = 0; i < 3660 && formatDate(day) !== target; i++) {
    day = addDays(day, ahead ? 1 : -1)
    const s = workingDayStatus(day)
    provisional ||= s.provisional
    if (s.working) days += ahead ? 1 : -1
  }
  return { days, provisional }
}
