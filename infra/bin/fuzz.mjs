#!/usr/bin/env node
// `npm run fuzz`: the long Schemathesis run against the three services, as every caller of
// contract §2 (agency, regulator, firm, admin) and as nobody. By default it provisions Kafka and the
// store (KAFKA_BROKERS / MONGO_URL → Docker → local processes, as the tests do) and starts the
// services from their built output on free ports; `--running` fuzzes an `npm start` stack instead
// (127.0.0.1:8081–8083, or --ingest/--credit-profile/--recall URLs); it writes test data into it.
//
//   npm run fuzz -- [--running] [--max-examples 200] [--max-time SECONDS] [--seed N] [--workers 1]
//                   [--services ingest,recall] [--callers anonymous,agency,regulator,firm,admin]
//                   [--phases examples,coverage,fuzzing,stateful]
//
// Prints progress and a summary; JUnit and HAR reports go to ~/.cache/ecrs/fuzz/<time>/. Exit 1 when
// anything was found.
import { spawn } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { parseArgs } from 'node:util'
import { fileURLToPath, pathToFileURL } from 'node:url'
import {
  ensureSchemathesis,
  excludedChecks,
  runSchemathesis,
  schemathesisVersion,
  summaryOf,
} from './schemathesis.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const load = (path) => import(pathToFileURL(join(root, path)).href)
const { provision, stderrProgress, freePort, waitFor, WaitAborted, cacheDir } = await load(
  'packages/testkit/dist/index.js',
)
const { signToken, LOCAL_DEV_SECRET } = await load('packages/http/dist/index.js')

const SERVICES = ['ingest', 'credit-profile', 'recall']
const DEFAULT_PORTS = { ingest: 8081, 'credit-profile': 8082, recall: 8083 }
const CALLERS = ['anonymous', 'agency', 'regulator', 'firm', 'admin']

const { values: opt } = parseArgs({
  options: {
    running: { type: 'boolean', default: false },
    ingest: { type: 'string' },
    'credit-profile': { type: 'string' },
    recall: { type: 'string' },
    'max-examples': { type: 'string', default: '200' },
    'max-time': { type: 'string' },
    seed: { type: 'string' },
    // One worker: with several, Python 3.11's ast.parse (used by Hypothesis to describe filters)
    // sometimes fails with "AST constructor recursion depth mismatch", a tool error, not a finding.
    workers: { type: 'string', default: '1' },
    services: { type: 'string', default: SERVICES.join(',') },
    callers: { type: 'string', default: CALLERS.join(',') },
    phases: { type: 'string', default: 'examples,coverage,fuzzing,stateful' },
    help: { type: 'boolean', default: false },
  },
})
if (opt.help) {
  process.stdout.write(
    'npm run fuzz -- [--running] [--max-examples N] [--max-time S] [--seed N] [--workers N]\n' +
      '                [--services a,b] [--callers anonymous,agency,regulator,firm,admin] [--phases …]\n',
  )
  process.exit(0)
}
const say = (msg) => process.stderr.write(`fuzz: ${msg}\n`)
const pick = (given, all, what) => {
  const list = given
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  const unknown = list.filter((s) => !all.includes(s))
  if (unknown.length > 0) {
    say(`unknown ${what}: ${unknown.join(', ')} (known: ${all.join(', ')})`)
    process.exit(2)
  }
  return list
}
const services = pick(opt.services, SERVICES, 'service')
const callers = pick(opt.callers, CALLERS, 'caller')

const stops = []
const stopAll = async () => {
  for (const stop of stops.reverse()) await stop().catch(() => undefined)
}
let stopping = false
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (stopping) return
    stopping = true
    say(`${signal}: stopping…`)
    void stopAll().then(() => process.exit(130))
  })
}

/** Starts `node services/<name>/dist/main.js` on a free port and waits for /readyz 200. */
const startService = async (name, env) => {
  const port = await freePort()
  const child = spawn(process.execPath, [join(root, 'services', name, 'dist', 'main.js')], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  const keep = (d) => {
    out = (out + d.toString()).slice(-200_000)
  }
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  const exited = new Promise((r) => child.once('exit', r))
  stops.push(async () => {
    if (child.exitCode === null) child.kill('SIGTERM')
    await exited
  })
  const url = `http://127.0.0.1:${port}`
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new WaitAborted(`${name} exited (${child.exitCode}):\n${out}`)
      return (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200
    },
    { what: `${name} /readyz`, timeoutMs: 60_000, intervalMs: 200 },
  )
  return { url, child, output: () => out }
}

const started = Date.now()
const exe = await ensureSchemathesis({ say })
const targets = new Map()
try {
  if (opt.running) {
    for (const name of services) {
      const url = (opt[name] ?? `http://127.0.0.1:${DEFAULT_PORTS[name]}`).replace(/\/+$/, '')
      const ready = await fetch(`${url}/readyz`).catch(() => undefined)
      if (ready?.status !== 200) {
        say(
          `${name} at ${url} is not ready (${ready?.status ?? 'no answer'}); start the stack with \`npm start\``,
        )
        process.exit(1)
      }
      targets.set(name, { url })
    }
  } else {
    say('provisioning Kafka and the store…')
    const infra = await provision({ env: process.env, progress: stderrProgress })
    stops.push(() => infra.stop())
    const ns = `fuzz-${Date.now().toString(36)}`
    for (const name of services) {
      say(`starting ${name}…`)
      targets.set(
        name,
        await startService(name, {
          KAFKA_BROKERS: infra.kafkaBrokers.join(','),
          MONGO_URL: infra.mongoUrl,
          TOPIC_NAMESPACE: ns,
          TOPIC_PARTITIONS: '2',
          MONGO_DB: `${ns}_${name}`.replace(/[^A-Za-z0-9_]/g, '_'),
          // Recall commands judge ids in ingest's ledger (contract §7).
          LEDGER_DB: `${ns}_ingest`.replace(/[^A-Za-z0-9_]/g, '_'),
          LOG_LEVEL: 'warn',
        }),
      )
    }
  }

  const secret = process.env.ECRS_JWT_SECRET ?? LOCAL_DEV_SECRET
  const uscc = '91350100M000100Y43'
  const tokenFor = (caller) =>
    caller === 'anonymous'
      ? Promise.resolve(undefined)
      : signToken(
          {
            sub: `fuzz-${caller}`,
            role: caller,
            ...(caller === 'agency' ? { agency: 'samr.fuzz' } : {}),
            ...(caller === 'firm' ? { uscc } : {}),
          },
          secret,
          24 * 3600,
        )

  const reports = join(cacheDir, 'fuzz', new Date().toISOString().replace(/[:.]/g, '-'))
  mkdirSync(reports, { recursive: true })
  say(
    `Schemathesis ${schemathesisVersion}: ${services.length} services × ${callers.length} callers, ` +
      `--max-examples ${opt['max-examples']}${opt['max-time'] ? ` --max-time ${opt['max-time']}` : ''}, ` +
      `phases ${opt.phases}; checks: all but ${Object.keys(excludedChecks).join(', ')}`,
  )
  const results = []
  for (const name of services) {
    for (const caller of callers) {
      const target = targets.get(name)
      const t0 = Date.now()
      say(`${name} as ${caller} (${target.url}) …`)
      const r = await runSchemathesis({
        executable: exe,
        baseUrl: target.url,
        token: await tokenFor(caller),
        maxExamples: Number(opt['max-examples']),
        maxTime: opt['max-time'] === undefined ? undefined : Number(opt['max-time']),
        seed: opt.seed,
        workers: Number(opt.workers),
        phases: opt.phases,
        reportDir: join(reports, `${name}-${caller}`),
        timeoutMs: 6 * 3600_000,
        onLine: (line) => {
          // Phase results and the final tally, not every case.
          if (/^\s+(✅|❌|🚫|⏭)|^\s+\d+ generated|^=+ .* in [\d.]+s =+$/u.test(line))
            process.stderr.write(`  ${line.trim()}\n`)
        },
      })
      const crashed = target.child !== undefined && target.child.exitCode !== null
      const seconds = (Date.now() - t0) / 1000
      const generated = /(\d+) generated[^\n]*/.exec(r.output)?.[0] ?? ''
      const verdict = /^=+ (.+) in [\d.]+s =+$/m.exec(r.output)?.[1] ?? ''
      const tally = [generated, verdict].filter(Boolean).join('; ')
      results.push({ name, caller, ok: r.exitCode === 0 && !crashed, exitCode: r.exitCode, seconds, tally })
      if (r.exitCode !== 0)
        process.stderr.write(`${summaryOf(r.output)}\n\n${r.output.split('= SUMMARY =')[0].slice(-20_000)}\n`)
      if (crashed) say(`${name} EXITED (${target.child.exitCode}):\n${target.output().slice(-5000)}`)
    }
  }

  process.stdout.write(
    `\nFuzz summary (Schemathesis ${schemathesisVersion}, ${((Date.now() - started) / 1000).toFixed(0)} s):\n`,
  )
  for (const r of results)
    process.stdout.write(
      `  ${r.ok ? 'ok  ' : 'FAIL'}  ${r.name.padEnd(15)} ${r.caller.padEnd(10)} ${r.seconds.toFixed(1).padStart(6)} s  ${r.tally}\n`,
    )
  process.stdout.write(`Reports (JUnit, HAR): ${reports}\n`)
  const failed = results.filter((r) => !r.ok).length
  await stopAll()
  process.exit(failed === 0 ? 0 : 1)
} catch (err) {
  say(err instanceof Error ? err.message : String(err))
  await stopAll()
  process.exit(1)
}
