import { describe, expect, it } from 'vitest'
import { readGate } from './read-gate.js'

class Busy extends Error {}

/** A read that finishes when told to, counting how many ran at once. */
const controlled = () => {
  let running = 0
  let peak = 0
  const waiting: (() => void)[] = []
  const read = (value: object) => async () => {
    running++
    peak = Math.max(peak, running)
    await new Promise<void>((r) => waiting.push(r))
    running--
    return value
  }
  const release = () => {
    for (const r of waiting.splice(0)) r()
  }
  return { read, release, peak: () => peak }
}

const settle = () => new Promise((r) => setImmediate(r))

describe('readGate', () => {
  it('runs at most `concurrency` reads at once, queues `queue` more, turns the rest away', async () => {
    const gate = readGate({ concurrency: 2, queue: 3, cacheMs: 0, busy: () => new Busy() })
    const c = controlled()
    const answers = Array.from({ length: 5 }, (_, i) => gate.run(`q${i}`, c.read({ i })))
    await settle()
    expect(gate.load()).toEqual({ active: 2, pending: 3 })
    await expect(gate.run('q5', c.read({ i: 5 }))).rejects.toBeInstanceOf(Busy)
    while (gate.load().active > 0) {
      c.release()
      await settle()
    }
    expect(await Promise.all(answers)).toEqual([0, 1, 2, 3, 4].map((i) => ({ i })))
    expect(c.peak()).toBe(2)
  })

  it('shares one read among callers asking the same thing, and caches it for cacheMs', async () => {
    const gate = readGate({ concurrency: 1, queue: 0, cacheMs: 60_000, busy: () => new Busy() })
    let reads = 0
    const read = async () => ({ n: ++reads })
    const [a, b] = await Promise.all([gate.run('k', read), gate.run('k', read)])
    expect(a).toEqual({ n: 1 })
    expect(b).toEqual({ n: 1 })
    expect(await gate.run('k', read)).toEqual({ n: 1 })
    expect(await gate.run('other', read)).toEqual({ n: 2 })
  })

  it('does not cache when cacheMs is 0, and a failed read is not kept', async () => {
    const gate = readGate({ concurrency: 1, queue: 1, cacheMs: 0, busy: () => new Busy() })
    let reads = 0
    await expect(
      gate.run('k', () => {
        reads++
        return Promise.reject(new Error('store down'))
      }),
    ).rejects.toThrow('store down')
    expect(await gate.run('k', async () => ({ n: ++reads }))).toEqual({ n: 2 })
    expect(await gate.run('k', async () => ({ n: ++reads }))).toEqual({ n: 3 })
  })
})
