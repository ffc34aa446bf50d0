/** Thrown by a probe to stop waiting at once: the awaited condition can no longer come true. */
export class WaitAborted extends Error {
  override readonly name = 'WaitAborted'
}

/** Options of {@link waitFor}. */
export interface WaitOptions {
  /** What is awaited, for the error message. */
  what: string
  timeoutMs?: number
  intervalMs?: number
}

/**
 * Polls `probe` until it returns a value other than undefined/false, or the deadline passes. This
 * waits on a signal (a condition in the system), never a fixed time. A probe that throws is tried
 * again (the system may not be up yet), unless it throws {@link WaitAborted}.
 */
export const waitFor = async <T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  opts: WaitOptions,
): Promise<T> => {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000)
  const interval = opts.intervalMs ?? 100
  let lastError: unknown
  for (;;) {
    try {
      const v = await probe()
      if (v !== undefined && v !== false) return v
    } catch (err) {
      if (err instanceof WaitAborted) throw err
      lastError = err
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? `: ${lastError.message}` : ''
      throw new Error(`timed out after ${opts.timeoutMs ?? 30_000} ms waiting for ${opts.what}${why}`)
    }
    await new Promise((r) => setTimeout(r, interval))
  }
}
