import { startServiceProcess, type ServiceProcess } from '../stack.js'

/** A service of contract §1 (the console included) started from its built output (stack.ts). */
export type Proc = ServiceProcess

// The console waits for its five upstreams: a longer wait than the services' own.
const startProcess = (name: Parameters<typeof startServiceProcess>[0], env: Record<string, string>) =>
  startServiceProcess(name, env, { timeoutMs: 90_000 })

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
