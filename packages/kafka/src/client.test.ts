import { logLevel } from 'kafkajs'
import { describe, expect, it } from 'vitest'
import { kafkajsLevel } from './client.js'

describe('kafkajs log levels', () => {
  it('keeps retried responses and the idempotent-producer note out of warn/error', () => {
    const msg = 'Response InitProducerId(key: 22, version: 1)'
    expect(kafkajsLevel('Connection', logLevel.ERROR, msg, 1000)).toBe('debug')
    expect(kafkajsLevel('Connection', logLevel.ERROR, msg, 10 * 60_000)).toBe('debug')
    const note = 'Limiting retries for the idempotent producer may invalidate EoS guarantees'
    expect(kafkajsLevel('Producer', logLevel.WARN, note, 0)).toBe('debug')
  })

  it('shows connection failures only once the boot window has passed', () => {
    const msg = 'Connection error: connect ECONNREFUSED 127.0.0.1:9092'
    expect(kafkajsLevel('Connection', logLevel.ERROR, msg, 5_000)).toBe('debug')
    expect(kafkajsLevel('Connection', logLevel.ERROR, msg, 120_000)).toBe('warn')
  })

  it('leaves every other entry at its own level', () => {
    expect(kafkajsLevel('Consumer', logLevel.ERROR, 'Crash: KafkaJSNonRetriableError', 0)).toBe('error')
    expect(kafkajsLevel('Consumer', logLevel.WARN, 'something else', 0)).toBe('warn')
    expect(kafkajsLevel('Consumer', logLevel.INFO, 'Consumer has joined the group', 0)).toBe('info')
  })
})
