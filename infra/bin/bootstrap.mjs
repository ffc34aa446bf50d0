#!/usr/bin/env node
// First step of `npm start` and `npm test` on any machine, fresh or not: plain Node, no
// dependencies. Installs pnpm when it is missing, installs the workspace's packages when the
// lockfile changed since the last install, and builds (tsc -b, incremental: fast when up to date).
// The broker's jars and the store's binary are fetched/built later by packages/testkit, on demand.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const quiet = process.argv.includes('--quiet')
const PNPM = '10.34.9'

const say = (msg) => {
  if (!quiet) process.stderr.write(`ecrs: ${msg}\n`)
}
const fail = (msg) => {
  process.stderr.write(`ecrs: ${msg}\n`)
  process.exit(1)
}
const sh = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, {
    cwd: root,
    stdio: quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit',
    ...opts,
  })
  if (r.error) return { ok: false, why: r.error.message }
  return { ok: r.status === 0, why: `exit ${r.status}` }
}
const has = (cmd, args = ['--version']) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0

const [major, minor] = process.versions.node.split('.').map(Number)
if (major < 22 || (major === 22 && minor < 12))
  fail(
    `Node ${process.versions.node} is too old; ECRS needs Node >= 22.12 (24 LTS). ` +
      'Run it through npm (npm test, npm start…): infra/bin/node.mjs fetches Node 24 when needed',
  )

if (!has('pnpm')) {
  say(`pnpm not found: installing pnpm@${PNPM} with npm (corepack is not used: it fails on this registry)…`)
  const r = sh('npm', ['i', '-g', `pnpm@${PNPM}`])
  if (!r.ok || !has('pnpm')) fail(`could not install pnpm (${r.why}); install it with: npm i -g pnpm@${PNPM}`)
}

// Install when node_modules is missing or older than the lockfile / any package.json.
const marker = join(root, 'node_modules', '.ecrs-installed')
const inputs = ['pnpm-lock.yaml', 'package.json', 'pnpm-workspace.yaml']
const listPackages = (dir) => {
  const base = join(root, dir)
  if (!existsSync(base)) return []
  return spawnSync('ls', [base], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter(Boolean)
    .map((d) => join(dir, d, 'package.json'))
}
inputs.push(...listPackages('packages'), ...listPackages('services'), 'tests/package.json')
const newest = Math.max(
  ...inputs.filter((f) => existsSync(join(root, f))).map((f) => statSync(join(root, f)).mtimeMs),
)
const installedAt = existsSync(marker) ? Number(readFileSync(marker, 'utf8')) : 0
if (!existsSync(join(root, 'node_modules')) || installedAt < newest) {
  say('installing packages (pnpm install --frozen-lockfile)…')
  const r = sh('pnpm', ['install', '--frozen-lockfile', '--reporter=append-only'])
  if (!r.ok) fail(`pnpm install failed (${r.why})`)
  writeFileSync(marker, String(Date.now()))
}

say('building (tsc -b)…')
const b = sh('pnpm', ['exec', 'tsc', '-b'])
if (!b.ok) fail(`build failed (${b.why}); run \`pnpm exec tsc -b\` to see the errors`)

// The console's single-page app (typed API client, type check, vite build); skipped when up to date.
const w = sh(process.execPath, [
  join(root, 'services', 'console', 'scripts', 'build-web.mjs'),
  ...(quiet ? ['--quiet'] : []),
])
if (!w.ok)
  fail(`console web build failed (${w.why}); run \`node services/console/scripts/build-web.mjs --force\``)

// What the local stack needs when KAFKA_BROKERS / MONGO_URL are not given (checked, not installed:
// these come with the machine; see the README).
if (!process.env.KAFKA_BROKERS && !has('java', ['-version']))
  say('warning: java not found; the local Kafka broker needs Java 17+ (or set KAFKA_BROKERS)')
if (!process.env.KAFKA_BROKERS && !has('mvn', ['-v']))
  say('warning: mvn not found; fetching the Kafka jars needs Maven (or set KAFKA_BROKERS)')
if (!process.env.MONGO_URL && !has('go', ['version']))
  say('warning: go not found; building the local store needs Go (or set MONGO_URL)')
