import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  normalizeEnvelope,
  toChangeRecord,
  toCloudEventRecord,
  topicNames,
  type Change,
} from '@ecrs/contracts'
import { LOCAL_DEV_SECRET, readConfig, signToken, type TokenClaims } from '@ecrs/http'
import { createKafka, createProducer, type Producer } from '@ecrs/kafka'
import { connectStore, type Store } from '@ecrs/store'
import { randomUscc, repoRoot, serviceEnv, waitFor } from '@ecrs/testkit'
import { testInfra, uniqueName } from '@ecrs/testkit/vitest'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { configSchema } from './config.js'
import { draw, pairKeys, sha256hex, type PopulationEntry, type RiskClass } from './draw/algorithm.js'
import type { RegisterDoc } from './register/domain.js'
import { start, type InspectionService } from './service.js'

const infra = testInfra()
const ns = uniqueName('insp')
const topics = topicNames(ns)
const log = pino({ level: 'silent' })
let service: InspectionService
let producer: Producer
let store: Store

const token = (claims: Omit<TokenClaims, 'sub'>) =>
  signToken({ sub: 'test', ...claims }, LOCAL_DEV_SECRET, 600)
const SH = 'samr.sh'
const JS = 'samr.js'
const auth: Record<string, string> = {}

interface Ent {
  uscc: string
  name: string
  region: string
  kind: string
  cls?: RiskClass
}

const ent = (i: number, region: string, cls?: RiskClass, kind = 'company'): Ent => ({
  uscc: randomUscc(),
  name: `Enterprise ${i}`,
  region,
  kind,
  ...(cls === undefined ? {} : { cls }),
})
const e = [
  ent(1, '310101', 'A'),
  ent(2, '310101', 'B'),
  ent(3, '310104', 'B'),
  ent(4, '310104', 'C'),
  ent(5, '310105', 'C'),
  ent(6, '310101', 'D'),
  ent(7, '310106', 'D', 'individual'),
  ent(8, '310101', 'C'), // becomes D
  ent(9, '310101', 'B'), // deregistered
  ent(10, '310104'), // no class known
  ent(11, '320101', 'A'), // another region
  ent(12, '320102', 'C'),
]
const [, , , , , , , changed, gone, unclassed, elsewhere] = e as [
  Ent,
  Ent,
  Ent,
  Ent,
  Ent,
  Ent,
  Ent,
  Ent,
  Ent,
  Ent,
  Ent,
  Ent,
]

const changeRecord = (x: Ent, changes: Change[]) =>
  toChangeRecord(
    topics.changes,
    {
      uscc: x.uscc,
      name: x.name,
      region: x.region,
      enterpriseKind: x.kind,
      time: new Date().toISOString(),
      changes,
    },
    new Date(),
  )

let eventSeq = 0
const inspectionRecorded = (agency: string, uscc: string, taskId: string, results = ['no-problem']) =>
  toCloudEventRecord(
    normalizeEnvelope({
      id: `insp-${++eventSeq}`,
      source: agency,
      type: 'inspection.recorded',
      subject: uscc,
      time: new Date(Date.now() - 60_000).toISOString(),
      data: { inspectionId: `I-${eventSeq}`, kind: 'random', results, taskId },
    }),
    { topic: topics.enterprise, key: uscc, recordedAt: new Date() },
  )

const req = async (method: 'GET' | 'POST' | 'PUT', url: string, who?: string, payload?: object) =>
  service.app.inject({
    method,
    url,
    headers: who === undefined ? {} : { authorization: `Bearer ${auth[who]}` },
    ...(payload === undefined ? {} : { payload }),
  })

const seedOf = (name: string) => `seed-${name}-${ns}`
const taskBody = (taskId: string, over: Record<string, unknown> = {}) => ({
  taskId,
  title: `Food safety random inspection ${taskId}`,
  items: ['food labels', 'storage'],
  population: { region: '3101' },
  ratios: { A: 1, B: 1, C: 1, D: 1 },
  dueBy: '2099-12-31',
  seedCommitment: sha256hex(seedOf(taskId)),
  ...over,
})

interface DrawAnswer {
  taskId: string
  status: string
  drawnAt: string
  seed: string
  populationHash: string
  population: Record<RiskClass, number>
  selected: { uscc: string; name: string; inspectors: { agency: string; inspectorId: string }[] }[]
}

/** The population of region 3101 as the test built it: active, classed, the changed class. */
const expectedPopulation = (exclude: ReadonlySet<string> = new Set(), region = '3101'): PopulationEntry[] =>
  e
    .filter((x) => x.region.startsWith(region) && x.cls !== undefined && x !== gone && !exclude.has(x.uscc))
    .map((x) => ({ uscc: x.uscc, name: x.name, riskClass: x === changed ? 'D' : x.cls! }))
    .sort((a, b) => (a.uscc < b.uscc ? -1 : 1))

const SH_ROSTER = Array.from({ length: 12 }, (_, i) => `i-${String(i + 1).padStart(2, '0')}`)
const JS_ROSTER = ['j-01', 'j-02', 'j-03']
const rosterOf = (ids: string[], inactive: string[] = []) => [
  ...ids.map((inspectorId) => ({ inspectorId, active: true })),
  ...inactive.map((inspectorId) => ({ inspectorId, active: false })),
]

const answers = new Map<string, DrawAnswer>()

beforeAll(async () => {
  // One partition: records of different enterprises keep their order, so one processed record says
  // the earlier ones were processed too.
  const config = readConfig(configSchema, serviceEnv(infra, ns, { TOPIC_PARTITIONS: '1', LOG_LEVEL: 'warn' }))
  service = await start(config, pino({ level: 'warn' }))
  store = await connectStore({ url: infra.mongoUrl, dbName: config.MONGO_DB })
  producer = await createProducer(
    createKafka({ brokers: infra.kafkaBrokers, clientId: 'inspection-test', logger: log }),
    {
      logger: log,
    },
  )
  auth[SH] = await token({ role: 'agency', agency: SH })
  auth[JS] = await token({ role: 'agency', agency: JS })
  auth['samr.zj'] = await token({ role: 'agency', agency: 'samr.zj' })
  auth['regulator'] = await token({ role: 'regulator' })
  auth['firm'] = await token({ role: 'firm', uscc: e[0]!.uscc })

  const records = e.map((x) =>
    changeRecord(x, [
      { kind: 'registered' },
      ...(x.cls === undefined ? [] : [{ kind: 'risk-class-changed' as const, from: null, to: x.cls }]),
    ]),
  )
  records.push(changeRecord(changed, [{ kind: 'risk-class-changed', from: 'C', to: 'D' }]))
  records.push(changeRecord(gone, [{ kind: 'deregistered' }]))
  records.push({ ...changeRecord(elsewhere, [{ kind: 'registered' }]), value: '{"not":"a change record"}' })
  await producer.send(records)
  const register = store.db.collection<RegisterDoc>('register')
  await waitFor(
    async () => {
      const docs = await register.find({}).toArray()
      const c = docs.find((d) => d._id === changed.uscc)
      const g = docs.find((d) => d._id === gone.uscc)
      return docs.length === e.length && c?.riskClass === 'D' && g?.active === false
    },
    { what: 'the register', timeoutMs: 30_000 },
  )

  for (const id of SH_ROSTER) {
    const r = await req('PUT', `/v1/agencies/${SH}/inspectors/${id}`, SH, {
      name: `Inspector ${id}`,
      region: '3101',
      active: true,
    })
    expect(r.statusCode).toBe(201)
  }
  for (const id of [...JS_ROSTER, 'j-04']) {
    const r = await req('PUT', `/v1/agencies/${JS}/inspectors/${id}`, JS, {
      name: `Inspector ${id}`,
      region: '3201',
      active: true,
    })
    expect(r.statusCode).toBe(201)
  }
  const off = await req('PUT', `/v1/agencies/${JS}/inspectors/j-04`, JS, {
    name: 'Inspector j-04',
    region: '3201',
    active: false,
  })
  expect(off.statusCode).toBe(200)
  expect(off.json()).toMatchObject({ agency: JS, inspectorId: 'j-04', active: false })
})

afterAll(async () => {
  await producer?.disconnect()
  await service?.close()
  await store?.db.dropDatabase().catch(() => undefined)
  await store?.close()
})

const create = async (body: object, who = SH) => req('POST', '/v1/inspection-tasks', who, body)
const drawOf = (taskId: string, seed = seedOf(taskId), who = SH) =>
  req('POST', `/v1/inspection-tasks/${taskId}:draw`, who, { seed })

describe('service', () => {
  it('serves its OpenAPI document with the routes of §9, and is ready', async () => {
    const doc = await req('GET', '/openapi.json')
    expect(doc.statusCode).toBe(200)
    const paths = Object.keys(doc.json<{ paths: Record<string, unknown> }>().paths)
    expect(paths).toEqual(
      expect.arrayContaining([
        '/v1/inspection-tasks',
        '/v1/inspection-tasks/{taskId}/draw-record',
        '/v1/public/inspection-tasks/{taskId}',
        '/v1/agencies/{agency}/inspectors/{inspectorId}',
      ]),
    )
    expect((await req('GET', '/readyz')).statusCode).toBe(200)
  })
})

describe('rosters', () => {
  it('lists an agency’s roster to it and to regulators, no one else', async () => {
    const mine = await req('GET', `/v1/agencies/${JS}/inspectors`, JS)
    expect(mine.statusCode).toBe(200)
    expect(mine.json<{ items: { inspectorId: string }[] }>().items.map((i) => i.inspectorId)).toEqual([
      ...JS_ROSTER,
      'j-04',
    ])
    expect((await req('GET', `/v1/agencies/${JS}/inspectors`, 'regulator')).statusCode).toBe(200)
    expect((await req('GET', `/v1/agencies/${JS}/inspectors`, SH)).statusCode).toBe(403)
    expect((await req('GET', `/v1/agencies/${JS}/inspectors`, 'firm')).statusCode).toBe(403)
    expect((await req('GET', `/v1/agencies/${JS}/inspectors`)).statusCode).toBe(401)
  })

  it('only that agency puts inspectors; ids are checked', async () => {
    const body = { name: 'x', region: '3101', active: true }
    expect((await req('PUT', `/v1/agencies/${JS}/inspectors/x-1`, SH, body)).statusCode).toBe(403)
    expect((await req('PUT', `/v1/agencies/${JS}/inspectors/x-1`, 'regulator', body)).statusCode).toBe(403)
    expect((await req('PUT', `/v1/agencies/${JS}/inspectors/x-1`, undefined, body)).statusCode).toBe(401)
    const bad = await req('PUT', `/v1/agencies/${JS}/inspectors/a%01b`, JS, body)
    expect(bad.statusCode).toBe(400)
    expect((await req('PUT', `/v1/agencies/${JS}/inspectors/${'x'.repeat(129)}`, JS, body)).statusCode).toBe(
      400,
    )
  })
})

describe('tasks and draws', () => {
  it('plans a task with defaults; the same again is 200, other content 409', async () => {
    const body = taskBody('T1', { ratios: { A: 1, B: 0.5, C: 0.5, D: 0.34 } })
    const r = await create(body)
    expect(r.statusCode).toBe(201)
    expect(r.json()).toMatchObject({
      taskId: 'T1',
      agencies: [SH],
      population: { region: '3101', excludeInspectedWithinMonths: 12 },
      inspectorsPerAgency: 2,
      status: 'planned',
      progress: { selected: 0, inspected: 0, overdue: 0 },
    })
    expect(typeof r.json<{ createdAt: string }>().createdAt).toBe('string')
    expect((await create(body)).statusCode).toBe(200)
    const other = await create({ ...body, title: 'another title' })
    expect(other.statusCode).toBe(409)
    expect(other.json()).toMatchObject({ code: 'EVENT_ID_CONFLICT' })
    expect((await create({ ...body, taskId: 'T-bad', inspectorsPerAgency: 1 })).statusCode).toBe(400)
    expect((await create({ ...body, taskId: 'T-bad', seedCommitment: 'A'.repeat(64) })).statusCode).toBe(400)
    expect((await create({ ...body, taskId: 'T-bad', dueBy: '2025-02-30' })).statusCode).toBe(400)
    expect((await create(body, 'regulator')).statusCode).toBe(403)
    expect((await create(body, 'firm')).statusCode).toBe(403)
    expect((await req('POST', '/v1/inspection-tasks', undefined, body)).statusCode).toBe(401)
  })

  it('refuses a seed that is not the commitment, and a draw by anyone but the lead', async () => {
    const wrong = await drawOf('T1', 'not the seed')
    expect(wrong.statusCode).toBe(409)
    expect(wrong.json()).toMatchObject({ code: 'SEED_MISMATCH' })
    expect((await drawOf('T1', seedOf('T1'), JS)).statusCode).toBe(403)
    expect((await drawOf('T1', seedOf('T1'), 'regulator')).statusCode).toBe(403)
    expect((await drawOf('nope')).statusCode).toBe(404)
    expect((await req('GET', '/v1/inspection-tasks/T1/draw-record', SH)).json()).toMatchObject({
      code: 'TASK_NOT_DRAWN',
    })
  })

  it('draws as the draw module does over the register’s population', async () => {
    const r = await drawOf('T1')
    expect(r.statusCode).toBe(200)
    const answer = r.json<DrawAnswer>()
    answers.set('T1', answer)
    const population = expectedPopulation()
    expect(population.map((p) => p.uscc)).not.toContain(gone.uscc)
    expect(population.map((p) => p.uscc)).not.toContain(unclassed.uscc)
    const expected = await draw({
      task: {
        taskId: 'T1',
        agencies: [SH],
        ratios: { A: 1, B: 0.5, C: 0.5, D: 0.34 },
        inspectorsPerAgency: 2,
      },
      seed: seedOf('T1'),
      population: () => population,
      rosters: { [SH]: rosterOf(SH_ROSTER) },
      previousPairs: {},
    })
    expect(answer).toMatchObject({ taskId: 'T1', status: 'drawn', seed: seedOf('T1') })
    expect(answer.populationHash).toBe(expected.populationHash)
    expect(answer.population).toEqual({ A: 1, B: 2, C: 2, D: 3 }) // the changed class counts as D
    expect(answer.selected).toEqual(
      expected.selected.map(({ uscc, name, inspectors }) => ({ uscc, name, inspectors })),
    )
    expect(answer.selected).toHaveLength(5)
    expect(JSON.stringify(answer)).not.toContain('riskClass')

    const again = await drawOf('T1')
    expect(again.statusCode).toBe(409)
    expect(again.json()).toMatchObject({ code: 'TASK_ALREADY_DRAWN' })

    const task = await req('GET', '/v1/inspection-tasks/T1', 'regulator')
    expect(task.statusCode).toBe(200)
    expect(task.json()).toMatchObject({
      status: 'drawn',
      populationHash: expected.populationHash,
      progress: { selected: 5, inspected: 0, overdue: 0 },
      // The filter it was planned with, and the draw's counts.
      population: { region: '3101', excludeInspectedWithinMonths: 12, A: 1, B: 2, C: 2, D: 3 },
    })
  })

  it('avoids the pairs of the agency’s previous drawn task (回避)', async () => {
    // The same seed: without 回避 each enterprise would get the same inspectors as in T1.
    expect((await create(taskBody('T2', { seedCommitment: sha256hex(seedOf('T1')) }))).statusCode).toBe(201)
    const r = await drawOf('T2', seedOf('T1'))
    expect(r.statusCode).toBe(200)
    const answer = r.json<DrawAnswer>()
    answers.set('T2', answer)
    const t1 = answers.get('T1')!
    const previous = t1.selected.flatMap((s) =>
      s.inspectors.map((i) => ({ uscc: s.uscc, inspectorId: i.inspectorId })),
    )
    const input = {
      task: { taskId: 'T2', agencies: [SH], ratios: { A: 1, B: 1, C: 1, D: 1 }, inspectorsPerAgency: 2 },
      seed: seedOf('T1'),
      population: () => expectedPopulation(),
      rosters: { [SH]: rosterOf(SH_ROSTER) },
    }
    const expected = await draw({ ...input, previousPairs: { [SH]: pairKeys(previous) } })
    const naive = await draw({ ...input, previousPairs: {} })
    expect(answer.selected).toEqual(
      expected.selected.map(({ uscc, name, inspectors }) => ({ uscc, name, inspectors })),
    )
    let avoidedFirst = 0
    for (const s of t1.selected) {
      const now = answer.selected.find((x) => x.uscc === s.uscc)!.inspectors.map((i) => i.inspectorId)
      const before = s.inspectors.map((i) => i.inspectorId)
      expect(now.filter((id) => before.includes(id))).toEqual([])
      const naiveFirst = naive.selected.find((x) => x.uscc === s.uscc)!.inspectors[0]!.inspectorId
      if (before.includes(naiveFirst)) {
        avoidedFirst++
        expect(now[0]).not.toBe(naiveFirst)
      }
    }
    expect(avoidedFirst).toBeGreaterThan(0)
  })

  it('a joint task gives every selected enterprise inspectors of each agency', async () => {
    const r0 = await create(
      taskBody('T3', { agencies: [JS], population: { region: '310101' }, inspectorsPerAgency: 1 }),
    )
    expect(r0.statusCode).toBe(201)
    expect(r0.json()).toMatchObject({ agencies: [SH, JS] })
    expect((await drawOf('T3', seedOf('T3'), JS)).statusCode).toBe(403)
    const r = await drawOf('T3')
    expect(r.statusCode).toBe(200)
    const answer = r.json<DrawAnswer>()
    answers.set('T3', answer)
    expect(answer.selected.map((s) => s.uscc).sort()).toEqual(
      expectedPopulation(new Set(), '310101').map((p) => p.uscc),
    )
    for (const s of answer.selected) {
      expect(s.inspectors.map((i) => i.agency)).toEqual([SH, JS])
      expect(JS_ROSTER).toContain(s.inspectors[1]!.inspectorId) // never the inactive j-04
    }
    const t2 = answers.get('T2')!
    const t2Pairs = new Set(t2.selected.flatMap((s) => s.inspectors.map((i) => `${s.uscc}/${i.inspectorId}`)))
    for (const s of answer.selected)
      expect(t2Pairs.has(`${s.uscc}/${s.inspectors[0]!.inspectorId}`)).toBe(false)
    // The lead's partner reads it; an agency not in it does not.
    expect((await req('GET', '/v1/inspection-tasks/T3', JS)).statusCode).toBe(200)
    expect((await req('GET', '/v1/inspection-tasks/T3', 'samr.zj')).statusCode).toBe(403)
    expect((await req('GET', '/v1/inspection-tasks/T3', 'firm')).statusCode).toBe(403)
    expect((await req('GET', '/v1/inspection-tasks/T3')).statusCode).toBe(401)
    expect((await req('GET', '/v1/inspection-tasks/none', 'regulator')).statusCode).toBe(404)
  })

  it('refuses a draw without enough inspectors, naming the agency, and can be tried again', async () => {
    expect((await create(taskBody('T4', { inspectorsPerAgency: 4 }), JS)).statusCode).toBe(201)
    for (let i = 0; i < 2; i++) {
      const r = await drawOf('T4', seedOf('T4'), JS)
      expect(r.statusCode).toBe(409)
      expect(r.json()).toMatchObject({ code: 'NOT_ENOUGH_INSPECTORS' })
      expect(r.json<{ message: string }>().message).toContain(JS)
    }
    expect((await req('GET', '/v1/inspection-tasks/T4', JS)).json()).toMatchObject({ status: 'planned' })
  })

  it('of two draws at once, one draws and the other is TASK_ALREADY_DRAWN', async () => {
    expect((await create(taskBody('T0', { population: { region: '310104' } }))).statusCode).toBe(201)
    const both = await Promise.all([drawOf('T0'), drawOf('T0')])
    expect(both.map((r) => r.statusCode).sort()).toEqual([200, 409])
    expect(both.find((r) => r.statusCode === 409)!.json()).toMatchObject({ code: 'TASK_ALREADY_DRAWN' })
    const record = await req('GET', '/v1/inspection-tasks/T0/draw-record', SH)
    expect(record.json<{ population: unknown[] }>().population).toHaveLength(2)
  })

  it('lists tasks: regulators all, an agency those it is part of', async () => {
    const all = await req('GET', '/v1/inspection-tasks', 'regulator')
    expect(all.json<{ items: { taskId: string }[] }>().items.map((t) => t.taskId)).toEqual([
      'T0',
      'T1',
      'T2',
      'T3',
      'T4',
    ])
    const js = await req('GET', '/v1/inspection-tasks', JS)
    expect(js.json<{ items: { taskId: string }[] }>().items.map((t) => t.taskId)).toEqual(['T3', 'T4'])
    const drawn = await req('GET', `/v1/inspection-tasks?agency=${SH}&status=drawn&limit=2`, 'regulator')
    const page = drawn.json<{ items: { taskId: string }[]; next?: string }>()
    expect(page.items.map((t) => t.taskId)).toEqual(['T0', 'T1'])
    const rest = await req(
      'GET',
      `/v1/inspection-tasks?agency=${SH}&status=drawn&limit=2&cursor=${page.next}`,
      'regulator',
    )
    expect(rest.json<{ items: { taskId: string }[] }>().items.map((t) => t.taskId)).toEqual(['T2', 'T3'])
    expect(rest.json()).not.toHaveProperty('next')
    expect((await req('GET', `/v1/inspection-tasks?agency=${SH}`, JS)).statusCode).toBe(403)
    expect((await req('GET', '/v1/inspection-tasks?status=bogus', 'regulator')).statusCode).toBe(400)
    expect((await req('GET', '/v1/inspection-tasks', 'firm')).statusCode).toBe(403)
    expect((await req('GET', '/v1/inspection-tasks')).statusCode).toBe(401)
  })
})

describe('the draw record', () => {
  it('has the spec’s format and is verified by the independent verifier', async () => {
    const r = await req('GET', '/v1/inspection-tasks/T2/draw-record', 'regulator')
    expect(r.statusCode).toBe(200)
    const record = r.json<{
      format: string
      task: Record<string, unknown>
      population: { uscc: string; name: string; class: string }[]
      rosters: Record<string, unknown>
      previousAssignments: Record<string, { taskId: string | null; pairs: unknown[] }>
      result: { populationHash: string }
    }>()
    expect(Object.keys(record)).toEqual([
      'format',
      'task',
      'seed',
      'drawnAt',
      'population',
      'rosters',
      'previousAssignments',
      'result',
    ])
    expect(record.format).toBe('ecrs.draw-record/1')
    expect(record.population).toEqual(
      expectedPopulation().map((p) => ({ uscc: p.uscc, name: p.name, class: p.riskClass })),
    )
    expect(record.result.populationHash).toBe(
      sha256hex(
        record.population
          .map((p) => `${p.uscc}:${p.class}`)
          .sort()
          .join('\n'),
      ),
    )
    expect(record.previousAssignments[SH]).toMatchObject({ taskId: 'T1' })
    expect(record.previousAssignments[SH]!.pairs).toHaveLength(10)
    expect((await req('GET', '/v1/inspection-tasks/T2/draw-record', JS)).statusCode).toBe(403)

    const dir = mkdtempSync(join(tmpdir(), 'draw-record-'))
    const file = join(dir, 'T2.json')
    writeFileSync(file, r.body)
    const verifier = join(repoRoot, 'infra/bin/verify-draw.mjs')
    const ok = spawnSync(process.execPath, [verifier, file], { encoding: 'utf8' })
    expect(ok.stdout + ok.stderr).toContain('draw verified')
    expect(ok.status).toBe(0)

    const tampered = JSON.parse(readFileSync(file, 'utf8')) as typeof record
    const first = tampered.population[0]!
    first.class = first.class === 'A' ? 'B' : 'A'
    writeFileSync(file, JSON.stringify(tampered))
    const bad = spawnSync(process.execPath, [verifier, file], { encoding: 'utf8' })
    expect(bad.status).toBe(1)

    // A joint task's record, with a previous task for one agency and none for the other.
    const joint = await req('GET', '/v1/inspection-tasks/T3/draw-record', JS)
    writeFileSync(file, joint.body)
    expect(joint.json<typeof record>().previousAssignments[JS]).toEqual({ taskId: null, pairs: [] })
    expect(spawnSync(process.execPath, [verifier, file], { encoding: 'utf8' }).status).toBe(0)
  })
})

describe('results', () => {
  const progress = async () =>
    (await req('GET', '/v1/inspection-tasks/T1', SH)).json<{
      status: string
      progress: { selected: number; inspected: number }
    }>()

  it('a result for a selected enterprise counts, for another is ignored; all results complete the task', async () => {
    const t1 = answers.get('T1')!
    const selected = t1.selected.map((s) => s.uscc)
    const notSelected = expectedPopulation().find((p) => !selected.includes(p.uscc))!.uscc
    // One partition: once the selected one counts, the earlier ones were handled too.
    await producer.send([
      inspectionRecorded(SH, notSelected, 'T1'),
      inspectionRecorded(JS, selected[1]!, 'T1'), // not an agency of T1
      inspectionRecorded(SH, selected[0]!, 'T1', ['problem-corrected']),
    ])
    await waitFor(async () => (await progress()).progress.inspected === 1, {
      what: 'one result',
      timeoutMs: 30_000,
    })
    const one = await req('GET', '/v1/inspection-tasks/T1', SH)
    expect(one.json()).toMatchObject({ status: 'drawn', progress: { selected: 5, inspected: 1, overdue: 0 } })
    const kept = await store.db.collection<RegisterDoc>('register').findOne({ _id: notSelected })
    expect(kept?.lastInspected?.[0]).toMatch(/^samr\.sh\|/)

    await producer.send(selected.slice(1).map((u) => inspectionRecorded(SH, u, 'T1')))
    await waitFor(async () => (await progress()).status === 'completed', {
      what: 'T1 completed',
      timeoutMs: 30_000,
    })
    expect((await progress()).progress).toEqual({ selected: 5, inspected: 5, overdue: 0 })
  })

  it('a later draw leaves out what the task’s agencies inspected within the months', async () => {
    const inspected = new Set([
      ...answers.get('T1')!.selected.map((s) => s.uscc),
      expectedPopulation().find((p) => !answers.get('T1')!.selected.some((s) => s.uscc === p.uscc))!.uscc,
    ])
    expect((await create(taskBody('T5'))).statusCode).toBe(201)
    const r = await drawOf('T5')
    expect(r.statusCode).toBe(200)
    const population = expectedPopulation(inspected)
    expect(
      r
        .json<DrawAnswer>()
        .selected.map((s) => s.uscc)
        .sort(),
    ).toEqual(population.map((p) => p.uscc))
  })
})

describe('一公开: the public view', () => {
  it('shows plan, draw and results without a token, never a class or an inspector', async () => {
    const r = await req('GET', '/v1/public/inspection-tasks/T1')
    expect(r.statusCode).toBe(200)
    expect(r.body).not.toMatch(/"[ABCD]"\s*:/)
    expect(r.body).not.toMatch(/riskClass|"class"|inspector/i)
    const t1 = answers.get('T1')!
    const view = r.json<{ selected: { uscc: string; result?: string[] }[] }>()
    expect(view).toMatchObject({
      taskId: 'T1',
      status: 'completed',
      seed: seedOf('T1'),
      seedCommitment: sha256hex(seedOf('T1')),
      populationHash: t1.populationHash,
      populationSize: 8,
      agencies: [SH],
      dueBy: '2099-12-31',
    })
    expect(view.selected.map((s) => s.uscc)).toEqual(t1.selected.map((s) => s.uscc))
    expect(view.selected[0]!.result).toEqual(['problem-corrected'])

    const planned = await req('GET', '/v1/public/inspection-tasks/T4')
    expect(planned.json()).toMatchObject({ status: 'planned', seedCommitment: sha256hex(seedOf('T4')) })
    expect(planned.json()).not.toHaveProperty('seed')

    const list = await req(
      'GET',
      `/v1/public/inspection-tasks?region=3101&q=${encodeURIComponent('inspection T3')}`,
    )
    expect(list.statusCode).toBe(200)
    expect(list.body).not.toMatch(/"[ABCD]"\s*:|inspector/i)
    expect(list.json<{ items: { taskId: string }[] }>().items.map((t) => t.taskId)).toEqual(['T3'])
    const none = await req('GET', '/v1/public/inspection-tasks?region=32')
    expect(none.json<{ items: unknown[] }>().items).toEqual([])
    expect((await req('GET', '/v1/public/inspection-tasks/none')).statusCode).toBe(404)
  })
})

describe('the claim a draw takes', () => {
  // What a draw leaves in `draws` while it runs; a crash leaves it there.
  const claims = () => store.db.collection<{ _id: string; claimId: string; claimedAt: string }>('draws')

  it('keeps a second attempt out while young, and is taken over once older than the lease', async () => {
    expect(
      (await create(taskBody('U1', { population: { region: '310104', excludeInspectedWithinMonths: 0 } })))
        .statusCode,
    ).toBe(201)
    // An attempt in progress (claimed now): the draw is refused, the task stays planned.
    await claims().insertOne({ _id: 'U1', claimId: 'running', claimedAt: new Date().toISOString() })
    const held = await drawOf('U1')
    expect(held.statusCode).toBe(409)
    expect(held.json()).toMatchObject({ code: 'TASK_ALREADY_DRAWN' })
    expect((await req('GET', '/v1/inspection-tasks/U1', SH)).json()).toMatchObject({ status: 'planned' })
    // The same attempt, crashed 11 minutes ago (the lease is 10 minutes): the draw takes it over.
    const crashed = new Date(Date.now() - 11 * 60_000).toISOString()
    await claims().updateOne({ _id: 'U1' }, { $set: { claimedAt: crashed } })
    const r = await drawOf('U1')
    expect(r.statusCode, r.body).toBe(200)
    expect(r.json()).toMatchObject({ taskId: 'U1', status: 'drawn', seed: seedOf('U1') })
    const counts = r.json<{ population: Record<RiskClass, number> }>().population
    expect(counts.A + counts.B + counts.C + counts.D).toBe(2) // region 310104, as T0 (nobody left out)
    expect((await claims().findOne({ _id: 'U1' }))?.claimId).not.toBe('running')
  })
})
