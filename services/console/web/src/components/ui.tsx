import { useState, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { ApiFailure } from '../api/client.js'
import { workingDaysLeft } from '../format.js'
import { date } from '../format.js'

/** A page's frame: its title as the one h1. */
export const Page = ({ title, children }: { title: string; children: ReactNode }) => (
  <section>
    <h1>{title}</h1>
    {children}
  </section>
)

/** An error from a query or a mutation, read aloud when it appears. */
export const ErrorBox = ({ error }: { error: unknown }) => {
  const { t } = useTranslation()
  if (error === null || error === undefined) return null
  const message =
    error instanceof ApiFailure
      ? `${error.body.code}: ${error.body.message}`
      : error instanceof Error
        ? error.message
        : JSON.stringify(error)
  return (
    <p role="alert" className="error">
      {t('common.error', { message })}
    </p>
  )
}

export const Loading = () => {
  const { t } = useTranslation()
  return <p aria-live="polite">{t('common.loading')}</p>
}

/** A due date with the working days left on the official calendar. */
export const Due = ({ dueAt }: { dueAt: string }) => {
  const { t } = useTranslation()
  const { days, provisional } = workingDaysLeft(dueAt)
  return (
    <>
      {date(dueAt)} ·{' '}
      <span className={days < 0 ? 'late' : ''}>
        {days < 0 ? t('common.wdOverdue', { days: -days }) : t('common.wdDays', { days })}
        {provisional ? t('common.provisional') : ''}
      </span>
    </>
  )
}

/** The event behind a fact, linked to its status page. */
export const EventRef = ({ source, id }: { source: string; id: string }) => (
  <Link to={`/events/${encodeURIComponent(source)}/${encodeURIComponent(id)}`}>
    {source}/{id}
  </Link>
)

/** Cursor paging as the APIs offer it: forward by `next`, back by the cursors seen. */
export const useCursor = () => {
  const [stack, setStack] = useState<string[]>([])
  const cursor = stack[stack.length - 1]
  return {
    cursor,
    reset: () => setStack([]),
    Pager: ({ next }: { next: string | undefined }) => (
      <Pager stack={stack} setStack={setStack} next={next} />
    ),
  }
}

const Pager = ({
  stack,
  setStack,
  next,
}: {
  stack: string[]
  setStack: (s: string[]) => void
  next: string | undefined
}) => {
  const { t } = useTranslation()
  return (
    <nav className="pager" aria-label="pagination">
      <button type="button" disabled={stack.length === 0} onClick={() => setStack([])}>
        {t('common.first')}
      </button>
      <button
        type="button"
        disabled={next === undefined}
        onClick={() => next !== undefined && setStack([...stack, next])}
      >
        {t('common.next')}
      </button>
    </nav>
  )
}

/** A labelled field: every input has its label, and its error beside it (aria-describedby). */
export const Field = ({
  id,
  label,
  error,
  hint,
  children,
}: {
  id: string
  label: string
  error?: string | undefined
  hint?: string | undefined
  children: ReactNode
}) => (
  <div className={`field${error === undefined ? '' : ' invalid'}`}>
    <label htmlFor={id}>{label}</label>
    {children}
    {hint === undefined ? null : (
      <small id={`${id}-hint`} className="hint">
        {hint}
      </small>
    )}
    {error === undefined ? null : (
      <small id={`${id}-error`} className="field-error" role="alert">
        {error}
      </small>
    )}
  </div>
)

/** The aria-describedby of an input wrapped in {@link Field}. */
export const describedBy = (id: string, error?: string, hint?: string) =>
  [hint === undefined ? '' : `${id}-hint`, error === undefined ? '' : `${id}-error`]
    .filter(Boolean)
    .join(' ') || undefined
