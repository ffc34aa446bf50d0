import type { TestProject } from 'vitest/node'
import { stderrProgress } from './progress.js'
import { provision } from './provision.js'
import type { TestInfra } from './vitest.js'

/**
 * Vitest global setup of the integration project: one broker and one store for the whole run
 * (env → Docker → local processes), handed to the test files with `inject('infra')`.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now()
  const infra = await provision({ env: process.env, progress: stderrProgress })
  stderrProgress(
    `test stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s: Kafka ${infra.kafkaBrokers.join(',')} ` +
      `(${infra.kafkaFrom}), store ${infra.mongoUrl} (${infra.mongoFlavor}, ${infra.mongoFrom})`,
  )
  const provided: TestInfra = {
    kafkaBrokers: infra.kafkaBrokers,
    mongoUrl: infra.mongoUrl,
    mongoFlavor: infra.mongoFlavor,
  }
  project.provide('infra', provided)
  return async () => {
    await infra.stop()
  }
}
