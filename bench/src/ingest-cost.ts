/**
 * `npm run bench:ingest-cost`: what §10's statistics cost ingest. Runs `bench:ingest` alternately
 * with the statistics folded and without (this build with AGENCY_STATS=off; or, with
 * BENCH_INGEST_BASELINE, the `services/ingest/dist/main.js` of another build, e.g. a worktree of a
 * commit before them), BENCH_COST_ROUNDS times each, in one run, and reports the ratio of the
 * medians of batch events/s (with ÷ without). BENCH_EVENTS sets the events per round: the fold
 * runs beside the batches, so short rounds (the default 40 000, ~4 s) see less of its cost.
 */
import { provision, stderrProgress } from '@ecrs/testkit'
import { benchIngest, ingestSizesFromEnv } from './ingest.js'
import { isMain, log, machine, runScript, writeResult } from './report.js'

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}

if (isMain(import.meta.url))
  runScript(async () => {
    const baseline = process.env['BENCH_INGEST_BASELINE']
    const rounds = Number(process.env['BENCH_COST_ROUNDS'] ?? 2)
    const sizes = ingestSizesFromEnv(process.env)
    const infra = await provision({ env: process.env, progress: stderrProgress })
    const withStats: number[] = []
    const without: number[] = []
    try {
      for (let r = 0; r < rounds; r++) {
        for (const side of ['with', 'without'] as const) {
          if (side === 'without' && baseline) process.env['BENCH_MAIN_INGEST'] = baseline
          else delete process.env['BENCH_MAIN_INGEST']
          const env: Record<string, string> = side === 'without' && !baseline ? { AGENCY_STATS: 'off' } : {}
          const result = await benchIngest(infra, sizes, env)
          ;(side === 'with' ? withStats : without).push(result.batchEventsPerSec)
          log(`round ${r + 1} ${side} statistics: ${result.batchEventsPerSec} events/s`)
        }
      }
    } finally {
      delete process.env['BENCH_MAIN_INGEST']
      await infra.stop()
    }
    const ratio = Number((median(withStats) / median(without)).toFixed(3))
    writeResult(
      'ingest-cost',
      { machine: machine(), baseline: baseline ?? 'AGENCY_STATS=off', sizes, withStats, without, ratio },
      [
        ['batch events/s with statistics', withStats.join(', ')],
        ['batch events/s without', without.join(', ')],
        ['ratio of medians (target ≥ 0.95)', String(ratio)],
      ],
    )
  })
