#!/usr/bin/env node
// Builds the console's single-page app into web/dist, skipped when nothing it is made from changed
// since the last build (pass --force to build anyway). Three steps, each failing the build:
// 1. the API types from the OpenAPI snapshots (openapi/<service>.json → web/src/api/schema/),
// 2. the type check of the app against them (a contract change breaks here, not in the page),
// 3. vite build.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..')
const repo = join(pkg, '..', '..')
const web = join(pkg, 'web')
const schemaDir = join(web, 'src', 'api', 'schema')
const stampFile = join(web, 'dist', '.build-stamp')
const quiet = process.argv.includes('--quiet')
const say = (msg) => quiet || process.stderr.write(`ecrs: ${msg}\n`)

const files = (dir) =>
  existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)],
      )
    : []
const inputs = [
  ...files(join(web, 'src')).filter((f) => !f.startsWith(schemaDir)),
  ...files(join(pkg, 'openapi')),
  ...files(join(repo, 'packages', 'contracts', 'src', 'calendar')),
  join(repo, 'packages', 'contracts', 'src', 'dates.ts'),
  join(repo, 'packages', 'contracts', 'src', 'uscc.ts'),
  join(web, 'index.html'),
  join(web, 'vite.config.ts'),
  join(web, 'tsconfig.json'),
  join(pkg, 'package.json'),
  join(repo, 'pnpm-lock.yaml'),
]
const newest = Math.max(...inputs.filter(existsSync).map((f) => statSync(f).mtimeMs))
const stamp = existsSync(stampFile) ? Number(readFileSync(stampFile, 'utf8')) : 0
if (!process.argv.includes('--force') && stamp >= newest && existsSync(join(web, 'dist', 'index.html'))) {
  say('console web app is up to date')
  process.exit(0)
}

// The console's own tools, else the workspace root's (typescript is a root devDependency).
const bin = (name) =>
  [join(pkg, 'node_modules', '.bin', name), join(repo, 'node_modules', '.bin', name)].find(existsSync) ?? name
const run = (what, cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: pkg, stdio: quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit' })
  if (r.status !== 0) {
    if (r.error) process.stderr.write(`ecrs: ${cmd}: ${r.error.message}\n`)
    process.stderr.write(`ecrs: console web build failed at: ${what}\n`)
    process.exit(1)
  }
}

say('building the console web app (openapi-typescript, tsc, vite build)…')
mkdirSync(schemaDir, { recursive: true })
for (const f of readdirSync(join(pkg, 'openapi')).filter((f) => f.endsWith('.json'))) {
  run(`types of ${f}`, bin('openapi-typescript'), [
    join('openapi', f),
    '--output',
    join(schemaDir, f.replace(/\.json$/, '.ts')),
    '--silent',
  ])
}
run('type check', bin('tsc'), ['-p', join(web, 'tsconfig.json')])
run('vite build', bin('vite'), [
  'build',
  '--config',
  join(web, 'vite.config.ts'),
  '--logLevel',
  quiet ? 'warn' : 'info',
])
writeFileSync(stampFile, String(newest))
