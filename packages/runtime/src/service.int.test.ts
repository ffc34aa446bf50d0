import { readConfig, serviceConfigSchema } from '@ecrs/http'
import { topicConfig, topicNames } from '@ecrs/contracts'
import { createKafka, createProducer, ensureTopics, startConsumer } from '@ecrs/kafka'
import { serviceEnv, waitFor } from '@ecrs/testkit'
import { testInfra, uniqueName } from '@ecrs/testkit/vitest'
import { Type } from '@sinclair/typebox'
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { startService } from './service.js'

/** The shared runtime against the real broker and store: what it wires, and the close order. */
const infra = testInfra()
const logger = pino({ level: 'silent' })

const configFor = (ns: string) =>
  readConfig(Type.Composite([serviceConfigSchema({ port: 0, db: 'unused' })]), serviceEnv(infra, ns))

describe('startService', () => {
  it('serves the probes, runs the consumers it was given, and closes background work (last registered first), then the server, with the store still open', async () => {
    const ns = uniqueName('rt')
    const config = configFor(ns)
    const order: string[] = []
    const seen: string[] = []
    const service = await startService(config, logger, {
      name: 'runtime-test',
      openapi: { title: 'runtime test', description: 'the shared runtime' },
      async setup({ app, consume, topics, onClose, store }) {
        app.addHook('onClose', async () => {
          order.push('server')
          // The store and the producer are still open while the server closes.
          expect(await store.ping()).toBe(true)
        })
        const consumer = await consume({
          groupId: `${ns}.probe`,
          topics: [topics.outcomes],
          handler: async (messages) => {
            for (const m of messages) seen.push(m.value?.toString('utf8') ?? '')
          },
          lag: true,
        })
        onClose(() => {
          order.push('background-1')
        })
        onClose(async () => {
          order.push('background-2')
          expect(await store.ping()).toBe(true)
        })
        return { marker: 42, consumer }
      },
    })
    expect(service.marker).toBe(42)
    await service.consumer.joined
    const health = await fetch(`${service.url}/healthz`)
    expect(health.status).toBe(200)
    const ready = await fetch(`${service.url}/readyz`)
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { kafka: true, store: true } })

    const producer = await createProducer(
      createKafka({ brokers: infra.kafkaBrokers, clientId: 'rt', logger }),
      { logger },
    )
    try {
      await producer.send([{ topic: `${ns}.outcomes.v1`, key: 'k', value: 'hello', headers: {} }])
      await waitFor(async () => seen.includes('hello'), { what: 'the consumer to get the record' })
    } finally {
      await producer.disconnect()
    }
    const metrics = await (await fetch(`${service.url}/metrics`)).text()
    expect(metrics).toMatch(/ecrs_consumer_lag\{/)

    await service.close()
    expect(order).toEqual(['background-2', 'background-1', 'server'])
    // Closed: the port no longer answers.
    await expect(fetch(`${service.url}/healthz`)).rejects.toThrow()
  })

  it('answers /healthz and its routes while its consumer cannot join yet; /readyz says consumers: false until it has', async () => {
    const ns = uniqueName('rtj')
    const config = configFor(ns)
    const kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: 'rtj', logger })
    const groupId = `${ns}.held`
    const topics = topicNames(ns)
    const topic = topics.outcomes
    await ensureTopics(kafka, topicConfig(topics, 1))
    // Another member of the group, stuck in its handler: a rebalance waits for it to rejoin, so the
    // service's consumer cannot join while it is held (what a restarted instance meets when the old
    // one died: the group waits out its session).
    let release: () => void = () => undefined
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    let inHandler = false
    const producer = await createProducer(kafka, { logger })
    await producer.send([{ topic, key: 'k', value: 'first', headers: {} }])
    const other = await startConsumer(kafka, {
      groupId,
      topics: [topic],
      logger,
      deadLetter: { topic: topics.deadLetter, producer },
      handler: async () => {
        inHandler = true
        await held
      },
    })
    let service:
      Awaited<ReturnType<typeof startService<typeof config, { joined: Promise<void> }>>> | undefined
    try {
      await waitFor(async () => inHandler, { what: 'the other member to be in its handler' })
      service = await startService(config, logger, {
        name: 'runtime-join-test',
        openapi: { title: 'runtime test', description: 'a consumer that cannot join yet' },
        async setup({ app, consume }) {
          app.get('/v1/ping', { config: { skipAuth: true } }, () => ({ pong: true }))
          const c = await consume({ groupId, topics: [topic], handler: async () => undefined })
          return { joined: c.joined }
        },
      })
      expect((await fetch(`${service.url}/healthz`)).status).toBe(200)
      expect(await (await fetch(`${service.url}/v1/ping`)).json()).toEqual({ pong: true })
      const notYet = await fetch(`${service.url}/readyz`)
      expect(notYet.status).toBe(503)
      expect(await notYet.json()).toMatchObject({ checks: { kafka: true, store: true, consumers: false } })
      release()
      await service.joined
      await waitFor(async () => (await fetch(`${service!.url}/readyz`)).status === 200, { what: 'ready' })
    } finally {
      release()
      await other.stop()
      await service?.close()
      await producer.disconnect()
    }
  })

  it('closes what it opened when setup fails, and rethrows', async () => {
    const ns = uniqueName('rtf')
    const closed: string[] = []
    await expect(
      startService(configFor(ns), logger, {
        name: 'runtime-test',
        openapi: { title: 'runtime test', description: 'failing setup' },
        async setup({ onClose, app, consume, topics }) {
          app.addHook('onClose', () => {
            closed.push('server')
          })
          // A consumer declared, never started: its promises must not reject unhandled at close.
          await consume({ groupId: `${ns}.never`, topics: [topics.outcomes], handler: async () => undefined })
          onClose(() => {
            closed.push('background')
          })
          throw new Error('setup broke')
        },
      }),
    ).rejects.toThrow('setup broke')
    expect(closed).toEqual(['background', 'server'])
  })
})
