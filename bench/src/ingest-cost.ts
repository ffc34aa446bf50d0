/**
 * `npm run bench:ingest-cost`: what §10's statistics cost ingest. Runs `bench:ingest` alternately
 * with this build and with BENCH_INGEST_BASELINE (the `services/ingest/dist/main.js` of a build
 * without them, e.g. a worktree of an earlier commit), BENCH_COST_ROUNDS times each, in one run,
 * and reports the ratio of the medians of batch events/s (with ÷ without).
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
    if (!baseline)
      throw new Error('BENCH_INGEST_BASELINE=<path to a baseline services/ingest/dist/main.js> is required')
    const rounds = Number(process.env['BENCH_COST_ROUNDS'] ?? 2)
    const infra = await provision({ env: process.env, progress: stderrProgress })
    const withStats: number[] = []
    const without: number[] = []
    try {
      for (let r = 0; r < rounds; r++) {
        for (const side of ['with', 'without'] as const) {
          if (side === 'without') process.env['BENCH_MAIN_INGEST'] = baseline
          else delete process.env['BENCH_MAIN_INGEST']
          const result = await benchIngest(infra, ingestSizesFromEnv(process.env))
          ;(side === 'with' ? withStats : without).push(result.batchEventsPerSec)
          log(`round ${r + 1} ${side} statistics: ${result.batchEventsPerSec} events/s`)
        }
      }
    } finally {
      delete process.env['BENCH_MAIN_INGEST']
      await infra.stop()
    }
    const ratio = Number((median(withStats) / median(without)).toFixed(3))
    writeResult('ingest-cost', { machine: machine(), baseline, withStats, without, ratio }, [
      ['batch events/s with statistics', withStats.join(', ')],
      ['batch events/s without', without.join(', ')],
      ['ratio of medians (target ≥ 0.95)', String(ratio)],
    ])
  })
