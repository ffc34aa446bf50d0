// Types of schemathesis.mjs, for the tests that import it.

/** The pinned requirements file (infra/fuzz/requirements.txt). */
export declare const requirementsFile: string
/** The pinned Schemathesis version. */
export declare const schemathesisVersion: string
/** The checks left out of `--checks all`, each with its reason. */
export declare const excludedChecks: Readonly<Record<string, string>>

/** The path of the `schemathesis` executable, installed into its venv under the cache on first use. */
export declare const ensureSchemathesis: (opts?: { say?: (msg: string) => void }) => Promise<string>

export interface SchemathesisRunOptions {
  executable: string
  /** The service's origin, e.g. http://127.0.0.1:8081 (its document is `${baseUrl}/openapi.json`). */
  baseUrl: string
  /** A bearer token; none → the anonymous caller. */
  token?: string | undefined
  maxExamples?: number
  /** Comma list of examples, coverage, fuzzing, stateful. */
  phases?: string
  seed?: number | string | undefined
  workers?: number
  /** Seconds: fuzzing and stateful phases repeat until spent. */
  maxTime?: number | undefined
  /** Where to write JUnit and HAR reports. */
  reportDir?: string | undefined
  timeoutMs?: number
  /** Paths left out (`--exclude-path`), e.g. a stream that never ends. */
  excludePaths?: readonly string[]
  onLine?: (line: string) => void
}

export interface SchemathesisRunResult {
  /** 0: nothing found; 1: failures; other: errors. */
  exitCode: number
  output: string
}

export declare const runSchemathesis: (opts: SchemathesisRunOptions) => Promise<SchemathesisRunResult>
/** The summary section of a run's output. */
export declare const summaryOf: (output: string) => string
