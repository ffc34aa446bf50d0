import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { repoRoot } from '@ecrs/testkit'

/** The machine a figure was measured on: figures are only comparable on the same one. */
export const machine = () => ({
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? 'unknown',
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  at: new Date().toISOString(),
})

/** Percentile of a list of numbers (nearest rank). */
export const percentile = (values: readonly number[], p: number): number => {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!
}

/** Prints a table of figures and writes the JSON file under bench/results. */
export const writeResult = (
  name: string,
  result: Record<string, unknown>,
  rows: [string, string][],
): string => {
  const dir = join(repoRoot, 'bench', 'results')
  mkdirSync(dir, { recursive: true })
  const file = join(dir, `${name}.json`)
  writeFileSync(file, JSON.stringify(result, null, 2) + '\n')
  const width = Math.max(...rows.map(([k]) => k.length))
  process.stdout.write(
    `\n${name}\n${rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n')}\n  → ${file}\n`,
  )
  return file
}

export const log = (msg: string): void => {
  process.stderr.write(`bench: ${msg}\n`)
}

/** True when `moduleUrl` is the script node was started with (a benchmark run alone). */
export const isMain = (moduleUrl: string): boolean =>
  process.argv[1] !== undefined && moduleUrl === pathToFileURL(process.argv[1]).href

/** Rounds to `digits` decimals (figures are written rounded, never asserted). */
export const round = (n: number, digits = 0): number => Number(n.toFixed(digits))

/** Runs `main`, printing a failure and exiting non-zero on error (the scripts' entry points). */
export const runScript = (main: () => Promise<void>): void => {
  main().catch((err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`)
    process.exit(1)
  })
}
