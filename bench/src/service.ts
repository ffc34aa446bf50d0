import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { freePort, repoRoot, serviceHeapArgs, waitFor } from '@ecrs/testkit'

/** A service started as its own process, so that its memory is its own. */
export interface RunningService {
  url: string
  child: ChildProcess
  /** Peak resident size so far (VmHWM), in MiB; NaN where /proc is not available. */
  peakRssMb(): number
  /** Resident size (VmRSS, MiB) sampled every second since the start: [seconds, MiB][]. */
  rssSamples(): [number, number][]
  /** Reads the peak resident size, then stops the process (SIGTERM) and waits for it. */
  stop(): Promise<number>
}

const statusMb = (pid: number | undefined, field: 'VmHWM' | 'VmRSS'): number => {
  if (pid === undefined) return Number.NaN
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = new RegExp(`${field}:\\s+(\\d+)\\s+kB`).exec(status)?.[1]
    return kb === undefined ? Number.NaN : Math.round((Number(kb) / 1024) * 10) / 10
  } catch {
    return Number.NaN
  }
}

/** VmHWM of a process ("high water mark" of its resident set), in MiB. */
export const peakRssMb = (pid: number | undefined): number => statusMb(pid, 'VmHWM')

/**
 * The old-space limit the services run with (BENCH_SERVICE_HEAP_MB, else ECRS_SERVICE_HEAP_MB, else
 * 192 as `npm start` uses; 0 = node's own).
 * Their live heap is ~55 MB whatever the number of enterprises, but without a limit V8 lets
 * garbage pile up to ~175 MB before a full collection (heap limit ≈ ¼ of the machine's memory),
 * so the peak RSS would measure GC laziness, not what a service needs. Deployments set the same
 * with NODE_OPTIONS=--max-old-space-size=192 (what `npm start` does).
 */
export const serviceHeapMb = (): number =>
  Number(process.env['BENCH_SERVICE_HEAP_MB'] ?? process.env['ECRS_SERVICE_HEAP_MB'] ?? 192)

/**
 * Starts `services/<name>/dist/main.js` on a free port with `env` and waits for /readyz.
 * BENCH_CPU_PROF=<dir> runs it under `node --cpu-prof` (the profile is written when it stops);
 * BENCH_MAIN_INGEST (…_CREDIT_PROFILE, …_RECALL) runs another build of it; BENCH_NODE_ARGS
 * are added to its node flags (e.g. `--trace-gc --max-old-space-size=128`).
 */
export const startService = async (
  name: string,
  env: Record<string, string>,
  opts: { wait?: 'readyz' | 'none' } = {},
): Promise<RunningService> => {
  const port = await freePort()
  const prof = process.env['BENCH_CPU_PROF']
  const args = [
    // As `npm start`: the old space capped, 8 MB semi-spaces.
    ...serviceHeapArgs(serviceHeapMb()),
    ...(process.env['BENCH_NODE_ARGS']?.split(' ').filter(Boolean) ?? []),
    ...(prof
      ? ['--cpu-prof', `--cpu-prof-dir=${prof}`, `--cpu-prof-name=${name}-${Date.now()}.cpuprofile`]
      : []),
    // BENCH_MAIN_<NAME>=<path>: another build of the service (an A/B comparison in one run).
    process.env[`BENCH_MAIN_${name.toUpperCase().replace(/-/g, '_')}`] ??
      join(repoRoot, 'services', name, 'dist', 'main.js'),
  ]
  const child = spawn(process.execPath, args, {
    env: {
      ...process.env,
      LOG_LEVEL: process.env['BENCH_LOG_LEVEL'] ?? 'warn',
      RATE_LIMIT_PER_SECOND: '100000',
      RATE_LIMIT_BURST: '100000',
      ...env,
      PORT: String(port),
    },
    stdio: ['ignore', process.env['BENCH_DEBUG'] ? 'inherit' : 'ignore', 'inherit', 'ipc'],
  })
  const url = `http://127.0.0.1:${port}`
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const t0 = performance.now()
  const samples: [number, number][] = []
  const sampler = setInterval(() => {
    const mb = statusMb(child.pid, 'VmRSS')
    if (!Number.isNaN(mb)) samples.push([Math.round((performance.now() - t0) / 1000), mb])
  }, 1000)
  sampler.unref()
  const stop = async (): Promise<number> => {
    clearInterval(sampler)
    const peak = peakRssMb(child.pid)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    await exited
    return peak
  }
  try {
    if (opts.wait !== 'none')
      await waitFor(async () => (await fetch(`${url}/readyz`)).status === 200, {
        what: `${name} ready`,
        timeoutMs: 60_000,
      })
  } catch (err) {
    await stop()
    throw err
  }
  return { url, child, peakRssMb: () => peakRssMb(child.pid), rssSamples: () => [...samples], stop }
}
