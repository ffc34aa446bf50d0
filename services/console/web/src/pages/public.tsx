import { useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useNavigate, useParams, useSearchParams } from 'react-router'
import { creditProfile, inspection, ok, recall } from '../api/client.js'
import { isValidUscc } from '../calendar.js'
import { ErrorBox, Field, Loading, Page } from '../components/ui.js'
import { date } from '../format.js'
import { ProfileSections } from './profile.js'

/** `/`: an enterprise by USCC (its public view) or by name (found in published recalls and inspections). */
export const Lookup = () => {
  const { t } = useTranslation()
  const navigate = useNavigate()
  const [params, setParams] = useSearchParams()
  const name = params.get('name') ?? ''
  const [q, setQ] = useState(name)
  const found = useQuery({
    queryKey: ['lookup', name],
    enabled: name !== '',
    queryFn: async () => {
      const [recalls, tasks] = await Promise.all([
        ok(recall.GET('/v1/public/recalls', { params: { query: { q: name } } })),
        ok(inspection.GET('/v1/public/inspection-tasks', { params: { query: { q: name } } })),
      ])
      const byUscc = new Map<string, string>()
      for (const r of recalls.items) byUscc.set(r.producer.uscc, r.producer.name ?? r.producer.uscc)
      for (const task of (tasks as { items: unknown[] }).items as {
        selected?: { uscc: string; name?: string }[]
      }[])
        for (const s of task.selected ?? [])
          if ((s.name ?? '').includes(name)) byUscc.set(s.uscc, s.name ?? s.uscc)
      return [...byUscc].filter(([uscc, n]) => n.includes(name) || uscc === name)
    },
  })
  return (
    <Page title={t('lookup.title')}>
      <form
        role="search"
        className="inline"
        onSubmit={(e) => {
          e.preventDefault()
          const v = q.trim()
          if (isValidUscc(v.toUpperCase())) void navigate(`/enterprises/${v.toUpperCase()}`)
          else setParams({ name: v })
        }}
      >
        <Field id="q" label={t('lookup.query')} hint={t('lookup.hint')}>
          <input
            id="q"
            value={q}
            onChange={(e) => setQ(e.target.value)}
            aria-describedby="q-hint"
            size={40}
          />
        </Field>
        <button type="submit">{t('common.search')}</button>
      </form>
      {found.isFetching ? <Loading /> : null}
      <ErrorBox error={found.error} />
      {found.data === undefined ? null : found.data.length === 0 ? (
        <p>{t('lookup.noMatch')}</p>
      ) : (
        <>
          <h2>{t('lookup.candidates')}</h2>
          <ul>
            {found.data.map(([uscc, n]) => (
              <li key={uscc}>
                <Link to={`/enterprises/${uscc}`}>{n}</Link> ({uscc})
              </li>
            ))}
          </ul>
        </>
      )}
    </Page>
  )
}

/** `/enterprises/:uscc`: the public view (what anyone may read). */
export const PublicEnterprise = () => {
  const { t } = useTranslation()
  const { uscc = '' } = useParams()
  const profile = useQuery({
    queryKey: ['public-profile', uscc],
    queryFn: () =>
      ok(creditProfile.GET('/v1/enterprises/{uscc}', { params: { path: { uscc } }, headers: {} })),
  })
  return (
    <Page title={profile.data?.name ?? t('enterprise.title')}>
      <p>
        {t('common.uscc')}: {uscc}
      </p>
      {profile.isPending ? <Loading /> : null}
      <ErrorBox error={profile.error} />
      {profile.data === undefined ? null : <ProfileSections profile={profile.data} />}
    </Page>
  )
}

/** `/recalls`: published recalls, searchable. */
export const PublicRecalls = () => {
  const { t } = useTranslation()
  const [params, setParams] = useSearchParams()
  const q = params.get('q') ?? ''
  const [text, setText] = useState(q)
  const list = useQuery({
    queryKey: ['public-recalls', q],
    queryFn: () => ok(recall.GET('/v1/public/recalls', { params: { query: q === '' ? {} : { q } } })),
  })
  return (
    <Page title={t('recalls.title')}>
      <form
        role="search"
        className="inline"
        onSubmit={(e) => {
          e.preventDefault()
          setParams(text === '' ? {} : { q: text })
        }}
      >
        <Field id="rq" label={t('recalls.query')}>
          <input id="rq" value={text} onChange={(e) => setText(e.target.value)} size={40} />
        </Field>
        <button type="submit">{t('common.search')}</button>
      </form>
      {list.isPending ? <Loading /> : null}
      <ErrorBox error={list.error} />
      {list.data === undefined ? null : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('recalls.product')}</th>
              <th scope="col">{t('recalls.producer')}</th>
              <th scope="col">{t('recalls.hazard')}</th>
              <th scope="col">{t('recalls.units')}</th>
              <th scope="col">{t('common.status')}</th>
              <th scope="col">{t('recalls.published')}</th>
            </tr>
          </thead>
          <tbody>
            {list.data.items.map((r) => (
              <tr key={r.recallId}>
                <td>{String((r.product as { name?: string }).name ?? r.recallId)}</td>
                <td>
                  <Link to={`/enterprises/${r.producer.uscc}`}>{r.producer.name ?? r.producer.uscc}</Link>
                </td>
                <td>{r.hazard ?? ''}</td>
                <td>{r.unitsAffected}</td>
                <td>{r.status}</td>
                <td>{date(r.noticePublishedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  )
}

interface PublicTask {
  taskId: string
  title: string
  items: string[]
  agencies: string[]
  dueBy: string
  status: string
  seedCommitment: string
  seed?: string
  populationSize?: number
  selected?: { uscc: string; name?: string; result?: { results?: string[] } | string[] | string }[]
}

/** `/inspections`: public inspection tasks (一公开). */
export const PublicInspections = () => {
  const { t } = useTranslation()
  const [q, setQ] = useState('')
  const [query, setQuery] = useState('')
  const list = useQuery({
    queryKey: ['public-tasks', query],
    queryFn: () =>
      ok(
        inspection.GET('/v1/public/inspection-tasks', {
          params: { query: query === '' ? {} : { q: query } },
        }),
      ),
  })
  return (
    <Page title={t('inspections.title')}>
      <form role="search" className="inline" onSubmit={(e) => (e.preventDefault(), setQuery(q))}>
        <Field id="iq" label={t('inspections.query')}>
          <input id="iq" value={q} onChange={(e) => setQ(e.target.value)} />
        </Field>
        <button type="submit">{t('common.search')}</button>
      </form>
      <ErrorBox error={list.error} />
      {list.data === undefined ? null : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('inspections.task')}</th>
              <th scope="col">{t('inspections.agencies')}</th>
              <th scope="col">{t('inspections.dueBy')}</th>
              <th scope="col">{t('common.status')}</th>
            </tr>
          </thead>
          <tbody>
            {((list.data as { items: unknown[] }).items as PublicTask[]).map((task) => (
              <tr key={task.taskId}>
                <td>
                  <Link to={`/inspections/${encodeURIComponent(task.taskId)}`}>{task.title}</Link>
                </td>
                <td>{task.agencies.join('、')}</td>
                <td>{task.dueBy}</td>
                <td>{task.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  )
}

const resultText = (r: NonNullable<PublicTask['selected']>[number]['result']): string | undefined =>
  r === undefined
    ? undefined
    : typeof r === 'string'
      ? r
      : Array.isArray(r)
        ? r.join('、')
        : (r.results ?? []).join('、')

/** `/inspections/:taskId`: one public task, its draw and results. */
export const PublicInspection = () => {
  const { t } = useTranslation()
  const { taskId = '' } = useParams()
  const task = useQuery({
    queryKey: ['public-task', taskId],
    queryFn: async () =>
      (await ok(
        inspection.GET('/v1/public/inspection-tasks/{taskId}', { params: { path: { taskId } } }),
      )) as PublicTask,
  })
  const d = task.data
  return (
    <Page title={d?.title ?? t('inspections.task')}>
      <ErrorBox error={task.error} />
      {d === undefined ? null : (
        <>
          <dl>
            <dt>{t('inspections.items')}</dt>
            <dd>{d.items.join('、')}</dd>
            <dt>{t('inspections.agencies')}</dt>
            <dd>{d.agencies.join('、')}</dd>
            <dt>{t('inspections.dueBy')}</dt>
            <dd>{d.dueBy}</dd>
            <dt>{t('common.status')}</dt>
            <dd>{d.status}</dd>
            <dt>{t('inspections.seedCommitment')}</dt>
            <dd>
              <code>{d.seedCommitment}</code>
            </dd>
            {d.seed === undefined ? null : (
              <>
                <dt>{t('inspections.seed')}</dt>
                <dd>
                  <code>{d.seed}</code>
                </dd>
                <dt>{t('inspections.populationSize')}</dt>
                <dd>{d.populationSize}</dd>
              </>
            )}
          </dl>
          <h2>{t('inspections.selected')}</h2>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('common.name')}</th>
                <th scope="col">{t('common.uscc')}</th>
                <th scope="col">{t('inspections.result')}</th>
              </tr>
            </thead>
            <tbody>
              {(d.selected ?? []).map((s) => (
                <tr key={s.uscc}>
                  <td>{s.name ?? ''}</td>
                  <td>
                    <Link to={`/enterprises/${s.uscc}`}>{s.uscc}</Link>
                  </td>
                  <td>{resultText(s.result) ?? t('inspections.notYet')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </Page>
  )
}
