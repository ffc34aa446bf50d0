/**
 * `npm start`: the whole local stack in the foreground. Provisions Kafka and the store (unless
 * KAFKA_BROKERS / MONGO_URL are set) on the default ports, starts the services as separate
 * processes, waits until each answers /readyz, prints where everything listens, restarts a
 * service that crashes (the others keep running), and stops everything on Ctrl-C / SIGTERM.
 * With `--infra-only` (`npm run stack`) it provisions the broker and the store and nothing else.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { cacheDir, repoRoot } from '../paths.js'
import { isPortFree } from '../ports.js'
import { stderrProgress as progress } from '../progress.js'
import { provision, type Infra } from '../provision.js'
import { waitFor } from '../wait.js'

const services = [
  { name: 'ingest', port: 8081 },
  { name: 'credit-profile', port: 8082 },
  { name: 'recall', port: 8083 },
  { name: 'notify', port: 8084 },
  { name: 'inspection', port: 8085 },
  // Last: it proxies the others, and is ready when they answer.
  { name: 'console', port: 8080 },
] as const

interface Running {
  name: string
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

/**
 * The services' old-space limit (ECRS_SERVICE_HEAP_MB, default 192; 0 = node's own, about a quarter
 * of the machine's memory). Their live heap is ~55 MB; without a limit V8 lets garbage pile up to
 * several hundred MB before a full collection (docs/BENCHMARKS.md, "Memory").
 */
const heapArgs = (env: NodeJS.ProcessEnv): string[] => {
  const mb = Number(env['ECRS_SERVICE_HEAP_MB'] ?? 192)
  return Number.isFinite(mb) && mb > 0 ? [`--max-old-space-size=${Math.round(mb)}`] : []
}

const spawnService = (r: Running, env: NodeJS.ProcessEnv): void => {
  const child = spawn(
    process.execPath,
    [...heapArgs(env), join(repoRoot, 'services', r.name, 'dist', 'main.js')],
    {
      env: { ...env, PORT: String(r.port) },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    },
  )
  r.child = child
  child.stdout?.on('data', prefixLines(r.name, process.stdout))
  child.stderr?.on('data', prefixLines(r.name, process.stderr))
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

const main = async (): Promise<void> => {
  for (const s of infraOnly ? [] : services) {
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
  for (const s of services) {
    const r: Running = { name: s.name, port: s.port, child: undefined, restarts: [] }
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
    `  ${'console'.padEnd(15)} http://127.0.0.1:8080/   (the web console; PORT of the console overrides)`,
    ...running
      .filter((r) => r.name !== 'console')
      .map((r) => `  ${r.name.padEnd(15)} http://127.0.0.1:${r.port}   (docs: /docs)`),
    `  ${'kafka'.padEnd(15)} ${infra.kafkaBrokers.join(',')}   (${infra.kafkaFrom})`,
    `  ${'store'.padEnd(15)} ${infra.mongoUrl}   (${infra.mongoFlavor}, ${infra.mongoFrom})`,
    ...(infra.logs.length > 0 ? [`  logs: ${infra.logs.join(', ')}`] : []),
    'Ctrl-C stops everything.',
  ]
  process.stderr.write(lines.join('\n') + '\n')
}

main().catch((err: unknown) =>
  shutdown(1, `start failed: ${err instanceof Error ? err.message : String(err)}`),
)
