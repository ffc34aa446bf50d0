// Tests of infra/bin/verify-draw.mjs, run as a CLI on verify-draw-fixtures/small.json and mutated copies.
//
// small.json's `result` was computed WITHOUT the script, in bash with sha256sum and `LC_ALL=C sort`
// (verify-draw-fixtures/small.working.sh reproduces every step):
// - seedCommitment = `printf '%s' ceremony-2026-12-07-0002 | sha256sum` = 795ba832…
// - populationHash: the 10 lines `uscc:class`, sorted, joined by \n (no trailing \n), sha256sum = b99d5cfc…
// - quotas: A 2 × 0.05 → 1, B 2 × 0.1 → 1, C 5 × 0.6000000000000001 → 3 (R = 600000, exact; a float
//   Math.ceil(0.6000000000000001 × 5) = Math.ceil(3.0000000000000004) would give 4), D 1 × 1 → 1; S = 6.
// - selection rank sha256(seed:T-2026-007:uscc) sorted per class: A 001, B 003, C 005 004 002, D 010.
// - samr.sh has 5 active (i-03 inactive), mem.sh 5; cap = ceil(6 × 2 / 5) = 3 for both.
// - per enterprise and agency, `sha256(seed:uscc:agency:id)` of the eligible, sorted, first 2:
//     001 i-05 i-01 | m-02 m-04      003 i-05 i-01 | m-04 m-03
//     005 i-01 i-02 | m-02 m-01      (i-06 ranks 2nd but is 回避: samr.sh's T-2026-003 had 005/i-06)
//     004 i-02 i-06 | m-04 m-05      (i-01 ranks 1st but is at the cap of 3)
//     002 i-02 i-05 | m-05 m-03      (inactive i-03 would rank 1st; i-01 at cap; m-04 ranks 1st, at cap)
//     010 i-06 i-04 | m-05 m-02      (i-01, i-02, i-05 at cap; m-04 at cap)
//   The pair 007/i-01 of the previous task is for an enterprise not selected: no effect.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

interface Inspector {
  agency: string
  inspectorId: string
}
interface DrawRecord {
  format: string
  task: { agencies: string[]; ratios: Record<string, number>; inspectorsPerAgency: number }
  seed: string
  population: { uscc: string; name: string; class: string }[]
  rosters: Record<string, { inspectorId: string; active: boolean }[]>
  previousAssignments: Record<
    string,
    { taskId: string | null; pairs: { uscc: string; inspectorId: string }[] }
  >
  result: {
    populationHash: string
    population: Record<string, number>
    selected: { uscc: string; name: string; inspectors: Inspector[] }[]
  }
}

const here = dirname(fileURLToPath(import.meta.url))
const script = join(here, 'verify-draw.mjs')
const fixture = join(here, 'verify-draw-fixtures', 'small.json')
const dir = mkdtempSync(join(tmpdir(), 'verify-draw-'))
let counter = 0

const load = (): DrawRecord => JSON.parse(readFileSync(fixture, 'utf8')) as DrawRecord

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** Writes a mutated copy of the fixture to the temp dir and verifies it. */
function verifyMutated(mutate: (record: DrawRecord) => void) {
  const record = load()
  mutate(record)
  const file = join(dir, `record-${++counter}.json`)
  writeFileSync(file, JSON.stringify(record, null, 2))
  return run(file)
}

const at = <T>(items: T[], i: number): T => {
  const item = items[i]
  if (item === undefined) throw new Error(`fixture has no entry ${i}`)
  return item
}

describe('verify-draw', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('verifies the hand-computed fixture', () => {
    const r = run(fixture)
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    expect(r.stdout).toContain('draw verified')
    expect(r.stdout).toContain(
      'population 10 (A 2, B 2, C 5, D 1), selected 6, 2 agencies × 2 inspectors, populationHash b99d5cfcdc6a908276b05fbcf7f89cf31d8c5ccb6f4cf90ea5c4ed5ae04888a4',
    )
  })

  it('rejects a record where one enterprise has another class: the populationHash differs first', () => {
    const r = verifyMutated((d) => {
      at(d.population, 4).class = 'B'
    })
    expect(r.status).toBe(1)
    expect(r.stdout).toMatch(
      /^first difference: result\.populationHash: recomputed "[0-9a-f]{64}", record has "b99d5cfc[0-9a-f]{56}"\n$/,
    )
  })

  it('rejects a wrong seed', () => {
    const r = verifyMutated((d) => {
      d.seed = 'ceremony-2026-12-07-0003'
    })
    expect(r.status).toBe(1)
    expect(r.stdout).toMatch(/^seed does not match seedCommitment/)
  })

  it('rejects a swapped inspector, naming it', () => {
    const r = verifyMutated((d) => {
      at(at(d.result.selected, 3).inspectors, 1).inspectorId = 'i-04'
    })
    expect(r.status).toBe(1)
    expect(r.stdout).toBe(
      'first difference: result.selected[3].inspectors[1]: recomputed {"agency":"samr.sh","inspectorId":"i-06"}, ' +
        'record has {"agency":"samr.sh","inspectorId":"i-04"}\n',
    )
  })

  it('rejects a record with a selected enterprise dropped', () => {
    const middle = verifyMutated((d) => {
      d.result.selected.splice(2, 1)
    })
    expect(middle.status).toBe(1)
    expect(middle.stdout).toBe(
      'first difference: result.selected[2].uscc: recomputed "91310000MA1K000005", record has "91310000MA1K000004"\n',
    )
    const last = verifyMutated((d) => {
      d.result.selected.pop()
    })
    expect(last.status).toBe(1)
    expect(last.stdout).toMatch(
      /^first difference: result\.selected\[5\]: recomputed \{"uscc":"91310000MA1K000010",/,
    )
    expect(last.stdout).toContain('record has nothing (recomputed 6 entries, record has 5)')
  })

  it('rejects a record whose previous pair was removed (回避 no longer applies)', () => {
    const r = verifyMutated((d) => {
      const prev = d.previousAssignments['samr.sh']
      if (!prev) throw new Error('fixture has no previous task for samr.sh')
      prev.pairs = prev.pairs.filter((p) => p.uscc !== '91310000MA1K000005')
    })
    expect(r.status).toBe(1)
    expect(r.stdout).toBe(
      'first difference: result.selected[2].inspectors[1]: recomputed {"agency":"samr.sh","inspectorId":"i-06"}, ' +
        'record has {"agency":"samr.sh","inspectorId":"i-02"}\n',
    )
  })

  it('uses the exact ceiling on the ratio rounded to 6 decimals', () => {
    const rounded = verifyMutated((d) => {
      d.task.ratios.C = 0.6000004 // rounds to 0.6: still 3 of 5
    })
    expect(rounded.status).toBe(0)
    const more = verifyMutated((d) => {
      d.task.ratios.C = 0.600001 // 3.000005 → 4 of 5: 007 is selected before 010
    })
    expect(more.status).toBe(1)
    expect(more.stdout).toBe(
      'first difference: result.selected[5].uscc: recomputed "91310000MA1K000007", record has "91310000MA1K000010"\n',
    )
  })

  it('fails the recomputation when an agency has too few active inspectors', () => {
    const r = verifyMutated((d) => {
      for (const inspector of d.rosters['samr.sh'] ?? []) inspector.active = inspector.inspectorId === 'i-01'
    })
    expect(r.status).toBe(1)
    expect(r.stdout).toMatch(
      /^recomputation failed: NOT_ENOUGH_INSPECTORS: agency "samr\.sh" has 1 active inspector\(s\), inspectorsPerAgency is 2/,
    )
  })

  it('fails the recomputation when 回避 and the cap leave too few for an enterprise', () => {
    const r = verifyMutated((d) => {
      d.previousAssignments['samr.sh']?.pairs.push(
        { uscc: '91310000MA1K000010', inspectorId: 'i-04' },
        { uscc: '91310000MA1K000010', inspectorId: 'i-06' },
      )
    })
    expect(r.status).toBe(1)
    expect(r.stdout).toMatch(
      /^recomputation failed: NOT_ENOUGH_INSPECTORS: agency "samr\.sh" has 0 eligible inspector\(s\) for enterprise 91310000MA1K000010 \(selected\[5\]\), needs 2/,
    )
  })

  it('rejects malformed records with a clear message', () => {
    const format = verifyMutated((d) => {
      d.format = 'ecrs.draw-record/2'
    })
    expect(format.status).toBe(1)
    expect(format.stdout).toBe(
      'invalid record: format must be "ecrs.draw-record/1", got "ecrs.draw-record/2"\n',
    )
    const unsorted = verifyMutated((d) => {
      d.population.reverse()
    })
    expect(unsorted.status).toBe(1)
    expect(unsorted.stdout).toMatch(
      /^invalid record: population is not sorted by uscc ascending: population\[0\]/,
    )
    const duplicate = verifyMutated((d) => {
      at(d.population, 1).uscc = at(d.population, 0).uscc
    })
    expect(duplicate.stdout).toMatch(
      /^invalid record: population\[1\]\.uscc "91310000MA1K000001" is a duplicate/,
    )
    const klass = verifyMutated((d) => {
      at(d.population, 0).class = 'E'
    })
    expect(klass.stdout).toBe('invalid record: population[0].class must be one of A, B, C, D, got "E"\n')
    const roster = verifyMutated((d) => {
      delete d.rosters['mem.sh']
    })
    expect(roster.stdout).toMatch(/^invalid record: rosters\["mem\.sh"\] must be an array/)
  })

  it('exits 2 on usage errors', () => {
    const none = run()
    expect(none.status).toBe(2)
    expect(none.stderr).toContain('usage: npm run verify-draw -- <draw-record.json>')
    const missing = run(join(dir, 'no-such-file.json'))
    expect(missing.status).toBe(2)
    expect(missing.stderr).toContain('cannot read')
    const notJson = join(dir, 'not-json.json')
    writeFileSync(notJson, '{"format": ')
    const bad = run(notJson)
    expect(bad.status).toBe(2)
    expect(bad.stderr).toContain('is not JSON')
    expect(bad.stdout).toBe('')
  })
})
