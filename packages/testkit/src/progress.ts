/** Progress of slow first-run steps, on stderr so stdout stays clean for machine-read output. */
export type Progress = (message: string) => void

export const stderrProgress: Progress = (message) => {
  process.stderr.write(`ecrs: ${message}\n`)
}

export const silentProgress: Progress = () => undefined
