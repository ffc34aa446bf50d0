import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process'
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs'

const live = new Set<ChildProcess>()
let hooked = false

/** Children still alive when this process exits are killed: nothing outlives the stack that started it. */
const hookExit = (): void => {
  if (hooked) return
  hooked = true
  process.once('exit', () => {
    for (const c of live) signalGroup(c, 'SIGKILL')
  })
}

/** Signals the child's whole process group (the supervisor and what it runs). */
export const signalGroup = (child: ChildProcess, signal: NodeJS.Signals): void => {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal)
  } catch {
    child.kill(signal)
  }
}

/** The last `lines` lines of a log file (for error messages when a start fails). */
export const tailFile = (path: string, lines = 60): string => {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-lines).join('\n')
  } catch {
    return '(no log)'
  }
}

/** A child process whose output goes to a log file. */
export interface Managed {
  readonly child: ChildProcess
  readonly logFile: string
  /** Resolves with the exit code (or signal) when the process ends. */
  readonly exited: Promise<number | string>
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>
}

/**
 * Runs `command` under a small sh supervisor that forwards SIGTERM/SIGINT to it and also stops it
 * when its standard input closes, which happens when the process that started it dies, even by
 * SIGKILL: a broker started by a test run never outlives the run.
 */
const SUPERVISOR = [
  'exec 3<&0',
  '"$@" </dev/null &',
  'p=$!',
  "trap 'kill -TERM $p 2>/dev/null' TERM INT",
  '( cat <&3 >/dev/null; kill -TERM $p 2>/dev/null ) &',
  'w=$!',
  'wait $p; s=$?',
  'while kill -0 $p 2>/dev/null; do wait $p; s=$?; done',
  'kill $w 2>/dev/null',
  'exit $s',
].join('\n')

/** Starts a command with stdout+stderr appended to `logFile`, in its own process group. */
export const startManaged = (
  command: string,
  args: readonly string[],
  opts: {
    logFile: string
    env?: NodeJS.ProcessEnv
    cwd?: string
    onStdout?: (chunk: string) => void
    /** Wrap in the supervisor above (for programs that do not watch their stdin themselves). */
    supervise?: boolean
  },
): Managed => {
  hookExit()
  const log: WriteStream = createWriteStream(opts.logFile, { flags: 'a' })
  // Own process group: a Ctrl-C in the terminal reaches only us, and we stop children in order.
  const spawnOpts: SpawnOptions = {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: opts.env ?? process.env,
    detached: true,
  }
  if (opts.cwd) spawnOpts.cwd = opts.cwd
  const child = opts.supervise
    ? spawn('sh', ['-c', SUPERVISOR, 'ecrs-supervisor', command, ...args], spawnOpts)
    : spawn(command, [...args], spawnOpts)
  live.add(child)
  child.stdout?.on('data', (d: Buffer) => {
    log.write(d)
    opts.onStdout?.(d.toString('utf8'))
  })
  child.stderr?.on('data', (d: Buffer) => log.write(d))
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child)
      log.end()
      resolve(code ?? signal ?? 'unknown')
    })
    child.once('error', (err) => {
      live.delete(child)
      log.write(`spawn error: ${err.message}\n`)
      log.end()
      resolve('spawn-error')
    })
  })
  const stop = async (graceMs = 15_000): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return
    // Only the leader: the supervisor forwards it and waits for a clean exit.
    child.kill('SIGTERM')
    const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs)
    await exited
    clearTimeout(timer)
  }
  return { child, logFile: opts.logFile, exited, stop }
}

/** Runs a command to completion, output to `logFile`; rejects with the log's tail on failure. */
export const run = async (
  command: string,
  args: readonly string[],
  opts: { logFile: string; env?: NodeJS.ProcessEnv; cwd?: string },
): Promise<void> => {
  const m = startManaged(command, args, opts)
  m.child.stdin?.end()
  const code = await m.exited
  if (code !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed (${code}); log ${opts.logFile}:\n${tailFile(opts.logFile)}`,
    )
  }
}
