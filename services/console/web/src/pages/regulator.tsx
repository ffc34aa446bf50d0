import { useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useParams, useSearchParams } from 'react-router'
import { creditProfile, ok, recall } from '../api/client.js'
import type { paths as RecallPaths } from '../api/schema/recall.js'
import { Due, ErrorBox, Field, Loading, Page, useCursor } from '../components/ui.js'
import { date, dateTime } from '../format.js'
import { History, ProfileSections } from './profile.js'

type RiskClass = 'A' | 'B' | 'C' | 'D'

// The recall service documents these loosely (plain objects); their fields are those of contract §7.
interface Obligation {
  obligationId: string
  kind: string
  dueAt: string
  status: 'open' | 'fulfilled' | 'overdue' | 'cancelled'
}
interface TimelineEntry {
  type: string
  time: string
  source: string
  id: string
}
const obligationsOf = (r: { obligations?: unknown[] }) => (r.obligations ?? []) as Obligation[]

/** `/regulator/search`: enterprises by risk class, list and region, with the API's cursors. */
export const Search = () => {
  const { t } = useTranslation()
  const [form, setForm] = useState({ riskClass: '', listed: '', region: '' })
  const [filter, setFilter] = useState(form)
  const { cursor, reset, Pager } = useCursor()
  const query = {
    ...(filter.riskClass === '' ? {} : { riskClass: filter.riskClass as RiskClass }),
    ...(filter.listed === '' ? {} : { listed: filter.listed as 'abnormal' | 'serious' }),
    ...(filter.region === '' ? {} : { region: filter.region }),
    ...(cursor === undefined ? {} : { cursor }),
    limit: 20,
  }
  const list = useQuery({
    queryKey: ['search', query],
    queryFn: () => ok(creditProfile.GET('/v1/enterprises', { params: { query } })),
  })
  return (
    <Page title={t('search.title')}>
      <form
        className="inline"
        role="search"
        onSubmit={(e) => {
          e.preventDefault()
          reset()
          setFilter(form)
        }}
      >
        <Field id="riskClass" label={t('search.riskClass')}>
          <select
            id="riskClass"
            value={form.riskClass}
            onChange={(e) => setForm({ ...form, riskClass: e.target.value })}
          >
            <option value="">{t('search.any')}</option>
            {['A', 'B', 'C', 'D'].map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </Field>
        <Field id="listed" label={t('search.listed')}>
          <select
            id="listed"
            value={form.listed}
            onChange={(e) => setForm({ ...form, listed: e.target.value })}
          >
            <option value="">{t('search.any')}</option>
            <option value="abnormal">{t('search.listedAbnormal')}</option>
            <option value="serious">{t('search.listedSerious')}</option>
          </select>
        </Field>
        <Field id="region" label={t('common.region')} hint={t('search.regionHelp')}>
          <input
            id="region"
            inputMode="numeric"
            pattern="[0-9]{1,6}"
            value={form.region}
            aria-describedby="region-hint"
            onChange={(e) => setForm({ ...form, region: e.target.value })}
          />
        </Field>
        <button type="submit">{t('common.search')}</button>
      </form>
      {list.isFetching ? <Loading /> : null}
      <ErrorBox error={list.error} />
      <table>
        <thead>
          <tr>
            <th scope="col">{t('common.name')}</th>
            <th scope="col">{t('common.uscc')}</th>
            <th scope="col">{t('common.region')}</th>
            <th scope="col">{t('enterprise.riskClass')}</th>
          </tr>
        </thead>
        <tbody>
          {(list.data?.items ?? []).map((e) => (
            <tr key={e.uscc}>
              <td>
                <Link to={`/regulator/enterprises/${e.uscc}`}>{e.name}</Link>
              </td>
              <td>{e.uscc}</td>
              <td>{e.region}</td>
              <td>{e.risk.class}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager next={list.data?.next} />
    </Page>
  )
}

/** `/regulator/enterprises/:uscc?asOf=`: the full profile at any date, and its history. */
export const FullProfile = () => {
  const { t } = useTranslation()
  const { uscc = '' } = useParams()
  const [params, setParams] = useSearchParams()
  const asOf = params.get('asOf') ?? ''
  const profile = useQuery({
    queryKey: ['profile', uscc, asOf],
    queryFn: () =>
      ok(
        creditProfile.GET('/v1/enterprises/{uscc}', {
          params: { path: { uscc }, query: asOf === '' ? {} : { asOf } },
        }),
      ),
  })
  return (
    <Page title={profile.data?.name ?? t('enterprise.full')}>
      <p>
        {t('common.uscc')}: {uscc}
      </p>
      <form className="inline" onSubmit={(e) => e.preventDefault()}>
        <Field id="asOf" label={t('common.asOf')}>
          <input
            id="asOf"
            type="date"
            value={asOf}
            min="1949-10-01"
            onChange={(e) => setParams(e.target.value === '' ? {} : { asOf: e.target.value })}
          />
        </Field>
      </form>
      {profile.isFetching ? <Loading /> : null}
      <ErrorBox error={profile.error} />
      {profile.data === undefined ? null : <ProfileSections profile={profile.data} />}
      <History uscc={uscc} />
    </Page>
  )
}

type RecallStatus = NonNullable<
  NonNullable<RecallPaths['/v1/recalls']['get']['parameters']['query']>['status']
>

/**
 * The statuses the recall API filters by, in a case's order: a Record over the type generated from
 * its /openapi.json, so a status the API adds or drops fails the build here, not on the page.
 */
const statusOrder: Record<RecallStatus, true> = {
  initiated: true,
  ordered: true,
  'plan-submitted': true,
  'plan-accepted': true,
  'plan-returned': true,
  'in-progress': true,
  completed: true,
  'summary-submitted': true,
  closed: true,
}
const statuses = Object.keys(statusOrder) as RecallStatus[]

/** `/regulator/recalls`: every recall case with its obligations, with the API's cursors. */
export const Recalls = () => {
  const { t } = useTranslation()
  const [status, setStatus] = useState('')
  const { cursor, reset, Pager } = useCursor()
  const query = {
    ...(status === '' ? {} : { status: status as RecallStatus }),
    ...(cursor === undefined ? {} : { cursor }),
    limit: 20,
  }
  const list = useQuery({
    queryKey: ['recalls', query],
    queryFn: () => ok(recall.GET('/v1/recalls', { params: { query } })),
  })
  return (
    <Page title={t('recalls.all')}>
      <form className="inline" onSubmit={(e) => e.preventDefault()}>
        <Field id="rstatus" label={t('recalls.filterStatus')}>
          <select
            id="rstatus"
            value={status}
            onChange={(e) => {
              reset()
              setStatus(e.target.value)
            }}
          >
            <option value="">{t('recalls.any')}</option>
            {statuses.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </Field>
      </form>
      <ErrorBox error={list.error} />
      <table>
        <thead>
          <tr>
            <th scope="col">{t('common.id')}</th>
            <th scope="col">{t('recalls.producer')}</th>
            <th scope="col">{t('common.status')}</th>
            <th scope="col">{t('recalls.obligations')}</th>
          </tr>
        </thead>
        <tbody>
          {(list.data?.items ?? []).map((r) => (
            <tr key={r.recallId}>
              <td>
                <Link to={`/regulator/recalls/${encodeURIComponent(r.recallId)}`}>{r.recallId}</Link>
              </td>
              <td>{r.producer.name ?? r.producer.uscc}</td>
              <td>{r.status}</td>
              <td>
                {obligationsOf(r).map((o) => (
                  <div key={o.obligationId}>
                    {t(`obligationKinds.${o.kind}`, { defaultValue: o.kind })} · {o.status} · {date(o.dueAt)}
                  </div>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager next={(list.data as { next?: string } | undefined)?.next} />
    </Page>
  )
}

/** A recall case's obligations (due dates with working days left) and timeline. */
export const RecallCase = ({ recallId }: { recallId: string }) => {
  const { t, i18n } = useTranslation()
  const c = useQuery({
    queryKey: ['recall', recallId],
    queryFn: () => ok(recall.GET('/v1/recalls/{recallId}', { params: { path: { recallId } } })),
  })
  if (c.isPending) return <Loading />
  if (c.error !== null) return <ErrorBox error={c.error} />
  const r = c.data
  return (
    <>
      <dl>
        <dt>{t('recalls.producer')}</dt>
        <dd>{r.producer.name ?? r.producer.uscc}</dd>
        <dt>{t('recalls.product')}</dt>
        <dd>{String((r.product as { name?: string }).name ?? '')}</dd>
        <dt>{t('common.status')}</dt>
        <dd data-testid="recall-status">{r.status}</dd>
        <dt>{t('recalls.units')}</dt>
        <dd>{r.unitsAffected}</dd>
        <dt>{t('recalls.remedied')}</dt>
        <dd>{r.unitsRemedied ?? 0}</dd>
      </dl>
      <h2>{t('recalls.obligations')}</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">{t('recalls.obligation')}</th>
            <th scope="col">{t('common.status')}</th>
            <th scope="col">{t('common.dueAt')}</th>
          </tr>
        </thead>
        <tbody>
          {obligationsOf(r).map((o) => (
            <tr key={o.obligationId}>
              <td>{t(`obligationKinds.${o.kind}`, { defaultValue: o.kind })}</td>
              <td>{o.status}</td>
              <td>
                {o.status === 'open' || o.status === 'overdue' ? <Due dueAt={o.dueAt} /> : date(o.dueAt)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>{t('recalls.timeline')}</h2>
      <ol className="timeline">
        {((r.timeline ?? []) as TimelineEntry[]).map((e) => (
          <li key={`${e.source}/${e.id}`}>
            <time dateTime={e.time}>{dateTime(e.time, i18n.language)}</time> · {e.type} · {e.source}
          </li>
        ))}
      </ol>
    </>
  )
}

/** `/regulator/recalls/:recallId`. */
export const RecallPage = () => {
  const { t } = useTranslation()
  const { recallId = '' } = useParams()
  return (
    <Page title={t('recalls.case', { id: recallId })}>
      <RecallCase recallId={recallId} />
    </Page>
  )
}
