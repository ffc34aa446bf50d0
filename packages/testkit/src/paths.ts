import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const findRoot = (from: string): string => {
  let dir = from
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir
    const up = dirname(dir)
    if (up === dir) throw new Error(`no pnpm-workspace.yaml above ${from}`)
    dir = up
  }
}

/** The monorepo root (works from src/ under vitest and from dist/ under node). */
export const repoRoot: string = findRoot(dirname(fileURLToPath(import.meta.url)))

/** Downloads and builds live here, outside the tracked tree: `ECRS_CACHE_DIR` or ~/.cache/ecrs. */
export const cacheDir: string = resolve(process.env['ECRS_CACHE_DIR'] ?? join(homedir(), '.cache', 'ecrs'))
