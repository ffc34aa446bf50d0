import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LOCAL_DEV_SECRET, signToken, type Role } from '@ecrs/http'
import { randomUscc, repoRoot } from '@ecrs/testkit'
import { testInfra, uniqueName } from '@ecrs/testkit/vitest'
import { ensureSchemathesis, runSchemathesis, summaryOf } from '../../infra/bin/schemathesis.mjs'
import { serviceNames, startServiceProcess, type ServiceName, type ServiceProcess } from './stack.js'

// The short fuzz run of `npm test`: Schemathesis against each service's own /openapi.json, as every
// caller of contract §2 and as nobody, with every check but positive_data_acceptance (see
// infra/bin/schemathesis.mjs). A small fixed budget and seed keep it short and repeatable;
// `npm run fuzz` is the long, random one.

const infra = testInfra()
const ns = uniqueName('fuzz').replace(/[^a-z0-9.-]/g, '')
const running = new Map<ServiceName, ServiceProcess>()
let schemathesis = ''

type Caller = Role | 'anonymous'
const callers: readonly Caller[] = ['anonymous', 'agency', 'regulator', 'firm', 'admin']
const tokens = new Map<Caller, string>()

const tokenFor = (role: Role): Promise<string> =>
  signToken(
    {
      sub: `fuzz-${role}`,
      role,
      ...(role === 'agency' ? { agency: 'samr.fuzz' } : {}),
      ...(role === 'firm' ? { uscc: randomUscc() } : {}),
    },
    LOCAL_DEV_SECRET,
    3600,
  )

beforeAll(async () => {
  const env = {
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    MONGO_URL: infra.mongoUrl,
    TOPIC_NAMESPACE: ns,
    TOPIC_PARTITIONS: '1',
    LOG_LEVEL: 'warn',
    // This file checks answers against the documents, not capacity (hostile.test.ts does): with
    // five fuzzers per service beside the rest of the suite on two cores, a broker acknowledgement
    // can take over the default 5 s, and the documented 503 it gives then counts as a server error.
    PRODUCE_TIMEOUT_MS: '20000',
  }
  const [exe] = await Promise.all([
    ensureSchemathesis(),
    ...serviceNames.map(async (name) =>
      running.set(
        name,
        await startServiceProcess(name, { ...env, MONGO_DB: `${ns}_${name}`.replace(/[^A-Za-z0-9_]/g, '_') }),
      ),
    ),
    ...(['agency', 'regulator', 'firm', 'admin'] as const).map(async (r) => tokens.set(r, await tokenFor(r))),
  ])
  schemathesis = exe
})

afterAll(async () => {
  await Promise.all([...running.values()].map((s) => s.stop()))
})

describe.each(serviceNames.map((n) => [n]))('%s under Schemathesis', (name) => {
  // The callers of one service run side by side: each is its own Schemathesis process.
  it.concurrent.for(callers)(
    'answers %s within its OpenAPI document: no 5xx, documented statuses and bodies',
    async (caller, { expect }) => {
      const svc = running.get(name)!
      const result = await runSchemathesis({
        executable: schemathesis,
        baseUrl: svc.url,
        token: tokens.get(caller),
        maxExamples: 3,
        phases: 'coverage,fuzzing',
        seed: 20261128,
        timeoutMs: 80_000,
        // An SSE stream never ends: every case would wait for the request timeout. Its rights and
        // refusals are in security.test.ts and services/notify/src/feed/stream.int.test.ts.
        excludePaths: name === 'notify' ? ['/v1/changes/stream'] : [],
      })
      // The service's own warnings and errors beside Schemathesis's failures: why a 5xx was a 5xx.
      const logged = svc
        .output()
        .split('\n')
        .filter((l) => /"level":(40|50|60)/.test(l))
        .slice(-20)
        .join('\n')
      expect(
        result.exitCode,
        `${name} as ${caller}:\n${summaryOf(result.output)}\n--- ${name} log ---\n${logged}`,
      ).toBe(0)
      // It did test the operations (a run that tested nothing also exits 0).
      expect(result.output).toMatch(/Tested: [1-9]\d*/)
      expect(svc.child.exitCode).toBeNull()
    },
  )

  it('is still alive and ready after the fuzzing', async () => {
    const svc = running.get(name)!
    expect((await fetch(`${svc.url}/readyz`)).status).toBe(200)
    expect(svc.output()).not.toMatch(/"level":(50|60)[^\n]*"msg":"request failed"/)
  })
})

describe('installing Schemathesis', () => {
  it('fails with a clear message when pip cannot reach an index', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'ecrs-fuzz-cache-'))
    try {
      const child = spawn(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `import('${join(repoRoot, 'infra', 'bin', 'schemathesis.mjs')}').then((m) => m.ensureSchemathesis()).catch((e) => { console.error(e.message); process.exit(3) })`,
        ],
        {
          env: {
            ...process.env,
            ECRS_CACHE_DIR: cache,
            PIP_INDEX_URL: 'http://127.0.0.1:9/simple',
            PIP_RETRIES: '0',
            PIP_TIMEOUT: '1',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      )
      let err = ''
      child.stderr.on('data', (d: Buffer) => (err += d.toString()))
      const code = await new Promise<number | null>((r) => child.once('exit', r))
      expect(code).toBe(3)
      expect(err).toContain('ecrs: installing Schemathesis')
      expect(err).toMatch(/pip could not install Schemathesis [\d.]+ \(exit \d+\); pip must reach PyPI/)
    } finally {
      rmSync(cache, { recursive: true, force: true })
    }
  })
})
