#!/usr/bin/env node
// Runs a command on a supported Node: every npm script goes through here (`node infra/bin/node.mjs
// '<command line>'` or `<command> [args…]`). ECRS runs on Node 24 LTS and keeps working on 22. When the machine's own
// node is older (Node 20 reached end of life in April 2026), Node 24 is fetched once from the npm
// registry — the `node-<os>-<cpu>` package that the `node` package installs, the official binary —
// into ~/.cache/ecrs/, said once, and put first on the PATH of the command, so that the command and
// everything it starts (tsc, vitest, the services) run on it. Plain Node, no dependencies.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs'
import { homedir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'

/** The Node fetched when the machine's is too old. */
export const NODE_VERSION = '24.21.0'
/** The oldest Node major ECRS runs on as it is. */
export const OLDEST_MAJOR = 22

const say = (msg) => process.stderr.write(`ecrs: ${msg}\n`)

/** The directory holding a `node` binary of a supported version (the running one when it is). */
export const ensureNode = () => {
  const major = Number(process.versions.node.split('.')[0])
  if (major >= OLDEST_MAJOR) return dirname(process.execPath)
  const pkg = `node-${process.platform}-${process.arch}`
  const cache = process.env.ECRS_CACHE_DIR ?? join(homedir(), '.cache', 'ecrs')
  const home = join(cache, `node-v${NODE_VERSION}-${process.platform}-${process.arch}`)
  const bin = join(home, 'node_modules', pkg, 'bin')
  if (existsSync(join(bin, 'node'))) {
    say(`Node ${process.versions.node} is past its end of life: running on Node ${NODE_VERSION} from ${home}`)
    return bin
  }
  say(
    `Node ${process.versions.node} is past its end of life; fetching Node ${NODE_VERSION} ` +
      `(${pkg} from the npm registry) into ${home}, once…`,
  )
  const partial = `${home}.partial-${process.pid}`
  rmSync(partial, { recursive: true, force: true })
  mkdirSync(partial, { recursive: true })
  const r = spawnSync(
    'npm',
    ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', partial, `${pkg}@${NODE_VERSION}`],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  )
  const got = join(partial, 'node_modules', pkg, 'bin', 'node')
  if (r.status !== 0 || !existsSync(got)) {
    rmSync(partial, { recursive: true, force: true })
    say(`could not fetch ${pkg}@${NODE_VERSION} (npm exit ${r.status}); install Node 24 LTS and try again`)
    process.exit(1)
  }
  // Whole or not at all: a run cut short leaves only the partial directory.
  rmSync(home, { recursive: true, force: true })
  renameSync(partial, home)
  return bin
}

// The command line as npm scripts have it, then what npm appends (`npm start -- --instances 2`).
const [line, ...extra] = process.argv.slice(2)
if (line === undefined) {
  say("usage: node infra/bin/node.mjs '<command line>' [args…]")
  process.exit(2)
}
const bin = ensureNode()
// kafkajs 2.2.4 computes a negative timeout on every connection, which Node ≥ 23 warns about on
// each one (tulios/kafkajs#1751: harmless, Node uses 1 ms as before; unfixed upstream).
const quiet = '--disable-warning=TimeoutNegativeWarning'
const nodeOptions = process.env.NODE_OPTIONS ?? ''
const env = {
  ...process.env,
  PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`,
  NODE_OPTIONS: nodeOptions.includes(quiet) ? nodeOptions : `${nodeOptions} ${quiet}`.trim(),
}
const quote = (a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)
// A plain command runs directly (signals reach it, no shell in between); `a && b` through sh.
const child = /[&|;<>()$`"'\\*?]/.test(line)
  ? spawn([line, ...extra.map(quote)].join(' '), { stdio: 'inherit', env, shell: true })
  : spawn(line.split(/\s+/)[0], [...line.split(/\s+/).slice(1), ...extra], { stdio: 'inherit', env })
// Ctrl-C reaches the whole process group; a SIGTERM sent to npm reaches only us: pass it on.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'])
  process.on(signal, () => {
    child.kill(signal)
  })
child.on('error', (err) => {
  say(`could not run ${line}: ${err.message}`)
  process.exit(127)
})
child.on('exit', (code, signal) => {
  if (signal) {
    process.removeAllListeners(signal)
    process.kill(process.pid, signal)
  } else process.exit(code ?? 1)
})
