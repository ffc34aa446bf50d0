/**
 * `npm start`: the whole local stack in the foreground. Provisions Kafka and the store (unless
 * KAFKA_BROKERS / MONGO_URL are set) on the default ports, starts the services as separate
 * processes, waits until each answers /readyz, prints where everything listens, restarts a
 * service that crashes (the others keep running), and stops everything on Ctrl-C / SIGTERM.
 * With `--infra-only` (`npm run stack`) it provisions the broker and the store and nothing else.
 * With `--instances N` (1–4) it runs N of each service, sharing their consumer groups and databases
 * (one of ingest and notify, see `single`): instance k (from 0) listens on the port of contract §1
 * plus 1000·k (the second set on 9080, 9082, 9083, 9085), its console proxying to its own set.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { cacheDir, repoRoot } from '../paths.js'
import { isPortFree } from '../ports.js'
import { stderrProgress as progress } from '../progress.js'
import { provision, type Infra } from '../provision.js'
import { serviceHeapArgs } from '../node-args.js'
import { waitFor } from '../wait.js'

/**
 * `single`: run once whatever `--instances` says, and why (README, "Several instances"): what the
 * service keeps is written by one instance only, and two would write it from different halves.
 */
const services: readonly { name: string; port: number; single?: string }[] = [
  { name: 'ingest', port: 8081, single: "its §10 statistics are folded in one process's memory" },
  { name: 'credit-profile', port: 8082 },
  { name: 'recall', port: 8083 },
  { name: 'notify', port: 8084, single: 'the change feed has one writer (its seqs)' },
  { name: 'inspection', port: 8085 },
  // Last: it proxies the others, and is ready when they answer.
  { name: 'console', port: 8080 },
]

interface Running {
  name: string
  /** Which instance of the service (0 = the first, on the ports of contract §1). */
  instance: number
  port: number
  child: ChildProcess | undefined
  restarts: number[]
}

let infra: Infra | undefined
let stopping = false
const running: Running[] = []

const prefixLines = (name: string, stream: NodeJS.WritableStream) => {
  let rest = ''
  return (d: Buffer) => {
    const text = rest + d.toString('utf8')
    const lines = text.split('\n')
    rest = lines.pop() ?? ''
    for (const l of lines) stream.write(`[${name}] ${l}\n`)
  }
}

/** The services' old-space limit: ECRS_SERVICE_HEAP_MB, default 192 (see serviceHeapArgs). */
const heapArgs = (env: NodeJS.ProcessEnv): string[] =>
  serviceHeapArgs(Number(env['ECRS_SERVICE_HEAP_MB'] ?? 192))

/** The port of instance `k` of a service whose first instance listens on `port`. */
const portOf = (port: number, k: number): number => port + 1000 * k

/** Instance `k`'s console proxies to instance `k` of each service (the first of one run once). */
const consoleUpstreams = (k: number): Record<string, string> =>
  Object.fromEntries(
    services
      .filter((s) => s.name !== 'console')
      .map((s) => [
        `CONSOLE_${s.name.toUpperCase().replace(/-/g, '_')}_URL`,
        `http://127.0.0.1:${portOf(s.port, s.single ? 0 : k)}`,
      ]),
  )

/** `--instances N`, 1 by default. */
const instancesArg = (argv: readonly string[]): number => {
  const i = argv.indexOf('--instances')
  if (i < 0) return 1
  const n = Number(argv[i + 1])
  if (!Number.isInteger(n) || n < 1 || n > 4) throw new Error('--instances takes a number from 1 to 4')
  return n
}

const spawnService = (r: Running, env: NodeJS.ProcessEnv): void => {
  const child = spawn(
    process.execPath,
    [...heapArgs(env), join(repoRoot, 'services', r.name, 'dist', 'main.js')],
    {
      env: { ...env, ...(r.name === 'console' ? consoleUpstreams(r.instance) : {}), PORT: String(r.port) },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    },
  )
  r.child = child
  const tag = r.instance === 0 ? r.name : `${r.name}#${r.instance + 1}`
  child.stdout?.on('data', prefixLines(tag, process.stdout))
  child.stderr?.on('data', prefixLines(tag, process.stderr))
  child.once('exit', (code, signal) => {
    r.child = undefined
    if (stopping) return
    const now = Date.now()
    r.restarts = r.restarts.filter((t) => now - t < 60_000)
    if (r.restarts.length >= 5) {
      progress(
        `${r.name} exited (${code ?? signal}) 5 times within a minute; not restarting it. The other services keep running.`,
      )
      return
    }
    r.restarts.push(now)
    const delay = 1000 * r.restarts.length
    progress(`${r.name} exited (${code ?? signal}); restarting in ${delay / 1000} s`)
    setTimeout(() => {
      if (!stopping) spawnService(r, env)
    }, delay).unref()
  })
}

const shutdown = async (code: number, why?: string): Promise<never> => {
  if (stopping) process.exit(code)
  stopping = true
  if (why) progress(why)
  progress('stopping…')
  await Promise.all(
    running.map(async (r) => {
      const c = r.child
      if (!c || c.exitCode !== null) return
      const exited = new Promise((res) => c.once('exit', res))
      c.kill('SIGTERM')
      const t = setTimeout(() => c.kill('SIGKILL'), 15_000)
      await exited
      clearTimeout(t)
    }),
  )
  await infra?.stop()
  progress('stopped')
  process.exit(code)
}

process.on('SIGINT', () => void shutdown(0))
process.on('SIGTERM', () => void shutdown(0))

const infraOnly = process.argv.includes('--infra-only')
const label = (r: Running): string => (r.instance === 0 ? r.name : `${r.name}#${r.instance + 1}`)

const main = async (): Promise<void> => {
  const instances = instancesArg(process.argv)
  const planned = (infraOnly ? [] : services).flatMap((s) =>
    Array.from({ length: s.single ? 1 : instances }, (_, k) => ({
      name: s.name,
      instance: k,
      port: portOf(s.port, k),
    })),
  )
  for (const s of planned) {
    if (!(await isPortFree(s.port))) {
      throw new Error(`port ${s.port} for ${s.name} is taken (is another \`npm start\` running?)`)
    }
  }
  const started = Date.now()
  infra = await provision({
    env: process.env,
    progress,
    ports: { kafka: 9092, kafkaController: 9093, mongo: 27017 },
    dataDir: join(cacheDir, 'stack'),
  })
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    MONGO_URL: infra.mongoUrl,
    // The services write to our pipes, not to the terminal: tell them to print for a person when
    // we do (one readable line per entry), JSON lines otherwise (a log collector, CI).
    LOG_FORMAT: process.env['LOG_FORMAT'] ?? (process.stdout.isTTY ? 'pretty' : 'json'),
  }
  if (infraOnly) {
    process.stderr.write(
      [
        `Kafka and the store are up (${((Date.now() - started) / 1000).toFixed(1)} s):`,
        `  KAFKA_BROKERS=${infra.kafkaBrokers.join(',')}`,
        `  MONGO_URL=${infra.mongoUrl}`,
        'Ctrl-C stops them.',
      ].join('\n') + '\n',
    )
    return
  }
  for (const s of planned) {
    const r: Running = { ...s, child: undefined, restarts: [] }
    running.push(r)
    spawnService(r, env)
  }
  await Promise.all(
    running.map((r) =>
      waitFor(
        async () => {
          if (stopping) throw new Error('stopping')
          const res = await fetch(`http://127.0.0.1:${r.port}/readyz`)
          return res.status === 200
        },
        { what: `${r.name} /readyz`, timeoutMs: 120_000, intervalMs: 250 },
      ),
    ),
  )
  const lines = [
    `ECRS is up (${((Date.now() - started) / 1000).toFixed(1)} s):`,
    ...running
      .filter((r) => r.name === 'console')
      .map((r) => `  ${label(r).padEnd(17)} http://127.0.0.1:${r.port}/   (the web console)`),
    ...running
      .filter((r) => r.name !== 'console')
      .map((r) => `  ${label(r).padEnd(17)} http://127.0.0.1:${r.port}   (docs: /docs)`),
    ...(instances > 1
      ? [
          `  ${instances} instances of each service share their consumer groups and databases, but`,
          ...services
            .filter((s) => s.single)
            .map((s) => `    one ${s.name}: ${s.single} (README, "Several instances")`),
        ]
      : []),
    `  ${'kafka'.padEnd(17)} ${infra.kafkaBrokers.join(',')}   (${infra.kafkaFrom})`,
    `  ${'store'.padEnd(17)} ${infra.mongoUrl}   (${infra.mongoFlavor}, ${infra.mongoFrom})`,
    ...(infra.logs.length > 0 ? [`  logs: ${infra.logs.join(', ')}`] : []),
    'Ctrl-C stops everything.',
  ]
  process.stderr.write(lines.join('\n') + '\n')
}

main().catch((err: unknown) =>
  shutdown(1, `start failed: ${err instanceof Error ? err.message : String(err)}`),
)
