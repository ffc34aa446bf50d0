import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testInfra, uniqueName } from '@ecrs/testkit/vitest'
import { serviceNames, startServiceProcess, type ServiceProcess } from './stack.js'

const infra = testInfra()
const ns = uniqueName('up').replace(/[^a-z0-9.-]/g, '')
const running: ServiceProcess[] = []

beforeAll(async () => {
  const env = {
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    MONGO_URL: infra.mongoUrl,
    TOPIC_NAMESPACE: ns,
    TOPIC_PARTITIONS: '2',
    LOG_LEVEL: 'info',
  }
  for (const name of serviceNames)
    running.push(
      await startServiceProcess(name, { ...env, MONGO_DB: `${ns}_${name}`.replace(/[^A-Za-z0-9_]/g, '_') }),
    )
})

afterAll(async () => {
  await Promise.all(running.map((s) => s.stop()))
})

describe.each(serviceNames.map((n) => [n]))('%s as a process', (name) => {
  const svc = () => running.find((s) => s.name === name)!

  it('is alive, ready, and serves metrics and its OpenAPI document without a token', async () => {
    const health = await fetch(`${svc().url}/healthz`)
    expect(health.status).toBe(200)
    const ready = await fetch(`${svc().url}/readyz`)
    expect(ready.status).toBe(200)
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { kafka: true, store: true } })
    const metrics = await (await fetch(`${svc().url}/metrics`)).text()
    expect(metrics).toContain('http_request_duration_seconds')
    expect(metrics).toContain('process_resident_memory_bytes')
    const openapi = (await (await fetch(`${svc().url}/openapi.json`)).json()) as { openapi: string }
    expect(openapi.openapi).toMatch(/^3\./)
    expect((await fetch(`${svc().url}/docs`)).status).toBeLessThan(400)
  })

  it('answers an unknown route with the coded error shape', async () => {
    const res = await fetch(`${svc().url}/v1/nothing-here`)
    expect(res.status).toBe(404)
    expect(await res.json()).toMatchObject({ statusCode: 404, code: 'ROUTE_NOT_FOUND', error: 'Not Found' })
  })

  it('never writes a bearer token to its logs', async () => {
    const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2VjcmV0LXNpZ25hdHVyZQ'
    const res = await fetch(`${svc().url}/v1/nothing-here`, { headers: { authorization: `Bearer ${token}` } })
    expect(res.status).toBe(401)
    expect(svc().output()).not.toContain(token)
  })
})

describe('a service that cannot reach its store', () => {
  it('exits non-zero at start with the reason', async () => {
    await expect(
      startServiceProcess('ingest', {
        KAFKA_BROKERS: infra.kafkaBrokers.join(','),
        MONGO_URL: 'mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=500',
        TOPIC_NAMESPACE: ns,
      }),
    ).rejects.toThrow(/ingest exited \(1\)/)
  })
})

describe('production mode', () => {
  it('refuses to start with the default secret', async () => {
    await expect(
      startServiceProcess('credit-profile', {
        KAFKA_BROKERS: infra.kafkaBrokers.join(','),
        MONGO_URL: infra.mongoUrl,
        TOPIC_NAMESPACE: ns,
        ECRS_ENV: 'production',
        ECRS_JWT_SECRET: 'ecrs-local-dev-secret',
      }),
    ).rejects.toThrow(/credit-profile exited \(1\)[\s\S]*secret/i)
  })
})
