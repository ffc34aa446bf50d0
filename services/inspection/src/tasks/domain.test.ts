import { describe, expect, it } from 'vitest'
import {
  defineTask,
  dueAt,
  isComplete,
  progressOf,
  publicView,
  sameDefinition,
  type TaskDoc,
  type TaskRequest,
} from './domain.js'

const ratios = { A: 0.01, B: 0.03, C: 0.1, D: 0.3 }
const req: TaskRequest = {
  taskId: 'T-1',
  title: 'Food safety 2025',
  items: ['labels'],
  population: { region: '3101' },
  dueBy: '2025-06-30',
  seedCommitment: 'a'.repeat(64),
}

describe('defineTask', () => {
  it('applies the defaults', () => {
    const r = defineTask(req, 'samr.sh', ratios)
    expect(r).toEqual({
      ok: true,
      task: {
        ...req,
        agencies: ['samr.sh'],
        population: { region: '3101', excludeInspectedWithinMonths: 12 },
        ratios,
        inspectorsPerAgency: 2,
      },
    })
  })

  it('puts the lead first when absent, keeps partners, takes given ratios per class', () => {
    const r = defineTask({ ...req, agencies: ['samr.js'], ratios: { D: 1 } }, 'samr.sh', ratios)
    expect(r.ok && r.task.agencies).toEqual(['samr.sh', 'samr.js'])
    expect(r.ok && r.task.ratios).toEqual({ ...ratios, D: 1 })
  })

  it('needs 2 inspectors per enterprise in all, no agency twice, a real date', () => {
    expect(defineTask({ ...req, inspectorsPerAgency: 1 }, 'samr.sh', ratios)).toMatchObject({
      ok: false,
      path: '/inspectorsPerAgency',
    })
    expect(
      defineTask({ ...req, inspectorsPerAgency: 1, agencies: ['samr.sh', 'samr.js'] }, 'samr.sh', ratios).ok,
    ).toBe(true)
    expect(defineTask({ ...req, agencies: ['samr.js', 'samr.js'] }, 'samr.sh', ratios)).toMatchObject({
      ok: false,
      path: '/agencies',
    })
    expect(defineTask({ ...req, agencies: ['samr.sh', 'ecrs.rules'] }, 'samr.sh', ratios)).toMatchObject({
      ok: false,
      path: '/agencies',
    })
    expect(defineTask({ ...req, dueBy: '2025-02-30' }, 'samr.sh', ratios)).toMatchObject({
      ok: false,
      path: '/dueBy',
    })
  })

  it('same content whatever the key order and the defaults spelt out', () => {
    const a = defineTask(req, 'samr.sh', ratios)
    const b = defineTask(
      { ...req, population: { excludeInspectedWithinMonths: 12, region: '3101' }, ratios },
      'samr.sh',
      ratios,
    )
    const c = defineTask({ ...req, title: 'other' }, 'samr.sh', ratios)
    if (!a.ok || !b.ok || !c.ok) throw new Error('invalid')
    expect(sameDefinition(a.task, b.task)).toBe(true)
    expect(sameDefinition(a.task, c.task)).toBe(false)
  })
})

describe('progress and overdue', () => {
  it('is due at 24:00 Asia/Shanghai of dueBy', () => {
    expect(dueAt('2025-06-30').toISOString()).toBe('2025-06-30T16:00:00.000Z')
  })

  it.each([
    ['2025-06-30T15:59:59Z', 0],
    ['2025-06-30T16:00:00Z', 0],
    ['2025-06-30T16:00:01Z', 2],
  ])('at %s, 3 selected and 1 inspected: overdue %i', (at, overdue) => {
    const t = {
      dueBy: '2025-06-30',
      selectedCount: 3,
      inspected: { X: { agency: 'a', time: '', results: [], eventKey: '' } },
    }
    expect(progressOf(t, new Date(at))).toEqual({ selected: 3, inspected: 1, overdue })
    expect(isComplete(t)).toBe(false)
  })
})

describe('publicView', () => {
  it('has no class and no inspector', () => {
    const r = defineTask(req, 'samr.sh', ratios)
    if (!r.ok) throw new Error('invalid')
    const t: TaskDoc = {
      ...r.task,
      _id: 'T-1',
      lead: 'samr.sh',
      status: 'drawn',
      createdAt: '2025-01-01T00:00:00.000Z',
      drawnAt: '2025-01-02T00:00:00.000Z',
      seed: 's',
      populationHash: 'h',
      populationCounts: { A: 1, B: 2, C: 3, D: 4 },
      selectedCount: 1,
      selected: [
        { uscc: 'U1', name: 'Acme', riskClass: 'B', inspectors: [{ agency: 'samr.sh', inspectorId: 'i-1' }] },
      ],
      inspected: { U1: { agency: 'samr.sh', time: 't', results: ['no-problem'], eventKey: 'samr.sh/e1' } },
    }
    const text = JSON.stringify(publicView(t, true))
    expect(text).not.toMatch(/"[ABCD]"|riskClass|class|inspector/)
    expect(publicView(t, true)).toMatchObject({
      populationSize: 10,
      selected: [{ uscc: 'U1', name: 'Acme', result: ['no-problem'] }],
    })
  })
})
