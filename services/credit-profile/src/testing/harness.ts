import { toCloudEventRecord, type Envelope, type Topics } from '@ecrs/contracts'
import { readConfig } from '@ecrs/http'
import { serviceEnv } from '@ecrs/testkit'
import { configSchema, type Config } from '../config.js'

/**
 * The configuration of a credit-profile started in-process by a test: a free port, its own topics
 * (`ns`) and database, the rules timer off; `env` adds or overrides settings.
 */
export const testConfig = (
  infra: { kafkaBrokers: readonly string[]; mongoUrl: string },
  ns: string,
  env: Record<string, string> = {},
): Readonly<Config> =>
  readConfig(configSchema, serviceEnv(infra, ns, { TOPIC_PARTITIONS: '2', RULES_INTERVAL_MS: '0', ...env }))

/**
 * Builds enterprise-topic records as ingest writes them, from `samr.ln`, ids `<prefix>-1`, `-2`…;
 * `recordedAt` gives the n-th record's recording time (now by default).
 */
export const enterpriseRecords = (
  topics: Topics,
  prefix: string,
  recordedAt: (n: number) => Date = () => new Date(),
) => {
  let seq = 0
  return (subject: string, type: string, time: string, data: Record<string, unknown>) => {
    const n = ++seq
    const e: Envelope = {
      specversion: '1.0',
      id: `${prefix}-${n}`,
      source: 'samr.ln',
      type,
      subject,
      time,
      dataversion: 1,
      data,
    }
    return toCloudEventRecord(e, { topic: topics.enterprise, key: subject, recordedAt: recordedAt(n) })
  }
}
