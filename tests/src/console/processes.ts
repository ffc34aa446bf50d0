import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { WaitAborted, freePort, repoRoot, waitFor } from '@ecrs/testkit'

/** A service of contract §1 (the console included) started from its built output, as stack.ts does. */
export interface Proc {
  readonly name: string
  readonly url: string
  readonly child: ChildProcess
  output(): string
  stop(): Promise<void>
}

/** Starts `node services/<name>/dist/main.js` and waits for its /readyz 200. */
export const startProcess = async (name: string, env: Record<string, string>): Promise<Proc> => {
  const port = await freePort()
  const child = spawn(process.execPath, [join(repoRoot, 'services', name, 'dist', 'main.js')], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  })
  let out = ''
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()))
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  const url = `http://127.0.0.1:${port}`
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new WaitAborted(`${name} exited (${child.exitCode}):\n${out}`)
        return (await fetch(`${url}/readyz`)).status === 200
      },
      { what: `${name} /readyz`, timeoutMs: 90_000, intervalMs: 200 },
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
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM')
      await exited
    },
  }
}

/** The five API services on one namespace, then the console in front of them. */
export const startConsoleStack = async (
  infra: { kafkaBrokers: readonly string[]; mongoUrl: string },
  ns: string,
) => {
  const env = {
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    MONGO_URL: infra.mongoUrl,
    TOPIC_NAMESPACE: ns,
    TOPIC_PARTITIONS: '2',
    LOG_LEVEL: 'warn',
    RULES_INTERVAL_MS: '0',
    LEDGER_DB: `${ns}_ingest`.replace(/[^A-Za-z0-9_]/g, '_'),
  }
  const names = ['ingest', 'credit-profile', 'recall', 'notify', 'inspection'] as const
  const services = await Promise.all(
    names.map((n) => startProcess(n, { ...env, MONGO_DB: `${ns}_${n}`.replace(/[^A-Za-z0-9_]/g, '_') })),
  )
  const urls = Object.fromEntries(services.map((s) => [s.name, s.url])) as Record<
    (typeof names)[number],
    string
  >
  const consoleProc = await startProcess('console', {
    LOG_LEVEL: 'warn',
    CONSOLE_INGEST_URL: urls.ingest,
    CONSOLE_CREDIT_PROFILE_URL: urls['credit-profile'],
    CONSOLE_RECALL_URL: urls.recall,
    CONSOLE_NOTIFY_URL: urls.notify,
    CONSOLE_INSPECTION_URL: urls.inspection,
  })
  return {
    urls,
    console: consoleProc,
    stop: async () => {
      await consoleProc.stop()
      await Promise.all(services.map((s) => s.stop()))
    },
  }
}
