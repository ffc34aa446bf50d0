// Schemathesis (a Python property-based API fuzzer, from PyPI) for `npm run fuzz` and the short fuzz
// test of `npm test`. Installed on first use, with every version pinned by
// infra/fuzz/requirements.txt, into a venv under ~/.cache/ecrs (ECRS_CACHE_DIR): never in the repo.
// Plain Node, no dependencies, so that both infra/bin/fuzz.mjs and tests/src/fuzz.test.ts use it.
import { spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** The pinned requirements; their hash names the venv, so a change installs a fresh one. */
export const requirementsFile = join(root, 'infra', 'fuzz', 'requirements.txt')

const requirements = readFileSync(requirementsFile, 'utf8')

/** The pinned Schemathesis version (from the requirements file). */
export const schemathesisVersion = /^schemathesis==(\S+)$/m.exec(requirements)?.[1] ?? 'unknown'

const cacheDir = resolve(process.env.ECRS_CACHE_DIR ?? join(homedir(), '.cache', 'ecrs'))
const venvDir = join(
  cacheDir,
  `schemathesis-${schemathesisVersion}-${createHash('sha256').update(requirements).digest('hex').slice(0, 10)}`,
)
const marker = join(venvDir, '.ecrs-installed')
const exe = join(venvDir, process.platform === 'win32' ? 'Scripts' : 'bin', 'schemathesis')

/**
 * Checks Schemathesis only checks, with why each left out is left out. Everything else (`--checks all`)
 * runs: no 5xx, status codes, content types, headers and bodies as documented, invalid input refused,
 * auth not ignored, 405 for undeclared methods.
 */
export const excludedChecks = {
  // "Schema-valid request rejected": ingest's body schemas say "an object" / "an array of events";
  // whether an event is valid also depends on what JSON Schema cannot say (the USCC check character,
  // `time` not in the future, who may publish what), so a schema-valid random event is rightly 400/403.
  positive_data_acceptance:
    'semantic validation (USCC check character, time window, publish rights) is not expressible in the OpenAPI schema',
}

const defaultSay = (msg) => process.stderr.write(`ecrs: ${msg}\n`)

/** Runs a command, its output going to stderr (pip's progress); resolves with the exit code. */
const run = (cmd, args, opts = {}) =>
  new Promise((resolvePromise) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...opts })
    child.once('error', (err) => resolvePromise({ code: -1, why: err.message }))
    child.once('exit', (code, signal) => resolvePromise({ code: code ?? -1, why: signal ?? `exit ${code}` }))
  })

/** A Python ≥ 3.9 with `venv`: `ECRS_PYTHON`, else python3, else python. */
const findPython = () => {
  const candidates = [process.env.ECRS_PYTHON, 'python3', 'python'].filter(Boolean)
  for (const cmd of candidates) {
    const r = spawnSync(cmd, ['-c', 'import sys, venv; print("%d.%d" % sys.version_info[:2])'], {
      encoding: 'utf8',
    })
    if (r.status !== 0) continue
    const [major, minor] = r.stdout.trim().split('.').map(Number)
    if (major === 3 && minor >= 9) return cmd
  }
  return undefined
}

// One installer at a time per cache (a test run and `npm run fuzz` may start together).
const lockDir = `${venvDir}.lock`
const takeLock = async (say) => {
  const deadline = Date.now() + 15 * 60_000
  let told = false
  for (;;) {
    try {
      mkdirSync(lockDir, { recursive: false })
      writeFileSync(join(lockDir, 'pid'), String(process.pid))
      return
    } catch (err) {
      if (err.code !== 'EEXIST') throw err
    }
    const holder = Number(readFileSync(join(lockDir, 'pid'), { encoding: 'utf8', flag: 'a+' }) || 0)
    let alive = false
    try {
      if (holder > 0) process.kill(holder, 0)
      alive = holder > 0
    } catch {
      alive = false
    }
    if (!alive) {
      rmSync(lockDir, { recursive: true, force: true })
      continue
    }
    if (Date.now() > deadline) throw new Error(`another process (pid ${holder}) holds ${lockDir}`)
    if (!told) say(`waiting for another process (pid ${holder}) installing Schemathesis…`)
    told = true
    await new Promise((r) => setTimeout(r, 500))
  }
}

/**
 * The path of the `schemathesis` executable, installing it into its venv the first time (~30 s with a
 * warm pip cache). Throws with what to do when Python or pip fails.
 */
export const ensureSchemathesis = async ({ say = defaultSay } = {}) => {
  if (existsSync(marker)) return exe
  mkdirSync(cacheDir, { recursive: true })
  await takeLock(say)
  try {
    if (existsSync(marker)) return exe
    const python = findPython()
    if (python === undefined)
      throw new Error('fuzzing needs Python ≥ 3.9 with venv (python3), or ECRS_PYTHON pointing at one')
    const started = Date.now()
    say(`installing Schemathesis ${schemathesisVersion} into ${venvDir} (first use only)…`)
    rmSync(venvDir, { recursive: true, force: true })
    const v = await run(python, ['-m', 'venv', venvDir])
    if (v.code !== 0) throw new Error(`${python} -m venv ${venvDir} failed (${v.why})`)
    const pip = await run(join(venvDir, 'bin', 'python'), [
      '-m',
      'pip',
      'install',
      '--disable-pip-version-check',
      '--no-input',
      '--progress-bar',
      'off',
      '-r',
      requirementsFile,
    ])
    if (pip.code !== 0) {
      rmSync(venvDir, { recursive: true, force: true })
      throw new Error(
        `pip could not install Schemathesis ${schemathesisVersion} (${pip.why}); pip must reach PyPI ` +
          `(or the index of PIP_INDEX_URL / pip.conf). Requirements: ${requirementsFile}`,
      )
    }
    writeFileSync(marker, `${new Date().toISOString()}\n`)
    say(`Schemathesis ${schemathesisVersion} installed in ${((Date.now() - started) / 1000).toFixed(1)} s`)
    return exe
  } finally {
    rmSync(lockDir, { recursive: true, force: true })
  }
}

/**
 * Runs `schemathesis run` against one service's `/openapi.json`, as one caller (a bearer token, or
 * none), with every check but {@link excludedChecks}. Resolves with the exit code (0: nothing found)
 * and the whole output; `onLine` sees each line as it comes.
 */
export const runSchemathesis = ({
  executable,
  baseUrl,
  token,
  maxExamples = 10,
  phases = 'examples,coverage,fuzzing,stateful',
  seed,
  workers = 1,
  maxTime,
  reportDir,
  timeoutMs = 600_000,
  excludePaths = [],
  onLine,
}) =>
  new Promise((resolvePromise) => {
    const args = [
      'run',
      `${baseUrl}/openapi.json`,
      '--checks',
      'all',
      '--exclude-checks',
      Object.keys(excludedChecks).join(','),
      '--max-examples',
      String(maxExamples),
      '--phases',
      phases,
      '--workers',
      String(workers),
      '--suppress-health-check',
      'all',
      '--generation-database',
      'none',
      '--request-timeout',
      '30',
      '--no-color',
      ...(seed === undefined ? [] : ['--seed', String(seed)]),
      ...(maxTime === undefined ? [] : ['--max-time', String(maxTime)]),
      ...(reportDir === undefined ? [] : ['--report', 'junit,har', '--report-dir', reportDir]),
      ...(token === undefined ? [] : ['--header', `Authorization: Bearer ${token}`]),
      ...excludePaths.flatMap((path) => ['--exclude-path', path]),
    ]
    // Its own working directory: nothing (reports, caches) lands in the repository.
    const cwd = mkdtempSync(join(tmpdir(), 'ecrs-fuzz-'))
    const child = spawn(executable, args, {
      cwd,
      env: { ...process.env, NO_COLOR: '1', PYTHONUNBUFFERED: '1', SCHEMATHESIS_TELEMETRY: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    let partial = ''
    const take = (d) => {
      const text = d.toString()
      output += text
      if (onLine === undefined) return
      const lines = (partial + text).split('\n')
      partial = lines.pop() ?? ''
      for (const line of lines) onLine(line)
    }
    child.stdout.on('data', take)
    child.stderr.on('data', take)
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    const done = (exitCode) => {
      clearTimeout(timer)
      if (onLine !== undefined && partial !== '') onLine(partial)
      rmSync(cwd, { recursive: true, force: true })
      resolvePromise({ exitCode, output })
    }
    child.once('error', (err) => {
      output += `\n${err.message}\n`
      done(-1)
    })
    child.once('exit', (code) => done(code ?? -1))
  })

/** The summary lines of a run's output (from `SUMMARY` on), for messages and the fuzz report. */
export const summaryOf = (output) => {
  // From the failures (each with its request, answer and a curl to reproduce it) when there are any.
  const failures = output.lastIndexOf('= FAILURES =')
  const at = failures >= 0 ? failures : output.lastIndexOf('= SUMMARY =')
  const tail = at < 0 ? output.slice(-3000) : output.slice(output.lastIndexOf('\n', at) + 1)
  return tail.trim().slice(0, 12_000)
}
