import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useParams } from 'react-router'
import { call, creditProfile, ApiFailure, ok, recall, type ApiError } from '../api/client.js'
import { Due, ErrorBox, Field, Page } from '../components/ui.js'
import { date } from '../format.js'
import { useSession } from '../session/session.js'
import { ProfileSections } from './profile.js'
import { RecallCase } from './regulator.js'

const useUscc = () => useSession()?.uscc ?? ''

/** `/firm`: its profile with restrictions, and its recall obligations with working days left. */
export const FirmHome = () => {
  const { t } = useTranslation()
  const uscc = useUscc()
  const profile = useQuery({
    queryKey: ['profile', uscc],
    queryFn: () => ok(creditProfile.GET('/v1/enterprises/{uscc}', { params: { path: { uscc } } })),
  })
  const obligations = useQuery({
    queryKey: ['obligations', uscc],
    queryFn: () => ok(recall.GET('/v1/firms/{uscc}/obligations', { params: { path: { uscc } } })),
  })
  return (
    <Page title={t('firm.title')}>
      <h2>{t('firm.obligations')}</h2>
      <ErrorBox error={obligations.error} />
      {obligations.data?.items.length === 0 ? <p>{t('firm.noObligations')}</p> : null}
      <table>
        <thead>
          <tr>
            <th scope="col">{t('recalls.case', { id: '' })}</th>
            <th scope="col">{t('recalls.obligation')}</th>
            <th scope="col">{t('common.status')}</th>
            <th scope="col">
              {t('common.dueAt')} · {t('common.wdLeft')}
            </th>
          </tr>
        </thead>
        <tbody>
          {(obligations.data?.items ?? []).map((o) => (
            <tr key={o.obligationId}>
              <td>
                <Link to={`/firm/recalls/${encodeURIComponent(o.recallId)}`}>{o.recallId}</Link>
              </td>
              <td>{t(`obligationKinds.${o.kind}`, { defaultValue: o.kind })}</td>
              <td>{o.status}</td>
              <td data-testid={`due-${o.obligationId}`}>
                {o.status === 'open' || o.status === 'overdue' ? <Due dueAt={o.dueAt} /> : date(o.dueAt)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ErrorBox error={profile.error} />
      {profile.data === undefined ? null : <ProfileSections profile={profile.data} />}
    </Page>
  )
}

type Step = 'plan' | 'notice' | 'progress' | 'completion' | 'summary'

/** One recall step as a form posting the recall service's command (checked against the case at once). */
const StepForm = ({
  recallId,
  step,
  title,
  children,
  body,
}: {
  recallId: string
  step: Step
  title: string
  children?: ReactNode
  body: (f: FormData) => object
}) => {
  const { t } = useTranslation()
  const queries = useQueryClient()
  const send = useMutation({
    mutationFn: async (form: FormData) => {
      const res = await call(`/api/recall/v1/recalls/${encodeURIComponent(recallId)}/${step}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body(form)),
      })
      const json = (await res.json()) as { id: string } | ApiError
      if (!res.ok) throw new ApiFailure(res.status, json as ApiError)
      return json as { id: string }
    },
    onSuccess: () => queries.invalidateQueries({ queryKey: ['recall', recallId] }),
  })
  return (
    <form
      aria-label={title}
      onSubmit={(e) => {
        e.preventDefault()
        send.mutate(new FormData(e.currentTarget))
      }}
    >
      <fieldset>
        <legend>{title}</legend>
        {children}
        <button type="submit" disabled={send.isPending}>
          {t('common.submit')}
        </button>
        <ErrorBox error={send.error} />
        {send.data === undefined ? null : (
          <p role="status" className="ok">
            {t('common.saved', { id: send.data.id })}
          </p>
        )}
      </fieldset>
    </form>
  )
}

const units = (f: FormData) => ({ unitsRemedied: Number(f.get('unitsRemedied')) })

/** `/firm/recalls/:recallId`: the case and its steps as forms: plan, notice, progress, completion, summary. */
export const FirmRecall = () => {
  const { t } = useTranslation()
  const { recallId = '' } = useParams()
  return (
    <Page title={t('recalls.case', { id: recallId })}>
      <RecallCase recallId={recallId} />
      <h2>{t('firm.steps')}</h2>
      <StepForm
        recallId={recallId}
        step="plan"
        title={t('firm.plan')}
        body={(f) => ({ remedy: f.get('remedy'), summary: f.get('summary') || undefined })}
      >
        <Field id="remedy" label={t('firm.remedy')}>
          <select id="remedy" name="remedy">
            {(['repair', 'replace', 'refund', 'warning'] as const).map((r) => (
              <option key={r} value={r}>
                {t(`firm.remedies.${r}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field id="plan-summary" label={t('firm.summary')}>
          <textarea id="plan-summary" name="summary" rows={2} />
        </Field>
      </StepForm>
      <StepForm
        recallId={recallId}
        step="notice"
        title={t('firm.notice')}
        body={(f) => ({
          url: f.get('url') || undefined,
          channels:
            (f.get('channels') as string | null) ??
            ''
              .split(/[,，]/)
              .map((s) => s.trim())
              .filter(Boolean),
        })}
      >
        <Field id="notice-url" label={t('firm.url')}>
          <input id="notice-url" name="url" type="url" />
        </Field>
        <Field id="notice-channels" label={t('firm.channels')}>
          <input id="notice-channels" name="channels" />
        </Field>
      </StepForm>
      <StepForm recallId={recallId} step="progress" title={t('firm.progress')} body={units}>
        <Field id="progress-units" label={t('firm.unitsRemedied')}>
          <input id="progress-units" name="unitsRemedied" type="number" min={0} required />
        </Field>
      </StepForm>
      <StepForm recallId={recallId} step="completion" title={t('firm.completion')} body={units}>
        <Field id="completion-units" label={t('firm.unitsRemedied')}>
          <input id="completion-units" name="unitsRemedied" type="number" min={0} required />
        </Field>
      </StepForm>
      <StepForm recallId={recallId} step="summary" title={t('firm.final')} body={() => ({})} />
    </Page>
  )
}

/** `/firm/repair`: apply for credit repair (a `credit-repair.applied` through ingest). */
export const FirmRepair = () => {
  const { t } = useTranslation()
  const uscc = useUscc()
  const [form, setForm] = useState({ repairId: `repair-${Date.now()}`, kind: 'penalty', ref: '' })
  const send = useMutation({
    mutationFn: async () => {
      const res = await call('/api/ingest/v1/events', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          id: form.repairId,
          source: `firm:${uscc}`,
          type: 'credit-repair.applied',
          subject: uscc,
          time: new Date().toISOString(),
          data: { repairId: form.repairId, target: { kind: form.kind, ref: form.ref } },
        }),
      })
      const json = (await res.json()) as { id: string } | ApiError
      if (!res.ok) throw new ApiFailure(res.status, json as ApiError)
      return json as { id: string }
    },
  })
  return (
    <Page title={t('firm.repair')}>
      <form
        onSubmit={(e) => {
          e.preventDefault()
          send.mutate()
        }}
      >
        <Field id="repairId" label={t('firm.repairId')}>
          <input
            id="repairId"
            required
            value={form.repairId}
            onChange={(e) => setForm({ ...form, repairId: e.target.value })}
          />
        </Field>
        <Field id="target" label={t('firm.target')}>
          <select id="target" value={form.kind} onChange={(e) => setForm({ ...form, kind: e.target.value })}>
            {(['penalty', 'abnormal-listing', 'serious-listing'] as const).map((k) => (
              <option key={k} value={k}>
                {t(`firm.targets.${k}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field id="ref" label={t('firm.ref')}>
          <input
            id="ref"
            required
            value={form.ref}
            onChange={(e) => setForm({ ...form, ref: e.target.value })}
          />
        </Field>
        <button type="submit">{t('common.submit')}</button>
        <ErrorBox error={send.error} />
        {send.data === undefined ? null : (
          <p role="status" className="ok">
            {t('common.saved', { id: send.data.id })} ·{' '}
            <Link to={`/events/${encodeURIComponent(`firm:${uscc}`)}/${encodeURIComponent(send.data.id)}`}>
              {t('publish.status')}
            </Link>
          </p>
        )}
      </form>
    </Page>
  )
}
