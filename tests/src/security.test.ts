import { createHash } from 'node:crypto'
import { LOCAL_DEV_SECRET, signToken } from '@ecrs/http'
import { randomUscc, waitFor } from '@ecrs/testkit'
import { testInfra, uniqueName } from '@ecrs/testkit/vitest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getJson, postEvent } from './public-api.js'
import { serviceNames, startStack, type ServiceName, type ServiceProcess } from './stack.js'

/**
 * Contract §2's rights matrix as a table: every role × every route of every service's
 * /openapi.json, the recall commands included, with the status each role gets. A route that
 * appears in a service's OpenAPI document without a row here fails the table: a new endpoint
 * needs a rights decision before it lands.
 *
 * `ok` is any 2xx; `open` is anything but 401 and 403 (the role may: a 400, 404 or 409 is then
 * about the request, not about who sent it).
 */
const infra = testInfra()
const ns = uniqueName('rights').replace(/[^a-z0-9.-]/g, '')
const services = new Map<ServiceName, ServiceProcess>()
let stack: Awaited<ReturnType<typeof startStack>> | undefined

const roles = ['anonymous', 'agency', 'regulator', 'firm', 'otherFirm', 'admin', 'system'] as const
type Role = (typeof roles)[number]
type Expect = number | 'ok' | 'open'

const firmUscc = randomUscc()
const otherUscc = randomUscc()
const tokens = new Map<Role, string>()
const PUBLISHED = `R-${ns}-pub`
const HIDDEN = `R-${ns}-hidden`
const PENALTY_ID = `pen-${ns}`
const REPORT_ID = `ar-${ns}`

interface Row {
  service: ServiceName
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  /** The OpenAPI path this row decides. */
  route: string
  /** The request sent (defaults to `route` with nothing to fill in); a function when made in beforeAll. */
  url?: string | (() => string)
  body?: (role: Role) => unknown
  expect: Record<Role, Expect>
}

const all = (e: Expect): Record<Role, Expect> =>
  Object.fromEntries(roles.map((r) => [r, e])) as Record<Role, Expect>

// Who may publish which event: the body each role sends is the same; only the caller changes.
const agencyEvent = {
  id: `matrix-${ns}`,
  source: 'samr.ln',
  type: 'inspection.recorded',
  subject: firmUscc,
  time: '2025-05-01T10:00:00+08:00',
  data: { inspectionId: `I-${ns}`, kind: 'random', results: ['no-problem'] },
}
const firmEvent = {
  id: `matrix-${ns}-ar`,
  source: `firm:${firmUscc}`,
  type: 'annual-report.filed',
  subject: firmUscc,
  time: '2025-05-01T10:00:00+08:00',
  data: { year: 2024 },
}
const publishRights: Record<Role, Expect> = {
  anonymous: 401,
  agency: 'open',
  regulator: 403,
  firm: 403,
  otherFirm: 403,
  admin: 403,
  system: 403,
}
const firmPublishRights: Record<Role, Expect> = { ...publishRights, agency: 403, firm: 'open' }

const supervisors: Record<Role, Expect> = {
  anonymous: 401,
  agency: 200,
  regulator: 200,
  firm: 403,
  otherFirm: 403,
  admin: 403,
  system: 200,
}
const firmItself: Record<Role, Expect> = { ...supervisors, firm: 200 }
const publicRead = (code: Expect): Record<Role, Expect> => ({ ...all(code), admin: 403 })

const STEPS: readonly (readonly [string, 'firm' | 'agency'])[] = [
  ['plan', 'firm'],
  ['plan:accept', 'agency'],
  ['plan:return', 'agency'],
  ['notice', 'firm'],
  ['progress', 'firm'],
  ['completion', 'firm'],
  ['summary', 'firm'],
  ['close', 'agency'],
]

// The feed: every supervisor, a firm its own entries; subscriptions: anyone but admin may own some.
const feedReaders: Record<Role, Expect> = { ...supervisors, firm: 200, otherFirm: 200 }
// A subscription is its owner's (the regulator's here): anyone else is told it does not exist.
const ownerOnly = (ok: number): Record<Role, Expect> => ({
  anonymous: 401,
  agency: 404,
  regulator: ok,
  firm: 404,
  otherFirm: 404,
  admin: 403,
  system: 404,
})
// The regulator's subscriptions the rows act on (made in beforeAll): one with a delivery, one to delete.
const owned = { id: '', deliveryId: '' }
const doomed = { id: '' }

// The task the inspection rows act on: planned by samr.ln in beforeAll, drawn by its row.
const TASK_SEED = `seed-${ns}`
const TASK = {
  taskId: `T-${ns}`,
  title: 'Matrix inspection',
  items: ['labels'],
  population: { region: '2101' },
  dueBy: '2026-12-31',
  seedCommitment: createHash('sha256').update(TASK_SEED).digest('hex'),
}

const rows: Row[] = [
  // Every service's probes answer anyone (contract §1).
  ...serviceNames.flatMap((service): Row[] => [
    { service, method: 'GET', route: '/healthz', expect: all(200) },
    { service, method: 'GET', route: '/readyz', expect: all(200) },
  ]),
  // ingest (contract §5)
  { service: 'ingest', method: 'POST', route: '/v1/events', body: () => agencyEvent, expect: publishRights },
  {
    service: 'ingest',
    method: 'POST',
    route: '/v1/events',
    body: () => firmEvent,
    expect: firmPublishRights,
  },
  // A batch is judged item by item: the request itself is 200 for anyone who may publish at all.
  {
    service: 'ingest',
    method: 'POST',
    route: '/v1/events:batch',
    body: () => ({ events: [agencyEvent] }),
    expect: { ...publishRights, firm: 200, otherFirm: 200, system: 200, agency: 200 },
  },
  {
    service: 'ingest',
    method: 'GET',
    route: '/v1/events/{source}/{id}',
    url: `/v1/events/samr.ln/${PENALTY_ID}`,
    // An agency reads the status of its own events; regulators and admins of any event.
    expect: { ...supervisors, admin: 200, system: 403 },
  },
  {
    service: 'ingest',
    method: 'GET',
    route: '/v1/events/{source}/{id}',
    url: `/v1/events/firm:${firmUscc}/${REPORT_ID}`,
    expect: { ...supervisors, agency: 403, system: 403, firm: 200, admin: 200 },
  },
  // §10: regulators every agency, an agency itself (the agency role here is samr.ln; `system` is an agency token too).
  { service: 'ingest', method: 'GET', route: '/v1/agencies/stats', expect: supervisors },
  {
    service: 'ingest',
    method: 'GET',
    route: '/v1/agencies/stats',
    url: '/v1/agencies/stats?agency=samr.other',
    expect: { ...supervisors, agency: 403, system: 403 },
  },
  { service: 'ingest', method: 'GET', route: '/v1/schemas', expect: all(200) },
  {
    service: 'ingest',
    method: 'GET',
    route: '/v1/schemas/{type}',
    url: '/v1/schemas/penalty.decided',
    expect: all(200),
  },
  // credit-profile (contract §6)
  {
    service: 'credit-profile',
    method: 'GET',
    route: '/v1/enterprises/{uscc}',
    url: `/v1/enterprises/${firmUscc}`,
    expect: publicRead(200),
  },
  {
    service: 'credit-profile',
    method: 'GET',
    route: '/v1/enterprises/{uscc}/history',
    url: `/v1/enterprises/${firmUscc}/history`,
    expect: firmItself,
  },
  {
    service: 'credit-profile',
    method: 'GET',
    route: '/v1/enterprises/{uscc}/restrictions',
    url: `/v1/enterprises/${firmUscc}/restrictions`,
    expect: firmItself,
  },
  { service: 'credit-profile', method: 'GET', route: '/v1/enterprises', expect: supervisors },
  { service: 'credit-profile', method: 'GET', route: '/v1/stats', expect: supervisors },
  {
    service: 'credit-profile',
    method: 'POST',
    route: '/v1/admin/rules:run',
    expect: { ...all(403), anonymous: 401, admin: 200 },
  },
  // recall (contract §7)
  {
    service: 'recall',
    method: 'GET',
    route: '/v1/recalls/{recallId}',
    url: `/v1/recalls/${PUBLISHED}`,
    expect: publicRead(200),
  },
  {
    service: 'recall',
    method: 'GET',
    route: '/v1/recalls/{recallId}',
    url: `/v1/recalls/${HIDDEN}`,
    expect: { ...supervisors, firm: 200, otherFirm: 404, anonymous: 404 },
  },
  { service: 'recall', method: 'GET', route: '/v1/recalls', expect: supervisors },
  { service: 'recall', method: 'GET', route: '/v1/public/recalls', expect: publicRead(200) },
  {
    service: 'recall',
    method: 'GET',
    route: '/v1/firms/{uscc}/obligations',
    url: `/v1/firms/${firmUscc}/obligations`,
    expect: firmItself,
  },
  {
    service: 'recall',
    method: 'POST',
    route: '/v1/admin/rules:run',
    expect: { ...all(403), anonymous: 401, admin: 200 },
  },
  // Opening a case: the body lacks `product`, so a caller who may open gets 400, never 202.
  {
    service: 'recall',
    method: 'POST',
    route: '/v1/recalls',
    body: (role) => ({ recallId: `R-${ns}-${role}`, unitsAffected: 1, hazard: 'x', subject: firmUscc }),
    expect: { ...publishRights, firm: 'open', otherFirm: 403 },
  },
  // The steps on an unpublished case: its producer and agencies may try (the case answers 400 or
  // 409), another firm is told nothing (404), an agency step is not a firm's (403).
  ...STEPS.map(([step, party]): Row => ({
    service: 'recall',
    method: 'POST',
    route: `/v1/recalls/{recallId}/${step}`,
    url: `/v1/recalls/${HIDDEN}/${step}`,
    body: () => ({ unitsRemedied: -1, remedy: 'pray' }),
    expect: {
      anonymous: 401,
      agency: 'open',
      regulator: 403,
      firm: party === 'firm' ? 'open' : 403,
      otherFirm: 404,
      admin: 403,
      system: 403,
    },
  })),
  // notify (contract §8): the feed for supervisors and firms (their own), subscriptions to their owner.
  { service: 'notify', method: 'GET', route: '/v1/changes', expect: feedReaders },
  { service: 'notify', method: 'GET', route: '/v1/changes/stream', expect: feedReaders },
  {
    service: 'notify',
    method: 'POST',
    route: '/v1/subscriptions',
    body: () => ({ url: 'http://127.0.0.1:9/matrix' }),
    expect: { ...feedReaders, agency: 201, regulator: 201, firm: 201, otherFirm: 201, system: 201 },
  },
  { service: 'notify', method: 'GET', route: '/v1/subscriptions', expect: feedReaders },
  ...(
    [
      ['GET', '/v1/subscriptions/{id}', '', undefined, 200],
      ['PATCH', '/v1/subscriptions/{id}', '', { description: 'matrix' }, 200],
      ['POST', '/v1/subscriptions/{id}:rotate-secret', ':rotate-secret', {}, 200],
      ['GET', '/v1/subscriptions/{id}/deliveries', '/deliveries', undefined, 200],
    ] as const
  ).map(([method, route, suffix, body, ok]): Row => ({
    service: 'notify',
    method,
    route,
    url: () => `/v1/subscriptions/${owned.id}${suffix}`,
    ...(body === undefined ? {} : { body: () => body }),
    expect: ownerOnly(ok),
  })),
  {
    service: 'notify',
    method: 'POST',
    route: '/v1/subscriptions/{id}/deliveries/{deliveryId}:retry',
    url: () => `/v1/subscriptions/${owned.id}/deliveries/${owned.deliveryId}:retry`,
    body: () => ({}),
    expect: ownerOnly(202),
  },
  {
    service: 'notify',
    method: 'DELETE',
    route: '/v1/subscriptions/{id}',
    url: () => `/v1/subscriptions/${doomed.id}`,
    expect: ownerOnly(204),
  },
  // inspection (contract §9): rosters and tasks for their agency (regulators read), the public part to anyone.
  {
    service: 'inspection',
    method: 'PUT',
    route: '/v1/agencies/{agency}/inspectors/{inspectorId}',
    url: '/v1/agencies/samr.ln/inspectors/matrix-1',
    body: () => ({ name: 'Matrix Inspector', region: '2101', active: true }),
    expect: { ...publishRights, agency: 'ok' },
  },
  {
    service: 'inspection',
    method: 'GET',
    route: '/v1/agencies/{agency}/inspectors',
    url: '/v1/agencies/samr.ln/inspectors',
    expect: { ...supervisors, system: 403 },
  },
  {
    service: 'inspection',
    method: 'POST',
    route: '/v1/inspection-tasks',
    body: () => TASK,
    expect: { ...publishRights, agency: 'ok' },
  },
  { service: 'inspection', method: 'GET', route: '/v1/inspection-tasks', expect: supervisors },
  {
    service: 'inspection',
    method: 'GET',
    route: '/v1/inspection-tasks/{taskId}',
    url: `/v1/inspection-tasks/${TASK.taskId}`,
    expect: { ...supervisors, system: 403 },
  },
  {
    service: 'inspection',
    method: 'GET',
    route: '/v1/inspection-tasks/{taskId}/draw-record',
    url: `/v1/inspection-tasks/${TASK.taskId}/draw-record`,
    // 409 before the draw, 200 after: either is an answer about the task, not about the caller.
    expect: { ...supervisors, agency: 'open', regulator: 'open', system: 403 },
  },
  {
    service: 'inspection',
    method: 'POST',
    route: '/v1/inspection-tasks/{taskId}:draw',
    url: `/v1/inspection-tasks/${TASK.taskId}:draw`,
    body: () => ({ seed: TASK_SEED }),
    expect: { ...publishRights, agency: 'open' },
  },
  { service: 'inspection', method: 'GET', route: '/v1/public/inspection-tasks', expect: publicRead(200) },
  {
    service: 'inspection',
    method: 'GET',
    route: '/v1/public/inspection-tasks/{taskId}',
    url: `/v1/public/inspection-tasks/${TASK.taskId}`,
    expect: publicRead(200),
  },
]

const send = async (row: Row, role: Role): Promise<number> => {
  const t = tokens.get(role)
  const body = row.body?.(role)
  const path = typeof row.url === 'function' ? row.url() : (row.url ?? row.route)
  const res = await fetch(`${services.get(row.service)!.url}${path}`, {
    method: row.method,
    headers: {
      ...(t === undefined ? {} : { authorization: `Bearer ${t}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  // A stream stays open: its status is all a row needs.
  if (res.headers.get('content-type')?.startsWith('text/event-stream')) await res.body?.cancel()
  else await res.arrayBuffer()
  return res.status
}

const matches = (status: number, e: Expect): boolean =>
  e === 'ok' ? status >= 200 && status < 300 : e === 'open' ? status !== 401 && status !== 403 : status === e

beforeAll(async () => {
  stack = await startStack(infra, ns, serviceNames)
  for (const [name, svc] of stack.services) services.set(name, svc)
  const sign = (claims: Record<string, string>) =>
    signToken({ sub: `rights-${claims['role']}`, ...claims } as never, LOCAL_DEV_SECRET, 3600)
  tokens.set('agency', await sign({ role: 'agency', agency: 'samr.ln' }))
  tokens.set('regulator', await sign({ role: 'regulator' }))
  tokens.set('firm', await sign({ role: 'firm', uscc: firmUscc }))
  tokens.set('otherFirm', await sign({ role: 'firm', uscc: otherUscc }))
  tokens.set('admin', await sign({ role: 'admin' }))
  // A token that claims a reserved source: an agency token with `agency: ecrs.rules`.
  tokens.set('system', await sign({ role: 'agency', agency: 'ecrs.rules' }))

  // The regulator's subscriptions, made before the events so that the firm's entries are delivered
  // (to a port that refuses: the deliveries stay pending, retried).
  const subscribe = async () => {
    const res = await fetch(`${services.get('notify')!.url}/v1/subscriptions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.get('regulator')!}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'http://127.0.0.1:9/matrix', usccs: [firmUscc] }),
    })
    expect(res.status).toBe(201)
    return ((await res.json()) as { id: string }).id
  }
  owned.id = await subscribe()
  doomed.id = await subscribe()
  const planned = await fetch(`${services.get('inspection')!.url}/v1/inspection-tasks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokens.get('agency')!}`, 'content-type': 'application/json' },
    body: JSON.stringify(TASK),
  })
  expect(planned.status, await planned.text()).toBe(201)

  // What the rows read: a registered firm with a penalty and a report, a published and a hidden case.
  const ingest = services.get('ingest')!.url
  const agency = tokens.get('agency')!
  const firm = tokens.get('firm')!
  const published = [
    await postEvent(ingest, agency, {
      id: `reg-${ns}`,
      source: 'samr.ln',
      type: 'enterprise.registered',
      subject: firmUscc,
      time: '2019-03-01T10:00:00+08:00',
      data: { name: 'Matrix Kettles', region: '210100', kind: 'company', registeredAt: '2019-03-01' },
    }),
    await postEvent(ingest, agency, {
      id: PENALTY_ID,
      source: 'samr.ln',
      type: 'penalty.decided',
      subject: firmUscc,
      time: '2025-03-01T10:00:00+08:00',
      data: { decisionNo: `D-${ns}`, measures: ['fine'], fineAmount: 5000, domain: 'product-quality' },
    }),
    await postEvent(ingest, firm, { ...firmEvent, id: REPORT_ID, data: { year: 2023 } }),
  ]
  for (const r of published) expect(r.status, JSON.stringify(r.body)).toBe(202)
  const recall = services.get('recall')!.url
  const command = async (path: string, t: string, body: unknown) => {
    const res = await fetch(`${recall}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    expect(res.status, `${path}: ${await res.text()}`).toBe(202)
  }
  const regulator = tokens.get('regulator')!
  const statusOf = async (recallId: string) =>
    (await getJson<{ status?: string }>(`${recall}/v1/recalls/${recallId}`, regulator)).body.status
  const opening = (recallId: string) => ({
    recallId,
    product: { name: 'Matrix Kettle', category: 'consumer-product' },
    unitsAffected: 10,
    hazard: 'Leaks.',
  })
  await command('/v1/recalls', firm, opening(HIDDEN))
  await command('/v1/recalls', firm, opening(PUBLISHED))
  for (const [path, t, body, status] of [
    ['plan', firm, { remedy: 'repair' }, 'plan-submitted'],
    ['plan:accept', agency, {}, 'plan-accepted'],
    ['notice', firm, { url: 'https://example.org/n' }, 'in-progress'],
  ] as const) {
    await waitFor(async () => (await statusOf(PUBLISHED)) !== undefined, { what: PUBLISHED })
    await command(`/v1/recalls/${PUBLISHED}/${path}`, t, body)
    await waitFor(async () => (await statusOf(PUBLISHED)) === status, { what: `${PUBLISHED} ${status}` })
  }
  await waitFor(async () => (await statusOf(HIDDEN)) === 'initiated', { what: HIDDEN })
  await waitFor(
    async () =>
      (await getJson(`${services.get('credit-profile')!.url}/v1/enterprises/${firmUscc}`)).status === 200,
    { what: 'the profile' },
  )
  await waitFor(
    async () => {
      const listed = await getJson<{ items: { deliveryId: string }[] }>(
        `${services.get('notify')!.url}/v1/subscriptions/${owned.id}/deliveries`,
        regulator,
      )
      owned.deliveryId = listed.body.items[0]?.deliveryId ?? ''
      return owned.deliveryId !== ''
    },
    { what: "a delivery of the firm's entries" },
  )
})

afterAll(async () => {
  await stack?.stop()
})

describe("contract §2's rights matrix", () => {
  it('has a row for every route of every /openapi.json', async () => {
    const missing: string[] = []
    for (const name of serviceNames) {
      const doc = (
        await getJson<{ paths: Record<string, Record<string, unknown>> }>(
          `${services.get(name)!.url}/openapi.json`,
        )
      ).body
      for (const [path, ops] of Object.entries(doc.paths))
        for (const method of Object.keys(ops)) {
          const m = method.toUpperCase()
          if (!rows.some((r) => r.service === name && r.method === m && r.route === path))
            missing.push(`${name} ${m} ${path}`)
        }
    }
    expect(missing).toEqual([])
  })

  it.each(
    rows.map((r) => [`${r.service} ${r.method} ${typeof r.url === 'string' ? r.url : r.route}`, r] as const),
  )('%s', async (_name, row) => {
    const got: Record<string, number> = {}
    for (const role of roles) got[role] = await send(row, role)
    const wrong = roles
      .filter((role) => !matches(got[role]!, row.expect[role]))
      .map((role) => `${role}: got ${got[role]}, want ${row.expect[role]}`)
    expect(wrong).toEqual([])
  })
})
