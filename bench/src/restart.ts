/**
 * Availability after a crash (`npm run bench:restart`): a credit-profile instance is killed
 * (SIGKILL) and started again at once, while the group still counts the dead member until its
 * session expires. Prints how long the new process took to answer /healthz, to answer a read, and
 * to be ready (/readyz 200: its consumer back in the group). BENCH_RESTART_ROUNDS rounds (3).
 */
import { randomUUID } from 'node:crypto'
import { LOCAL_DEV_SECRET, signToken } from '@ecrs/http'
import { provision, stderrProgress, waitFor } from '@ecrs/testkit'
import { isMain, log, machine, percentile, round, runScript, writeResult } from './report.js'
import { startService } from './service.js'

const answersWithin = async (
  what: string,
  probe: () => Promise<boolean>,
  started: number,
): Promise<number> => {
  await waitFor(
    async () => {
      try {
        return await probe()
      } catch {
        return false // not listening yet
      }
    },
    { what, timeoutMs: 120_000, intervalMs: 20 },
  )
  return performance.now() - started
}

if (isMain(import.meta.url))
  runScript(async () => {
    const infra = await provision({ env: process.env, progress: stderrProgress })
    const rounds = Number(process.env['BENCH_RESTART_ROUNDS'] ?? 3)
    const ns = `bench-restart-${randomUUID().slice(0, 8)}`
    const env = {
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      MONGO_URL: infra.mongoUrl,
      TOPIC_NAMESPACE: ns,
      MONGO_DB: `${ns}_credit`.replace(/[^A-Za-z0-9_]/g, '_'),
      TOPIC_PARTITIONS: '4',
    }
    const regulator = await signToken({ sub: 'bench', role: 'regulator' }, LOCAL_DEV_SECRET, 3600)
    const figures: { healthzMs: number; readMs: number; readyMs: number }[] = []
    try {
      let svc = await startService('credit-profile', env)
      for (let r = 0; r < rounds; r++) {
        svc.child.kill('SIGKILL')
        await new Promise((resolve) => svc.child.once('exit', resolve))
        const started = performance.now()
        svc = await startService('credit-profile', env, { wait: 'none' })
        const url = svc.url
        const healthzMs = await answersWithin(
          '/healthz',
          async () => (await fetch(`${url}/healthz`)).ok,
          started,
        )
        const readMs = await answersWithin(
          'a read',
          async () =>
            (
              await fetch(`${url}/v1/enterprises/91210102MA0QCUQ65K`, {
                headers: { authorization: `Bearer ${regulator}` },
              })
            ).status < 500,
          started,
        )
        const readyMs = await answersWithin(
          '/readyz 200',
          async () => (await fetch(`${url}/readyz`)).ok,
          started,
        )
        figures.push({ healthzMs: round(healthzMs), readMs: round(readMs), readyMs: round(readyMs) })
        log(
          `round ${r + 1}: /healthz ${round(healthzMs)} ms, a read ${round(readMs)} ms, ready ${round(readyMs)} ms`,
        )
      }
      await svc.stop()
    } finally {
      await infra.stop()
    }
    const p50 = (k: keyof (typeof figures)[number]) =>
      round(
        percentile(
          figures.map((f) => f[k]),
          50,
        ),
      )
    const max = (k: keyof (typeof figures)[number]) => Math.max(...figures.map((f) => f[k]))
    writeResult('restart', { machine: machine(), rounds: figures }, [
      ['rounds', String(figures.length)],
      ['/healthz after restart, p50 / max (ms)', `${p50('healthzMs')} / ${max('healthzMs')}`],
      ['a read answered, p50 / max (ms)', `${p50('readMs')} / ${max('readMs')}`],
      ['/readyz 200 (consumer rejoined), p50 / max (ms)', `${p50('readyMs')} / ${max('readyMs')}`],
    ])
  })
