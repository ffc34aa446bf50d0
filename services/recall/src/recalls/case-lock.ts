/**
 * Runs `fn` after every earlier call has finished. The consumer and the rules sweep each read a case,
 * publish and write it back; taking turns keeps them from publishing the same decision twice.
 */
export type CaseLock = <T>(fn: () => Promise<T>) => Promise<T>

/** A lock for this process's case updates (a failed turn does not block the next). */
export const caseLock = (): CaseLock => {
  let tail: Promise<unknown> = Promise.resolve()
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn)
    tail = run.catch(() => undefined)
    return run
  }
}
