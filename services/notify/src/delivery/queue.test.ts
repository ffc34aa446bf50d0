import { describe, expect, it } from 'vitest'
import { compareSeq, deliveryQueue, type LaneTarget, type QueuedDelivery } from './queue.js'

/** Lets the queue's pump (a microtask) run. */
const turn = () => new Promise((resolve) => setImmediate(resolve))

const setup = (opts: { concurrency?: number; receiverConcurrency?: number } = {}) => {
  const targets = new Map<string, LaneTarget>()
  const launched: QueuedDelivery[] = []
  let clock = 1_000_000
  const queue = deliveryQueue({
    concurrency: opts.concurrency ?? 10,
    receiverConcurrency: opts.receiverConcurrency ?? 10,
    now: () => clock,
    target: (id) => targets.get(id),
    launch: (d) => launched.push(d),
  })
  const delivery = (subscriptionId: string, uscc: string, seq: number): QueuedDelivery => ({
    id: `${subscriptionId}/${seq}`,
    subscriptionId,
    seq: String(seq).padStart(6, '0'),
    uscc,
    payload: '{}',
    createdAt: clock,
    status: 'pending',
    attempts: 0,
    nextAttemptAt: clock,
    rev: 0,
  })
  const ids = () => launched.map((d) => d.id)
  return { queue, targets, launched, delivery, ids, advance: (ms: number) => (clock += ms), now: () => clock }
}

describe('the delivery queue', () => {
  it('sends one enterprise’s entries to one subscription in seq order, one at a time', async () => {
    const t = setup()
    t.targets.set('s1', { active: true, origin: 'http://a' })
    t.queue.start()
    const [d1, d2, d3] = [t.delivery('s1', 'U1', 1), t.delivery('s1', 'U1', 2), t.delivery('s1', 'U1', 3)]
    t.queue.add(d3)
    t.queue.add(d1)
    t.queue.add(d2)
    await turn()
    expect(t.ids()).toEqual(['s1/1'])
    d1.status = 'delivered'
    t.queue.settle(d1)
    await turn()
    expect(t.ids()).toEqual(['s1/1', 's1/2'])
    t.queue.stop()
  })

  it('holds later entries while an earlier one waits for its retry, and hurry sends it at once', async () => {
    const t = setup()
    t.targets.set('s1', { active: true, origin: 'http://a' })
    t.queue.start()
    const d1 = t.delivery('s1', 'U1', 1)
    const d2 = t.delivery('s1', 'U1', 2)
    t.queue.add(d1)
    t.queue.add(d2)
    await turn()
    d1.attempts = 1
    d1.nextAttemptAt = t.now() + 60_000
    t.queue.settle(d1)
    await turn()
    expect(t.ids()).toEqual(['s1/1'])
    t.queue.hurry(d2.id) // not first in its lane: still waits for d1
    await turn()
    expect(t.ids()).toEqual(['s1/1'])
    t.queue.hurry(d1.id)
    await turn()
    expect(t.ids()).toEqual(['s1/1', 's1/1'])
    t.queue.stop()
  })

  it('sends other enterprises of the same subscription meanwhile', async () => {
    const t = setup()
    t.targets.set('s1', { active: true, origin: 'http://a' })
    t.queue.start()
    t.queue.add(t.delivery('s1', 'U1', 1))
    t.queue.add(t.delivery('s1', 'U1', 2))
    t.queue.add(t.delivery('s1', 'U2', 3))
    await turn()
    expect(t.ids().sort()).toEqual(['s1/1', 's1/3'])
    t.queue.stop()
  })

  it('keeps to the limit per receiver, and a full receiver does not hold another', async () => {
    const t = setup({ receiverConcurrency: 2, concurrency: 10 })
    t.targets.set('slow', { active: true, origin: 'http://slow' })
    t.targets.set('fast', { active: true, origin: 'http://fast' })
    t.queue.start()
    for (let i = 0; i < 5; i++) t.queue.add(t.delivery('slow', `U${i}`, i))
    for (let i = 0; i < 5; i++) t.queue.add(t.delivery('fast', `U${i}`, i))
    await turn()
    expect(t.launched.filter((d) => d.subscriptionId === 'slow')).toHaveLength(2)
    expect(t.launched.filter((d) => d.subscriptionId === 'fast')).toHaveLength(2)
    const fast = t.launched.filter((d) => d.subscriptionId === 'fast')
    for (const d of fast) {
      d.status = 'delivered'
      t.queue.settle(d)
    }
    await turn()
    // The fast receiver's next two went out; the slow one still has its two in flight, no more.
    expect(t.launched.filter((d) => d.subscriptionId === 'fast')).toHaveLength(4)
    expect(t.launched.filter((d) => d.subscriptionId === 'slow')).toHaveLength(2)
    t.queue.stop()
  })

  it('keeps to the global limit', async () => {
    const t = setup({ receiverConcurrency: 10, concurrency: 3 })
    for (const s of ['a', 'b', 'c', 'd']) t.targets.set(s, { active: true, origin: `http://${s}` })
    t.queue.start()
    for (const s of ['a', 'b', 'c', 'd']) for (let i = 0; i < 3; i++) t.queue.add(t.delivery(s, `U${i}`, i))
    await turn()
    expect(t.launched).toHaveLength(3)
    // Round robin across receivers: three different ones went first.
    expect(new Set(t.launched.map((d) => d.subscriptionId)).size).toBe(3)
    t.queue.stop()
  })

  it('holds a paused subscription’s deliveries and sends them when it is active again', async () => {
    const t = setup()
    t.targets.set('s1', { active: false, origin: 'http://a' })
    t.queue.start()
    t.queue.add(t.delivery('s1', 'U1', 1))
    await turn()
    expect(t.launched).toHaveLength(0)
    expect(t.queue.size).toBe(1)
    t.targets.set('s1', { active: true, origin: 'http://a' })
    t.queue.refresh('s1')
    await turn()
    expect(t.ids()).toEqual(['s1/1'])
    t.queue.stop()
  })

  it('sends nothing before start, then everything added before', async () => {
    const t = setup()
    t.targets.set('s1', { active: true, origin: 'http://a' })
    t.queue.add(t.delivery('s1', 'U1', 1))
    t.queue.add(t.delivery('s1', 'U2', 2))
    expect(t.queue.add(t.delivery('s1', 'U2', 2))).toBe(false)
    await turn()
    expect(t.launched).toHaveLength(0)
    t.queue.start()
    await turn()
    expect(t.launched).toHaveLength(2)
    t.queue.stop()
  })

  it('forgets a dropped subscription, and frees the slot of its attempt in flight', async () => {
    const t = setup({ receiverConcurrency: 1 })
    t.targets.set('s1', { active: true, origin: 'http://a' })
    t.targets.set('s2', { active: true, origin: 'http://a' })
    t.queue.start()
    const d1 = t.delivery('s1', 'U1', 1)
    t.queue.add(d1)
    t.queue.add(t.delivery('s1', 'U1', 2))
    t.queue.add(t.delivery('s2', 'U1', 3))
    await turn()
    expect(t.ids()).toEqual(['s1/1'])
    t.targets.delete('s1')
    t.queue.drop('s1')
    expect(t.queue.size).toBe(1)
    t.queue.settle(d1)
    await turn()
    expect(t.ids()).toEqual(['s1/1', 's2/3'])
    t.queue.stop()
  })

  it('compares seqs as decimal numbers', () => {
    expect(['10', '000009', '000011', '2', '0'].sort(compareSeq)).toEqual([
      '0',
      '2',
      '000009',
      '10',
      '000011',
    ])
  })
})
