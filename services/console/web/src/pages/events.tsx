import { useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useNavigate, useParams } from 'react-router'
import { ingest, ok } from '../api/client.js'
import { ErrorBox, Field, Loading, Page } from '../components/ui.js'
import { dateTime } from '../format.js'
import { useSession } from '../session/session.js'

/** `/events` and `/events/:source/:id`: an event's status and each consumer's outcome. */
export const EventStatus = () => {
  const { t, i18n } = useTranslation()
  const { source = '', id = '' } = useParams()
  const session = useSession()
  const navigate = useNavigate()
  const [form, setForm] = useState({ source: source || session?.agency || '', id })
  const status = useQuery({
    queryKey: ['event', source, id],
    enabled: source !== '' && id !== '',
    queryFn: () => ok(ingest.GET('/v1/events/{source}/{id}', { params: { path: { source, id } } })),
  })
  return (
    <Page title={t('events.title')}>
      <form
        className="inline"
        onSubmit={(e) => {
          e.preventDefault()
          void navigate(`/events/${encodeURIComponent(form.source)}/${encodeURIComponent(form.id)}`)
        }}
      >
        <Field id="ev-source" label={t('common.source')}>
          <input
            id="ev-source"
            required
            value={form.source}
            onChange={(e) => setForm({ ...form, source: e.target.value })}
          />
        </Field>
        <Field id="ev-id" label={t('common.id')}>
          <input
            id="ev-id"
            required
            value={form.id}
            onChange={(e) => setForm({ ...form, id: e.target.value })}
          />
        </Field>
        <button type="submit">{t('common.search')}</button>
      </form>
      {status.isFetching ? <Loading /> : null}
      <ErrorBox error={status.error} />
      {status.data === undefined ? null : (
        <>
          <p>
            {source}/{id}: <strong data-testid="event-status">{status.data.status}</strong> ·{' '}
            {t('events.recordedAt')} {dateTime(status.data.recordedAt, i18n.language)}
          </p>
          <h2>{t('events.outcomes')}</h2>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('events.consumer')}</th>
                <th scope="col">{t('common.status')}</th>
                <th scope="col">{t('events.reason')}</th>
              </tr>
            </thead>
            <tbody>
              {status.data.outcomes.map((o) => (
                <tr key={o.consumer}>
                  <td>{o.consumer}</td>
                  <td>{o.status}</td>
                  <td>{o.reason ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </Page>
  )
}
