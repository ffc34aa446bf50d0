/**
 * `npm run bench:inspection`: the §9 draw at 10 000, 100 000 and 1 000 000 enterprises — its time
 * and the peak RSS of the process that drew (one child process per size, so each peak is its own).
 * The population is synthetic register documents (the fields the register keeps), generated in
 * uscc order and streamed to the draw twice, as the service streams its register: nothing holds
 * the population. Classes are skewed as a register is (A 30 %, B 60 %, C 8 %, D 2 %), ratios the
 * INSPECTION_RATIOS defaults, a joint task of 2 agencies × 61 inspectors, 2 per agency.
 * BENCH_INSPECTION_SIZES (comma list) overrides the sizes; BENCH_INSPECTION_THREADS (0) the workers.
 */
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { draw, type PopulationEntry, type RiskClass } from '@ecrs/inspection/draw'
import { isMain, log, machine, round, runScript, writeResult } from './report.js'

const RATIOS = { A: 0.01, B: 0.03, C: 0.1, D: 0.3 }
const AGENCIES = ['samr.bench', 'customs.bench']
const ROSTER = 61
/** Worker threads for the assignment ranks, as the service's INSPECTION_DRAW_THREADS (default 0). */
const THREADS = Number(process.env['BENCH_INSPECTION_THREADS'] ?? 0)

/** Register documents as the service keeps them, in `_id` (uscc) order. */
function* register(size: number): Generator<PopulationEntry> {
  for (let i = 0; i < size; i++) {
    const k = i % 50 // 15 of 50 A, 30 B, 4 C, 1 D: 30 %, 60 %, 8 %, 2 %
    const riskClass: RiskClass = k < 15 ? 'A' : k < 45 ? 'B' : k < 49 ? 'C' : 'D'
    const doc = {
      _id: `913101${String(i).padStart(11, '0')}X`,
      name: `企业 ${i}`,
      region: '310101',
      enterpriseKind: 'company',
      active: true,
      riskClass,
    }
    yield { uscc: doc._id, name: doc.name, riskClass: doc.riskClass }
  }
}

const drawOnce = async (size: number) => {
  const rosters = Object.fromEntries(
    AGENCIES.map((a) => [
      a,
      Array.from({ length: ROSTER }, (_, i) => ({
        inspectorId: `i-${String(i).padStart(3, '0')}`,
        active: true,
      })),
    ]),
  )
  const started = performance.now()
  const result = await draw({
    task: { taskId: `bench-${size}`, agencies: AGENCIES, ratios: RATIOS, inspectorsPerAgency: 2 },
    seed: 'bench seed',
    population: () => register(size),
    rosters,
    previousPairs: {},
    threads: THREADS,
  })
  return {
    size,
    drawMs: Math.round(performance.now() - started),
    selected: result.selected.length,
    population: result.population,
    peakRssMiB: round(process.resourceUsage().maxRSS / 1024, 1),
  }
}

const CHILD = '--draw-size'

if (isMain(import.meta.url))
  runScript(async () => {
    const child = process.argv.indexOf(CHILD)
    if (child !== -1) {
      process.stdout.write(JSON.stringify(await drawOnce(Number(process.argv[child + 1]))) + '\n')
      return
    }
    const sizes = (process.env['BENCH_INSPECTION_SIZES'] ?? '10000,100000,1000000').split(',').map(Number)
    const runs = []
    for (const size of sizes) {
      log(`drawing from ${size} enterprises`)
      const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), CHILD, String(size)], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      })
      if (r.status !== 0) throw new Error(`the draw of ${size} failed (exit ${r.status})`)
      runs.push(JSON.parse(r.stdout) as Awaited<ReturnType<typeof drawOnce>>)
    }
    writeResult(
      'inspection',
      {
        machine: machine(),
        ratios: RATIOS,
        agencies: AGENCIES.length,
        roster: ROSTER,
        threads: THREADS,
        runs,
      },
      runs.map((r) => [
        `${r.size} enterprises (${r.selected} selected)`,
        `${r.drawMs} ms, peak RSS ${r.peakRssMiB} MiB`,
      ]),
    )
  })
