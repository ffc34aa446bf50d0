/**
 * Fixed vectors of the draw (draw spec v1). Every expected rank, hash, selection and assignment below
 * was computed outside this code, with coreutils, e.g.
 *   printf '%s' 'ecrs-seed-2026:T1:91310000MA1K000009' | sha256sum
 *   printf '%s' 'ecrs-seed-2026:91310000MA1K000009:samr.sh:i-04' | sha256sum
 * then sorted with `sort`, and the greedy assignment (loads, cap, 回避) followed by hand from those
 * tables; the rank prefixes quoted in the comments are the first four hex digits.
 */
import { describe, expect, it } from 'vitest'
import {
  assignInspectors,
  assignmentRank,
  draw,
  NotEnoughInspectorsError,
  pairKey,
  pairKeys,
  populationDigest,
  quota,
  selectionRank,
  selectTop,
  sha256hex,
  type DrawInput,
  type PopulationEntry,
  type RiskClass,
  type RosterEntry,
} from './algorithm.js'

const SEED = 'ecrs-seed-2026'
const TASK = 'T1'
const u = (n: number): string => `91310000MA1K${String(n).padStart(6, '0')}`

// Classes: A = 1, 5, 9; B = 2, 4, 6, 8; C = 3, 7, 10; D = none.
const CLASSES: RiskClass[] = ['A', 'B', 'C', 'B', 'A', 'B', 'C', 'B', 'A', 'C']
const POPULATION: PopulationEntry[] = CLASSES.map((riskClass, i) => ({
  uscc: u(i + 1),
  name: `Enterprise ${i + 1}`,
  riskClass,
}))
// sha256sum of the ten lines `uscc:class` joined by "\n" (no final newline).
const POPULATION_HASH = '767d99d8b3d803533dba9b106aa29b47bafa524811aad6a0114e16862ef035db'
const EMPTY_HASH = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'

// Selection ranks (seed:T1:uscc): A: 9 5b39 < 1 a186 < 5 c382; B: 6 0d0b < 4 3295 < 2 3ca0 < 8 4721.
// A at 0.5 → ceil(1.5) = 2, B at 1 → all 4, C at 0 → none, D (empty) at 0.25 → none.
const RATIOS = { A: 0.5, B: 1, C: 0, D: 0.25 }
const SELECTED = [9, 1, 6, 4, 2, 8].map(u)

const roster = (ids: string[], inactive: string[] = []): RosterEntry[] => [
  ...ids.map((inspectorId) => ({ inspectorId, active: true })),
  ...inactive.map((inspectorId) => ({ inspectorId, active: false })),
]
const SAMR = roster(['i-01', 'i-02', 'i-03', 'i-04'], ['i-05'])
const NMPA = roster(['j-01', 'j-02', 'j-03'])

const input = (
  over: Partial<DrawInput['task']> = {},
  rest: Partial<Omit<DrawInput, 'task'>> = {},
): DrawInput => ({
  task: { taskId: TASK, agencies: ['samr.sh'], ratios: RATIOS, inspectorsPerAgency: 1, ...over },
  seed: SEED,
  population: () => POPULATION,
  rosters: { 'samr.sh': SAMR, 'nmpa.sh': NMPA },
  previousPairs: {},
  ...rest,
})

/** The assignment as `uscc → inspector ids`, in list order. */
const byUscc = (
  selected: { uscc: string; inspectors: { inspectorId: string }[] }[],
): Record<string, string[]> =>
  Object.fromEntries(selected.map((s) => [s.uscc, s.inspectors.map((i) => i.inspectorId)]))

async function* chunked(entries: PopulationEntry[]): AsyncGenerator<PopulationEntry> {
  for (const e of entries) {
    await Promise.resolve()
    yield e
  }
}

describe('sha256hex and ranks', () => {
  it('hashes UTF-8 to lower-case hex', () => {
    expect(sha256hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
    expect(sha256hex('')).toBe(EMPTY_HASH)
    expect(sha256hex('检查:é')).toBe('c0f94d0fd45f0d9f3bbc7fa8d872fde3c1bfdd1f253a4b8174c10c516bb5f9d2')
    // seedCommitment of the fixture seed
    expect(sha256hex(SEED)).toBe('f1b06cdfe12b8435731b32aa872e88f086f5468dcbdff611a3494096fc170fd2')
  })

  it('builds the selection and assignment strings of the spec', () => {
    expect(selectionRank(SEED, TASK, u(9))).toBe(
      '5b39079f92e1a1b14bac4220d40758fe6a5d8911a70857541fd61a229a4d9caf',
    )
    expect(assignmentRank(SEED, u(9), 'samr.sh', 'i-04')).toBe(
      '23f8402a2d815e1ac8d62f14bc8f23b42a6f53f4bbcfa97eb3eb8db06303324e',
    )
  })
})

describe('quota', () => {
  it.each([
    [0, 10, 0],
    [1, 7, 7],
    [0.1, 30, 3], // 0.1 * 30 is 3.0000000000000004 in floats: Math.ceil would give 4
    [0.25, 10, 3],
    [0.5, 3, 2],
    [0.05, 1, 1],
    [0.333333, 3, 1],
    [0.0000001, 10, 0], // rounds to 0 at 6 decimals
    [0.5, 0, 0],
    [1, 0, 0],
  ])('ceil(%d × %d) = %d', (ratio, n, k) => {
    expect(quota(ratio, n)).toBe(k)
  })

  it('rejects a ratio outside 0..1 or a size that is not a count', () => {
    for (const r of [-0.1, 1.1, Number.NaN]) expect(() => quota(r, 3)).toThrow(RangeError)
    expect(() => quota(0.5, -1)).toThrow(RangeError)
    expect(() => quota(0.5, 1.5)).toThrow(RangeError)
  })
})

describe('populationDigest', () => {
  it('hashes sorted lines and counts the classes', () => {
    const d = populationDigest()
    for (const e of POPULATION) d.add(e)
    expect(d.counts()).toEqual({ A: 3, B: 4, C: 3, D: 0 })
    expect(d.hash()).toBe(POPULATION_HASH)
    expect(d.hash()).toBe(POPULATION_HASH)
    expect(() => d.add({ uscc: u(11), name: 'late', riskClass: 'A' })).toThrow(/ended/)
  })

  it('hashes the empty population as the empty string', () => {
    const d = populationDigest()
    expect(d.counts()).toEqual({ A: 0, B: 0, C: 0, D: 0 })
    expect(d.hash()).toBe(EMPTY_HASH)
  })

  it('rejects entries out of order or repeated', () => {
    const [e1, e2] = POPULATION as [PopulationEntry, PopulationEntry]
    const outOfOrder = populationDigest()
    outOfOrder.add(e2)
    expect(() => outOfOrder.add(e1)).toThrow(/out of order/)
    const duplicate = populationDigest()
    duplicate.add(e1)
    expect(() => duplicate.add({ ...e1, riskClass: 'B' })).toThrow(/duplicate/) // its line would sort after
    expect(() => duplicate.add(e1)).toThrow(/duplicate/)
  })

  it('rejects a missing class and a uscc that would break the lines', () => {
    const d = populationDigest()
    expect(() => d.add({ uscc: u(1), name: 'x', riskClass: 'E' as RiskClass })).toThrow(/risk class/)
    expect(() => d.add({ uscc: 'AB:1', name: 'x', riskClass: 'A' })).toThrow(/invalid uscc/)
    expect(() => d.add({ uscc: 'AB\n1', name: 'x', riskClass: 'A' })).toThrow(/invalid uscc/)
    expect(() => d.add({ uscc: '', name: 'x', riskClass: 'A' })).toThrow(/invalid uscc/)
  })

  it('takes lines in the order the spec sorts them, which for mixed lengths is not uscc order', () => {
    // "AB0:A" < "AB:A" since '0' (0x30) < ':' (0x3a), though "AB" < "AB0".
    const d = populationDigest()
    d.add({ uscc: 'AB0', name: 'x', riskClass: 'A' })
    d.add({ uscc: 'AB', name: 'y', riskClass: 'A' })
    expect(d.hash()).toBe('dc8a4c30c962e101162b164c920a3ea25ede3ca22c3f92a3a84caf254411351e') // of "AB0:A\nAB:A"
    const byUsccOrder = populationDigest()
    byUsccOrder.add({ uscc: 'AB', name: 'y', riskClass: 'A' })
    expect(() => byUsccOrder.add({ uscc: 'AB0', name: 'x', riskClass: 'A' })).toThrow(/out of order/)
  })
})

describe('selectTop', () => {
  it('keeps the lowest ranks per class, classes A to D, then by rank', async () => {
    const selected = await selectTop(POPULATION, { A: 2, B: 4, C: 0, D: 0 }, SEED, TASK)
    expect(selected.map((e) => e.uscc)).toEqual(SELECTED)
    expect(selected[0]).toEqual({ uscc: u(9), name: 'Enterprise 9', riskClass: 'A' })
  })

  it('selects the same from an async source in any order', async () => {
    const reversed = [...POPULATION].reverse()
    const selected = await selectTop(chunked(reversed), { A: 2, B: 4, C: 0, D: 0 }, SEED, TASK)
    expect(selected.map((e) => e.uscc)).toEqual(SELECTED)
  })

  it('takes the two lowest of a class of three', async () => {
    // C ranks: 10 37c2, 3 5d0c, 7 e990.
    const selected = await selectTop(POPULATION, { A: 0, B: 0, C: 2, D: 0 }, SEED, TASK)
    expect(selected.map((e) => e.uscc)).toEqual([u(10), u(3)])
  })
})

describe('draw', () => {
  it('selects and assigns one inspector each under the load cap', async () => {
    // cap = ceil(6 × 1 / 4) = 2. samr.sh ranks (active only, ascending):
    //   9: i-04 i-02 i-01 i-03 → i-04
    //   1: i-04 i-01 i-02 i-03 → i-04 (i-05 ranks first, 26c1, but is inactive)
    //   6: i-03 i-01 i-02 i-04 → i-03
    //   4: i-04 i-03 i-01 i-02 → i-04 at cap → i-03
    //   2: i-04 i-03 i-02 i-01 → i-04, i-03 at cap → i-02
    //   8: i-04 i-01 i-03 i-02 → i-04 at cap → i-01
    const result = await draw(input())
    expect(result.populationHash).toBe(POPULATION_HASH)
    expect(result.population).toEqual({ A: 3, B: 4, C: 3, D: 0 })
    expect(result.selected.map((s) => s.uscc)).toEqual(SELECTED)
    expect(result.selected[0]).toEqual({
      uscc: u(9),
      name: 'Enterprise 9',
      riskClass: 'A',
      inspectors: [{ agency: 'samr.sh', inspectorId: 'i-04' }],
    })
    expect(byUscc(result.selected)).toEqual({
      [u(9)]: ['i-04'],
      [u(1)]: ['i-04'],
      [u(6)]: ['i-03'],
      [u(4)]: ['i-03'],
      [u(2)]: ['i-02'],
      [u(8)]: ['i-01'],
    })
  })

  it('reads an async population twice and gives the same result', async () => {
    let calls = 0
    const result = await draw(input({}, { population: () => (calls++, chunked(POPULATION)) }))
    expect(calls).toBe(2)
    expect(result).toEqual(await draw(input()))
  })

  it('assigns p inspectors per enterprise, by rank, under cap ceil(S × p / rosterSize)', async () => {
    // cap = ceil(6 × 2 / 4) = 3; loads after each: see the ranks in the first draw test.
    //   9: i-04 i-02          1: i-04 i-01        6: i-03 i-01
    //   4: i-04 (→3) i-03     2: i-03 (→3) i-02   (i-04 at cap)
    //   8: i-01 i-02          (i-04 and i-03 at cap; every inspector ends at 3)
    const result = await draw(input({ inspectorsPerAgency: 2 }))
    expect(byUscc(result.selected)).toEqual({
      [u(9)]: ['i-04', 'i-02'],
      [u(1)]: ['i-04', 'i-01'],
      [u(6)]: ['i-03', 'i-01'],
      [u(4)]: ['i-04', 'i-03'],
      [u(2)]: ['i-03', 'i-02'],
      [u(8)]: ['i-01', 'i-02'],
    })
  })

  it('leaves out the previous task’s inspector of an enterprise (回避) and takes the next', async () => {
    // Previous pairs (9, i-04) and (6, i-03); (3, i-01) is of an unselected enterprise; cap 2.
    //   9: i-04 avoided → i-02     1: i-04            6: i-03 avoided → i-01
    //   4: i-04 (load 2)            2: i-04 at cap → i-03   8: i-04 at cap → i-01 (load 2)
    const previousPairs = {
      'samr.sh': pairKeys([
        { uscc: u(9), inspectorId: 'i-04' },
        { uscc: u(6), inspectorId: 'i-03' },
        { uscc: u(3), inspectorId: 'i-01' },
      ]),
      'nmpa.sh': new Set([pairKey(u(1), 'i-04')]), // another agency's pairs do not count
    }
    const result = await draw(input({}, { previousPairs }))
    expect(byUscc(result.selected)).toEqual({
      [u(9)]: ['i-02'],
      [u(1)]: ['i-04'],
      [u(6)]: ['i-01'],
      [u(4)]: ['i-04'],
      [u(2)]: ['i-03'],
      [u(8)]: ['i-01'],
    })
  })

  it('assigns each agency of a joint task in task order', async () => {
    // nmpa.sh, cap ceil(6 / 3) = 2: 9: j-01; 1: j-02; 6: j-02; 4: j-01; 2: j-01 at cap → j-03;
    // 8: j-01 at cap → j-03. samr.sh as in the first draw test.
    const result = await draw(input({ agencies: ['nmpa.sh', 'samr.sh'] }))
    const pairs = Object.fromEntries(
      result.selected.map((s) => [s.uscc, s.inspectors.map((i) => `${i.agency}/${i.inspectorId}`)]),
    )
    expect(pairs).toEqual({
      [u(9)]: ['nmpa.sh/j-01', 'samr.sh/i-04'],
      [u(1)]: ['nmpa.sh/j-02', 'samr.sh/i-04'],
      [u(6)]: ['nmpa.sh/j-02', 'samr.sh/i-03'],
      [u(4)]: ['nmpa.sh/j-01', 'samr.sh/i-03'],
      [u(2)]: ['nmpa.sh/j-03', 'samr.sh/i-02'],
      [u(8)]: ['nmpa.sh/j-03', 'samr.sh/i-01'],
    })
  })

  it('draws an empty population: the empty hash, zero counts, nobody selected', async () => {
    const result = await draw(input({}, { population: () => [] }))
    expect(result).toEqual({
      populationHash: EMPTY_HASH,
      population: { A: 0, B: 0, C: 0, D: 0 },
      selected: [],
    })
  })

  it('throws when the population changes between the passes', async () => {
    let calls = 0
    const population = (): PopulationEntry[] => (calls++ === 0 ? POPULATION : POPULATION.slice(1))
    await expect(draw(input({}, { population }))).rejects.toThrow(/changed/)
  })
})

describe('NOT_ENOUGH_INSPECTORS', () => {
  const failure = async (run: Promise<unknown>): Promise<NotEnoughInspectorsError> => {
    const err: unknown = await run.then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(NotEnoughInspectorsError)
    return err as NotEnoughInspectorsError
  }

  it('when an agency has fewer active inspectors than p, before reading, even with nobody to select', async () => {
    let reads = 0
    const population = (): PopulationEntry[] => (reads++, [])
    const rosters = { 'samr.sh': roster(['i-01', 'i-02'], ['i-03', 'i-04']), 'nmpa.sh': NMPA }
    const err = await failure(
      draw(input({ agencies: ['nmpa.sh', 'samr.sh'], inspectorsPerAgency: 3 }, { population, rosters })),
    )
    expect(err).toMatchObject({ code: 'NOT_ENOUGH_INSPECTORS', agency: 'samr.sh' })
    expect(err.uscc).toBeUndefined()
    expect(reads).toBe(0)
  })

  it('when an agency has no roster', async () => {
    const err = await failure(draw(input({ agencies: ['samr.sh', 'cnca'] })))
    expect(err.agency).toBe('cnca')
  })

  it('when 回避 leaves an enterprise fewer than p candidates', async () => {
    // p = 2 of {i-01, i-02}; the first selected enterprise (9) had i-01 last time.
    const rosters = { 'samr.sh': roster(['i-01', 'i-02']) }
    const previousPairs = { 'samr.sh': new Set([pairKey(u(9), 'i-01')]) }
    const err = await failure(draw(input({ inspectorsPerAgency: 2 }, { rosters, previousPairs })))
    expect(err).toMatchObject({ agency: 'samr.sh', uscc: u(9) })
  })

  it('when the load cap leaves an enterprise fewer than p candidates', async () => {
    // A 0.5 → 9, 1; B 0.25 → ceil(1) = 1 → 6. S = 3, p = 2 of {i-01, i-02, i-03}: cap ceil(6/3) = 2.
    //   9: i-02 i-01; 1: i-01 i-02 (both at cap); 6: only i-03 left → fewer than 2.
    const rosters = { 'samr.sh': roster(['i-01', 'i-02', 'i-03']) }
    const err = await failure(
      draw(input({ inspectorsPerAgency: 2, ratios: { A: 0.5, B: 0.25, C: 0, D: 0 } }, { rosters })),
    )
    expect(err).toMatchObject({ agency: 'samr.sh', uscc: u(6) })
  })

  it('assignInspectors checks the rosters itself', () => {
    expect(() =>
      assignInspectors({
        selected: [],
        agencies: ['samr.sh'],
        rosters: { 'samr.sh': roster([], ['i-01']) },
        previousPairs: {},
        inspectorsPerAgency: 1,
        seed: SEED,
      }),
    ).toThrow(NotEnoughInspectorsError)
  })
})

describe('inputs the spec rules out', () => {
  it('rejects p below 1 or fractional, a repeated agency or inspector, a ratio outside 0..1', async () => {
    await expect(draw(input({ inspectorsPerAgency: 0 }))).rejects.toThrow(RangeError)
    await expect(draw(input({ inspectorsPerAgency: 1.5 }))).rejects.toThrow(RangeError)
    await expect(draw(input({ agencies: ['samr.sh', 'samr.sh'] }))).rejects.toThrow(/agency twice/)
    const rosters = { 'samr.sh': roster(['i-01', 'i-01']) }
    await expect(draw(input({}, { rosters }))).rejects.toThrow(/inspector twice/)
    await expect(draw(input({ ratios: { ...RATIOS, C: 1.5 } }))).rejects.toThrow(RangeError)
  })
})
