import { useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useNavigate } from 'react-router'
import { ApiFailure, call, type ApiError } from '../api/client.js'
import { ErrorBox, Field, Page } from '../components/ui.js'
import { sessionFromToken, signIn, signOutReason, type Session } from '../session/session.js'

const home: Record<Session['role'], string> = {
  agency: '/agency/publish',
  regulator: '/regulator/search',
  firm: '/firm',
  admin: '/events',
}

/** `/sign-in`: "sign in as" (development) or a pasted bearer token. */
export const SignIn = () => {
  const { t } = useTranslation()
  const navigate = useNavigate()
  const mode = useQuery({
    queryKey: ['sign-in-mode'],
    queryFn: async () =>
      ((await (await fetch('/console/v1/sign-in')).json()) as { mode: 'sign-in' | 'token' }).mode,
  })
  const [form, setForm] = useState({ role: 'regulator', agency: '', uscc: '', token: '' })
  const [error, setError] = useState<unknown>(undefined)
  const reason = signOutReason()
  const enter = (s: Session) => {
    signIn(s)
    void navigate(home[s.role])
  }
  const submit = async () => {
    setError(undefined)
    if (mode.data === 'token') {
      const s = sessionFromToken(form.token.trim())
      return s === undefined ? setError(new Error(t('signIn.badToken'))) : enter(s)
    }
    const body = {
      role: form.role,
      ...(form.role === 'agency' ? { agency: form.agency } : {}),
      ...(form.role === 'firm' ? { uscc: form.uscc.trim().toUpperCase() } : {}),
    }
    const res = await call('/console/v1/sign-in', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    const json = (await res.json()) as { token: string } | ApiError
    if (!res.ok || !('token' in json)) return setError(new ApiFailure(res.status, json as ApiError))
    const s = sessionFromToken(json.token)
    if (s !== undefined) enter(s)
  }
  return (
    <Page title={t('signIn.title')}>
      {reason === undefined ? null : (
        <p role="alert" className="error">
          {t('signIn.reason', { reason })}
        </p>
      )}
      <p>{t('signIn.publicHint')}</p>
      <form
        onSubmit={(e) => {
          e.preventDefault()
          void submit()
        }}
      >
        {mode.data === 'token' ? (
          <Field id="token" label={t('signIn.token')} hint={t('signIn.tokenHelp')}>
            <textarea
              id="token"
              rows={4}
              required
              aria-describedby="token-hint"
              value={form.token}
              onChange={(e) => setForm({ ...form, token: e.target.value })}
            />
          </Field>
        ) : (
          <fieldset>
            <legend>{t('signIn.asTitle')}</legend>
            <Field id="role" label={t('signIn.role')}>
              <select
                id="role"
                value={form.role}
                onChange={(e) => setForm({ ...form, role: e.target.value })}
              >
                {(['regulator', 'agency', 'firm', 'admin'] as const).map((r) => (
                  <option key={r} value={r}>
                    {t(`roles.${r}`)}
                  </option>
                ))}
              </select>
            </Field>
            {form.role === 'agency' ? (
              <Field id="agency" label={t('signIn.agency')}>
                <input
                  id="agency"
                  required
                  placeholder="samr.ln"
                  value={form.agency}
                  onChange={(e) => setForm({ ...form, agency: e.target.value })}
                />
              </Field>
            ) : null}
            {form.role === 'firm' ? (
              <Field id="uscc" label={t('signIn.uscc')}>
                <input
                  id="uscc"
                  required
                  maxLength={18}
                  value={form.uscc}
                  onChange={(e) => setForm({ ...form, uscc: e.target.value })}
                />
              </Field>
            ) : null}
          </fieldset>
        )}
        <ErrorBox error={error} />
        <button type="submit">{t('signIn.submit')}</button>
      </form>
    </Page>
  )
}
