import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import Papa from 'papaparse'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { ApiFailure, call, ingest, inspection, notify, ok, type ApiError } from '../api/client.js'
import { dataOf, SchemaFields, type JsonSchema, type Values } from '../components/schema-form.js'
import { describedBy, ErrorBox, Field, Page } from '../components/ui.js'
import { useSession } from '../session/session.js'

const useAgency = () => useSession()?.agency ?? ''

const postJson = async <T,>(path: string, body: unknown, method = 'POST'): Promise<T> => {
  const res = await call(path, {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  const json = (res.status === 204 ? {} : await res.json()) as T | ApiError
  if (!res.ok) throw new ApiFailure(res.status, json as ApiError)
  return json as T
}

// Shanghai wall-clock from <input type="datetime-local"> as RFC 3339 with its offset.
const shanghaiNow = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 16)
const rfc3339 = (local: string) => `${local.length === 16 ? `${local}:00` : local}+08:00`

/** `/agency/publish`: one event through a form made from ingest's JSON Schema of its type. */
export const Publish = () => {
  const { t } = useTranslation()
  const agency = useAgency()
  const types = useQuery({ queryKey: ['schemas'], queryFn: () => ok(ingest.GET('/v1/schemas')) })
  const [type, setType] = useState('penalty.decided')
  const schema = useQuery({
    queryKey: ['schema', type],
    queryFn: async () =>
      (await (await fetch(`/api/ingest/v1/schemas/${encodeURIComponent(type)}`)).json()) as JsonSchema,
  })
  const [env, setEnv] = useState({ id: `evt-${Date.now()}`, subject: '', time: shanghaiNow() })
  const [values, setValues] = useState<Values>({})
  const send = useMutation({
    mutationFn: (data: Record<string, unknown>) =>
      postJson<{ id: string; status: string }>('/api/ingest/v1/events', {
        id: env.id,
        source: agency,
        type,
        subject: env.subject.trim(),
        time: rfc3339(env.time),
        data,
      }),
  })
  const errors: Record<string, string> = {}
  if (send.error instanceof ApiFailure)
    for (const e of send.error.body.errors ?? []) errors[e.path] ??= e.message
  const dataSchema = schema.data?.properties?.['data']
  const placed = new Set<string>()
  const collect = (s: JsonSchema | undefined, p: string) =>
    Object.entries(s?.properties ?? {}).forEach(
      ([k, v]) => (placed.add(`${p}/${k}`), collect(v, `${p}/${k}`)),
    )
  collect(dataSchema, '/data')
  const elsewhere = Object.entries(errors).filter(
    ([p]) => !placed.has(p) && !['/id', '/subject', '/time'].includes(p),
  )
  const publishable = (types.data?.items ?? []).filter(
    (i) => !i.type.startsWith('recall.obligation') && i.type !== 'recall.status-changed',
  )
  return (
    <Page title={t('publish.title')}>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault()
          if (dataSchema !== undefined) send.mutate(dataOf(dataSchema, '/data', values))
        }}
      >
        <Field id="type" label={t('publish.type')}>
          <select
            id="type"
            value={type}
            onChange={(e) => {
              setType(e.target.value)
              setValues({})
              send.reset()
            }}
          >
            {publishable.map((i) => (
              <option key={i.type}>{i.type}</option>
            ))}
          </select>
        </Field>
        <Field id="f-id" label={t('publish.eventId')} error={errors['/id']}>
          <input
            id="f-id"
            aria-describedby={describedBy('f-id', errors['/id'])}
            value={env.id}
            onChange={(e) => setEnv({ ...env, id: e.target.value })}
          />
        </Field>
        <Field id="f-subject" label={t('publish.subject')} error={errors['/subject']}>
          <input
            id="f-subject"
            aria-describedby={describedBy('f-subject', errors['/subject'])}
            aria-invalid={errors['/subject'] !== undefined}
            value={env.subject}
            onChange={(e) => setEnv({ ...env, subject: e.target.value })}
          />
        </Field>
        <Field id="f-time" label={t('publish.time')} error={errors['/time']}>
          <input
            id="f-time"
            type="datetime-local"
            aria-describedby={describedBy('f-time', errors['/time'])}
            value={env.time}
            onChange={(e) => setEnv({ ...env, time: e.target.value })}
          />
        </Field>
        {dataSchema === undefined ? null : (
          <fieldset>
            <legend>{t('publish.data')}</legend>
            <SchemaFields
              schema={dataSchema}
              pointer="/data"
              values={values}
              errors={errors}
              onChange={(p, v) => setValues({ ...values, [p]: v })}
            />
          </fieldset>
        )}
        {send.error instanceof ApiFailure && send.error.body.errors !== undefined ? (
          <p role="alert" className="error">
            {t('publish.invalid')}
            {elsewhere.map(([p, m]) => ` ${p}: ${m}`).join(';')}
          </p>
        ) : (
          <ErrorBox error={send.error} />
        )}
        <button type="submit" disabled={send.isPending}>
          {t('common.submit')}
        </button>
        {send.data === undefined ? null : (
          <p role="status" className="ok">
            {t('publish.accepted', { id: send.data.id, status: send.data.status })} ·{' '}
            <Link to={`/events/${encodeURIComponent(agency)}/${encodeURIComponent(send.data.id)}`}>
              {t('publish.status')}
            </Link>
          </p>
        )}
      </form>
    </Page>
  )
}

interface Verdict {
  index: number
  id?: string
  status: 'accepted' | 'duplicate' | 'rejected'
  code?: string
  errors?: { path: string; message: string }[]
}

const CHUNK = 100

/** The events of an NDJSON or CSV file (CSV columns id,type,subject,time,data with data as JSON). */
const eventsOf = (name: string, text: string, source: string): unknown[] => {
  if (name.toLowerCase().endsWith('.csv')) {
    const parsed = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true })
    return parsed.data.map((row) => {
      let data: unknown = row['data']
      try {
        data = JSON.parse(row['data'] ?? '')
      } catch {
        // Left as the string it is: ingest answers that row's verdict (data must be an object).
      }
      return {
        source: row['source'] || source,
        id: row['id'],
        type: row['type'],
        subject: row['subject'],
        time: row['time'],
        data,
      }
    })
  }
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      try {
        const e = JSON.parse(l) as Record<string, unknown>
        return { source, ...e }
      } catch {
        return l
      }
    })
}

/** `/agency/batch`: an NDJSON or CSV file sent in chunks, a progress bar, and each row's verdict. */
export const Batch = () => {
  const { t } = useTranslation()
  const agency = useAgency()
  const [file, setFile] = useState<File | undefined>()
  const [progress, setProgress] = useState({ done: 0, total: 0 })
  const [verdicts, setVerdicts] = useState<Verdict[]>([])
  const upload = useMutation({
    mutationFn: async (f: File) => {
      const events = eventsOf(f.name, await f.text(), agency)
      setVerdicts([])
      setProgress({ done: 0, total: events.length })
      const all: Verdict[] = []
      for (let start = 0; start < events.length; start += CHUNK) {
        const chunk = events.slice(start, start + CHUNK)
        const res = await call('/api/ingest/v1/events:batch', {
          method: 'POST',
          headers: { 'content-type': 'application/x-ndjson' },
          body: chunk.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))).join('\n'),
        })
        const json = (await res.json()) as { results: Verdict[] } | ApiError
        if (!res.ok || !('results' in json)) throw new ApiFailure(res.status, json as ApiError)
        all.push(...json.results.map((r) => ({ ...r, index: r.index + start })))
        setVerdicts([...all])
        setProgress({ done: Math.min(start + CHUNK, events.length), total: events.length })
      }
      return all
    },
  })
  const count = (s: Verdict['status']) => verdicts.filter((v) => v.status === s).length
  return (
    <Page title={t('batch.title')}>
      <form
        onSubmit={(e) => {
          e.preventDefault()
          if (file !== undefined) upload.mutate(file)
        }}
      >
        <Field id="file" label={t('batch.file')} hint={t('batch.help')}>
          <input
            id="file"
            type="file"
            accept=".ndjson,.jsonl,.csv,application/x-ndjson,text/csv"
            aria-describedby="file-hint"
            onChange={(e) => setFile(e.target.files?.[0])}
          />
        </Field>
        <button type="submit" disabled={file === undefined || upload.isPending}>
          {t('batch.upload')}
        </button>
      </form>
      <label htmlFor="batch-progress">{t('batch.progress')}</label>{' '}
      <progress id="batch-progress" max={Math.max(progress.total, 1)} value={progress.done}>
        {progress.done}/{progress.total}
      </progress>{' '}
      <span aria-live="polite" data-testid="batch-progress-text">
        {progress.done}/{progress.total}
      </span>
      <ErrorBox error={upload.error} />
      {verdicts.length === 0 ? null : (
        <>
          <h2>{t('batch.verdicts')}</h2>
          <p role="status" data-testid="batch-summary">
            {t('batch.summary', {
              accepted: count('accepted'),
              duplicate: count('duplicate'),
              rejected: count('rejected'),
            })}
          </p>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('batch.row')}</th>
                <th scope="col">{t('common.id')}</th>
                <th scope="col">{t('batch.verdict')}</th>
                <th scope="col">{t('batch.code')}</th>
              </tr>
            </thead>
            <tbody>
              {verdicts.map((v) => (
                <tr key={v.index}>
                  <td>{v.index + 1}</td>
                  <td>{v.id ?? ''}</td>
                  <td>{v.status}</td>
                  <td>
                    {v.code ?? ''}
                    {(v.errors ?? []).map((e) => ` ${e.path}: ${e.message}`).join(';')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </Page>
  )
}

const sha256Hex = async (s: string) =>
  [...new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(s)))]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('')

interface Task {
  taskId: string
  title: string
  status: string
  dueBy: string
  progress?: { selected: number; inspected: number; overdue: number }
}

/** `/agency/inspections`: the roster, planning a task (seed committed), drawing it, following its progress. */
export const Inspections = () => {
  const { t } = useTranslation()
  const agency = useAgency()
  const queries = useQueryClient()
  const tasks = useQuery({
    queryKey: ['tasks', agency],
    queryFn: () => ok(inspection.GET('/v1/inspection-tasks', { params: { query: { agency } } })),
  })
  const [plan, setPlan] = useState({
    taskId: `task-${Date.now()}`,
    title: '',
    items: '',
    region: '',
    dueBy: '',
  })
  const [seeds, setSeeds] = useState<Record<string, string>>({})
  const [inspector, setInspector] = useState({ id: '', name: '', region: '' })
  const refresh = () => queries.invalidateQueries({ queryKey: ['tasks', agency] })
  const create = useMutation({
    mutationFn: async () => {
      const seed = [...crypto.getRandomValues(new Uint8Array(16))]
        .map((b) => b.toString(16).padStart(2, '0'))
        .join('')
      await postJson('/api/inspection/v1/inspection-tasks', {
        taskId: plan.taskId,
        title: plan.title,
        items: plan.items
          .split('\n')
          .map((s) => s.trim())
          .filter(Boolean),
        agencies: [agency],
        population: { region: plan.region },
        dueBy: plan.dueBy,
        seedCommitment: await sha256Hex(seed),
      })
      setSeeds({ ...seeds, [plan.taskId]: seed })
      return seed
    },
    onSuccess: refresh,
  })
  const draw = useMutation({
    mutationFn: (taskId: string) =>
      postJson(`/api/inspection/v1/inspection-tasks/${encodeURIComponent(taskId)}:draw`, {
        seed: seeds[taskId] ?? '',
      }),
    onSuccess: refresh,
  })
  const addInspector = useMutation({
    mutationFn: () =>
      postJson(
        `/api/inspection/v1/agencies/${encodeURIComponent(agency)}/inspectors/${encodeURIComponent(inspector.id)}`,
        { name: inspector.name, region: inspector.region, active: true },
        'PUT',
      ),
  })
  return (
    <Page title={t('nav.tasks')}>
      <h2>{t('inspections.roster')}</h2>
      <form className="inline" onSubmit={(e) => (e.preventDefault(), addInspector.mutate())}>
        <Field id="ins-id" label={t('inspections.inspectorId')}>
          <input
            id="ins-id"
            required
            value={inspector.id}
            onChange={(e) => setInspector({ ...inspector, id: e.target.value })}
          />
        </Field>
        <Field id="ins-name" label={t('inspections.inspectorName')}>
          <input
            id="ins-name"
            required
            value={inspector.name}
            onChange={(e) => setInspector({ ...inspector, name: e.target.value })}
          />
        </Field>
        <Field id="ins-region" label={t('common.region')}>
          <input
            id="ins-region"
            required
            value={inspector.region}
            onChange={(e) => setInspector({ ...inspector, region: e.target.value })}
          />
        </Field>
        <button type="submit">{t('inspections.addInspector')}</button>
      </form>
      <ErrorBox error={addInspector.error} />
      <h2>{t('inspections.plan')}</h2>
      <form onSubmit={(e) => (e.preventDefault(), create.mutate())}>
        <Field id="task-id" label={t('inspections.taskId')}>
          <input
            id="task-id"
            required
            value={plan.taskId}
            onChange={(e) => setPlan({ ...plan, taskId: e.target.value })}
          />
        </Field>
        <Field id="task-title" label={t('inspections.taskTitle')}>
          <input
            id="task-title"
            required
            value={plan.title}
            onChange={(e) => setPlan({ ...plan, title: e.target.value })}
          />
        </Field>
        <Field id="task-items" label={t('inspections.items')} hint={t('inspections.itemsHelp')}>
          <textarea
            id="task-items"
            required
            aria-describedby="task-items-hint"
            value={plan.items}
            onChange={(e) => setPlan({ ...plan, items: e.target.value })}
          />
        </Field>
        <Field id="task-region" label={t('inspections.population')}>
          <input
            id="task-region"
            required
            value={plan.region}
            onChange={(e) => setPlan({ ...plan, region: e.target.value })}
          />
        </Field>
        <Field id="task-due" label={t('inspections.dueBy')}>
          <input
            id="task-due"
            type="date"
            required
            value={plan.dueBy}
            onChange={(e) => setPlan({ ...plan, dueBy: e.target.value })}
          />
        </Field>
        <button type="submit">{t('common.submit')}</button>
        <ErrorBox error={create.error} />
        {create.data === undefined ? null : (
          <p role="status">{t('inspections.seedKeep', { seed: create.data })}</p>
        )}
      </form>
      <h2>{t('inspections.mine')}</h2>
      <ErrorBox error={tasks.error ?? draw.error} />
      <table>
        <thead>
          <tr>
            <th scope="col">{t('inspections.task')}</th>
            <th scope="col">{t('common.status')}</th>
            <th scope="col">{t('inspections.progress')}</th>
            <th scope="col">{t('common.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {(((tasks.data as { items?: unknown[] } | undefined)?.items ?? []) as Task[]).map((task) => (
            <tr key={task.taskId}>
              <td>
                <Link to={`/inspections/${encodeURIComponent(task.taskId)}`}>{task.title}</Link>
              </td>
              <td>{task.status}</td>
              <td>
                {task.progress === undefined
                  ? '—'
                  : `${t('inspections.inspected')} ${task.progress.inspected}/${task.progress.selected} · ${t('inspections.overdue')} ${task.progress.overdue}`}
              </td>
              <td>
                {task.status === 'planned' ? (
                  <form className="inline" onSubmit={(e) => (e.preventDefault(), draw.mutate(task.taskId))}>
                    <Field id={`seed-${task.taskId}`} label={t('inspections.seed')}>
                      <input
                        id={`seed-${task.taskId}`}
                        required
                        value={seeds[task.taskId] ?? ''}
                        onChange={(e) => setSeeds({ ...seeds, [task.taskId]: e.target.value })}
                      />
                    </Field>
                    <button type="submit">{t('inspections.draw')}</button>
                  </form>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Page>
  )
}

interface Subscription {
  id: string
  url: string
  kinds: string[]
  region?: string
  status: 'active' | 'paused'
}

/** `/agency/subscriptions`: the caller's change subscriptions: create, pause, resume, delete. */
export const Subscriptions = () => {
  const { t } = useTranslation()
  const queries = useQueryClient()
  const list = useQuery({ queryKey: ['subscriptions'], queryFn: () => ok(notify.GET('/v1/subscriptions')) })
  const [form, setForm] = useState({ url: '', region: '', kinds: '' })
  const refresh = () => queries.invalidateQueries({ queryKey: ['subscriptions'] })
  const create = useMutation({
    mutationFn: () =>
      postJson<{ secret: string }>('/api/notify/v1/subscriptions', {
        url: form.url,
        ...(form.region === '' ? {} : { region: form.region }),
        ...(form.kinds === '' ? {} : { kinds: form.kinds.split(/[,，\s]+/).filter(Boolean) }),
      }),
    onSuccess: refresh,
  })
  const change = useMutation({
    mutationFn: ({ id, status }: { id: string; status?: 'active' | 'paused' }) =>
      status === undefined
        ? postJson(`/api/notify/v1/subscriptions/${encodeURIComponent(id)}`, undefined, 'DELETE')
        : postJson(`/api/notify/v1/subscriptions/${encodeURIComponent(id)}`, { status }, 'PATCH'),
    onSuccess: refresh,
  })
  return (
    <Page title={t('subscriptions.title')}>
      <form onSubmit={(e) => (e.preventDefault(), create.mutate())}>
        <Field id="sub-url" label={t('subscriptions.url')}>
          <input
            id="sub-url"
            type="url"
            required
            value={form.url}
            onChange={(e) => setForm({ ...form, url: e.target.value })}
          />
        </Field>
        <Field id="sub-kinds" label={t('subscriptions.kinds')}>
          <input
            id="sub-kinds"
            value={form.kinds}
            onChange={(e) => setForm({ ...form, kinds: e.target.value })}
          />
        </Field>
        <Field id="sub-region" label={t('subscriptions.region')}>
          <input
            id="sub-region"
            value={form.region}
            onChange={(e) => setForm({ ...form, region: e.target.value })}
          />
        </Field>
        <button type="submit">{t('subscriptions.create')}</button>
        <ErrorBox error={create.error} />
        {create.data === undefined ? null : (
          <p role="status">
            {t('subscriptions.secret')} <code>{create.data.secret}</code>
          </p>
        )}
      </form>
      <h2>{t('subscriptions.mine')}</h2>
      <ErrorBox error={list.error ?? change.error} />
      <table>
        <thead>
          <tr>
            <th scope="col">{t('subscriptions.url')}</th>
            <th scope="col">{t('common.status')}</th>
            <th scope="col">{t('common.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {(((list.data as { items?: unknown[] } | undefined)?.items ?? []) as Subscription[]).map((s) => (
            <tr key={s.id}>
              <td>{s.url}</td>
              <td>{t(`subscriptions.${s.status}`)}</td>
              <td>
                <button
                  type="button"
                  onClick={() =>
                    change.mutate({ id: s.id, status: s.status === 'active' ? 'paused' : 'active' })
                  }
                >
                  {s.status === 'active' ? t('subscriptions.pause') : t('subscriptions.resume')}
                </button>{' '}
                <button type="button" onClick={() => change.mutate({ id: s.id })}>
                  {t('subscriptions.remove')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Page>
  )
}
