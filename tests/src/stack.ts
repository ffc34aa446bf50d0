import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { WaitAborted, freePort, repoRoot, waitFor } from '@ecrs/testkit'

/** The services of contract §1 (the console aside). */
export const serviceNames = ['ingest', 'credit-profile', 'recall', 'notify', 'inspection'] as const
export type ServiceName = (typeof serviceNames)[number]
/** The services events go through: what a test of profiles and recalls needs. */
export const coreServices = ['ingest', 'credit-profile', 'recall'] as const satisfies readonly ServiceName[]

/** A service started as its own process from its built output, as contract §1 describes. */
export interface ServiceProcess {
  readonly name: ServiceName | 'console'
  readonly url: string
  readonly child: ChildProcess
  /** stdout + stderr so far (pino JSON lines). */
  output(): string
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

/**
 * Starts `node services/<name>/dist/main.js` with the given environment and waits for /readyz 200
 * (or, `until: 'healthz'`, only for it to answer /healthz: listening, its consumers maybe not joined).
 */
export const startServiceProcess = async (
  name: ServiceName | 'console',
  env: Record<string, string>,
  opts: { until?: 'readyz' | 'healthz'; timeoutMs?: number } = {},
): Promise<ServiceProcess> => {
  const probe = opts.until === 'healthz' ? '/healthz' : '/readyz'
  const port = await freePort()
  // Recall commands use ingest's ledger (contract §7); in a namespaced stack it is `<ns>_ingest`.
  const ns = env['TOPIC_NAMESPACE']
  const ledger =
    name === 'recall' && env['LEDGER_DB'] === undefined && ns !== undefined
      ? { LEDGER_DB: `${ns}_ingest`.replace(/[^A-Za-z0-9_]/g, '_') }
      : {}
  const child = spawn(process.execPath, [join(repoRoot, 'services', name, 'dist', 'main.js')], {
    env: { ...process.env, ...env, ...ledger, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  })
  let out = ''
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()))
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
  const url = `http://127.0.0.1:${port}`
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new WaitAborted(`${name} exited (${child.exitCode}):\n${out}`)
        return (await fetch(`${url}${probe}`)).status === 200
      },
      { what: `${name} ${probe}`, timeoutMs: opts.timeoutMs ?? 60_000, intervalMs: 200 },
    )
  } catch (err) {
    child.kill('SIGKILL')
    throw err
  }
  return {
    name,
    url,
    child,
    output: () => out,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null) child.kill(signal)
      return exited
    },
  }
}

/**
 * Starts `names` as processes on one namespace (its own topics, one database per service, the
 * rules timer off unless `extra` sets it) and returns them by name; `stop()` stops them all.
 */
export const startStack = async (
  infra: { kafkaBrokers: readonly string[]; mongoUrl: string },
  ns: string,
  names: readonly ServiceName[] = coreServices,
  extra: Record<string, string> = {},
): Promise<{
  url: (name: ServiceName) => string
  services: Map<ServiceName, ServiceProcess>
  stop(): Promise<void>
}> => {
  const env = {
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    MONGO_URL: infra.mongoUrl,
    TOPIC_NAMESPACE: ns,
    TOPIC_PARTITIONS: '2',
    LOG_LEVEL: 'warn',
    RULES_INTERVAL_MS: '0',
    ...extra,
  }
  const started = await Promise.all(
    names.map(
      async (name) =>
        [
          name,
          await startServiceProcess(name, {
            ...env,
            MONGO_DB: `${ns}_${name}`.replace(/[^A-Za-z0-9_]/g, '_'),
          }),
        ] as const,
    ),
  )
  const services = new Map<ServiceName, ServiceProcess>(started)
  return {
    services,
    url: (name) => {
      const s = services.get(name)
      if (s === undefined) throw new Error(`${name} is not part of this stack`)
      return s.url
    },
    stop: async () => {
      await Promise.all(started.map(([, s]) => s.stop()))
    },
  }
}
