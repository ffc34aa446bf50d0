import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs'
import { join } from 'node:path'
import { MongoClient } from 'mongodb'
import { cacheDir, repoRoot } from './paths.js'
import { run, signalGroup, startManaged, tailFile, type Managed } from './process.js'
import type { Progress } from './progress.js'
import { WaitAborted, waitFor } from './wait.js'

const storeSource = join(repoRoot, 'infra', 'store')

/** The binary's name carries a hash of its sources, so a change to the wrapper rebuilds it. */
const binaryPath = (): string => {
  const h = createHash('sha256')
  for (const f of ['main.go', 'go.mod', 'go.sum']) h.update(readFileSync(join(storeSource, f)))
  return join(cacheDir, 'bin', `ecrs-store-${h.digest('hex').slice(0, 12)}`)
}

/**
 * Builds the MongoDB-wire server (infra/store: FerretDB v1.24.2 embedded, SQLite backend) once.
 * Pure Go (CGO_ENABLED=0); modules come from the Go module proxy into the usual Go caches.
 */
export const ensureStoreBinary = async (progress: Progress): Promise<string> => {
  const bin = binaryPath()
  if (existsSync(bin)) return bin
  mkdirSync(join(cacheDir, 'bin'), { recursive: true })
  progress(
    `building the local MongoDB-wire store (FerretDB v1.24.2, Go) into ${bin} (first run only, 1–3 minutes)…`,
  )
  const started = Date.now()
  const tmp = `${bin}.tmp-${process.pid}`
  await run('go', ['build', '-trimpath', '-o', tmp, '.'], {
    cwd: storeSource,
    logFile: join(cacheDir, 'store-build.log'),
    env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=readonly' },
  })
  renameSync(tmp, bin)
  progress(`store built (${((Date.now() - started) / 1000).toFixed(1)} s)`)
  return bin
}

export interface LocalStoreOptions {
  /** Port; a free one chosen by the server when absent (it reports the port it got). */
  port?: number
  dataDir: string
  progress: Progress
}

/** The MongoDB-wire store as a child process on loopback; restartable on the same port and data. */
export class LocalStore {
  private proc: Managed | undefined
  private port = 0

  constructor(private readonly opts: LocalStoreOptions) {}

  get url(): string {
    return `mongodb://127.0.0.1:${this.port}/`
  }

  get logFile(): string {
    return join(this.opts.dataDir, 'store.log')
  }

  async start(): Promise<void> {
    if (this.proc) return
    mkdirSync(this.opts.dataDir, { recursive: true })
    const bin = await ensureStoreBinary(this.opts.progress)
    const listen = `127.0.0.1:${this.port || this.opts.port || 0}`
    let announced = ''
    const proc = startManaged(
      bin,
      ['-listen', listen, '-data', join(this.opts.dataDir, 'db'), '-exit-on-stdin-eof'],
      {
        logFile: this.logFile,
        onStdout: (s) => {
          announced += s
        },
      },
    )
    this.proc = proc
    try {
      const url = await waitFor(
        () => {
          if (proc.child.exitCode !== null) throw new WaitAborted(`store exited (${proc.child.exitCode})`)
          const m = /ready mongodb:\/\/127\.0\.0\.1:(\d+)\//.exec(announced)
          return m ? m[1] : undefined
        },
        { what: 'the store to listen', timeoutMs: 30_000, intervalMs: 50 },
      )
      this.port = Number(url)
      // A real probe: the official driver connects and the server answers a command.
      const client = new MongoClient(this.url, { serverSelectionTimeoutMS: 2000 })
      try {
        await waitFor(async () => (await client.db('admin').command({ ping: 1 }))['ok'] === 1, {
          what: `the store on ${this.url}`,
          timeoutMs: 30_000,
        })
      } finally {
        await client.close()
      }
    } catch (err) {
      await this.stop()
      throw new Error(
        `store did not start: ${(err as Error).message}\n--- ${this.logFile} ---\n${tailFile(this.logFile)}`,
      )
    }
  }

  async stop(): Promise<void> {
    const p = this.proc
    this.proc = undefined
    await p?.stop(10_000)
  }

  async kill(): Promise<void> {
    const p = this.proc
    this.proc = undefined
    if (p) signalGroup(p.child, 'SIGKILL')
    await p?.exited
  }
}
