import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MongoClient } from 'mongodb'
import { dockerAvailable, startContainers } from './docker.js'
import { LocalKafka } from './local-kafka.js'
import { LocalStore } from './local-store.js'
import { isPortFree } from './ports.js'
import type { Progress } from './progress.js'

/** Which server answers on the MongoDB wire: real MongoDB, or the FerretDB stand-in. */
export type MongoFlavor = 'mongodb' | 'ferretdb'

/** Where the broker and store are, and how they were provided. */
export interface Infra {
  kafkaBrokers: string[]
  mongoUrl: string
  mongoFlavor: MongoFlavor
  /** env: given by KAFKA_BROKERS / MONGO_URL; docker: testcontainers; local: child processes. */
  kafkaFrom: 'env' | 'docker' | 'local'
  mongoFrom: 'env' | 'docker' | 'local'
  /** The broker's and store's log files when they are local processes. */
  logs: string[]
  stop(): Promise<void>
}

export interface ProvisionOptions {
  env: NodeJS.ProcessEnv
  progress: Progress
  /** Fixed ports for the local processes (npm start uses 9092 / 27017); free ones when absent. */
  ports?: { kafka?: number; kafkaController?: number; mongo?: number }
  /** Data directory of local processes; a fresh temporary one (removed on stop) when absent. */
  dataDir?: string
  /** `ECRS_PROVISION=local` skips the Docker probe. */
  allowDocker?: boolean
}

/** Asks the server who it is: FerretDB's `buildInfo` carries `ferretdbVersion` / `ferretdbFeatures`. */
export const detectMongoFlavor = async (url: string): Promise<MongoFlavor> => {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 5000 })
  try {
    const info = await client.db('admin').command({ buildInfo: 1 })
    return 'ferretdbVersion' in info || 'ferretdbFeatures' in info ? 'ferretdb' : 'mongodb'
  } finally {
    await client.close()
  }
}

/**
 * Provides Kafka and the store in the order of architecture.md: the environment first
 * (`KAFKA_BROKERS`, `MONGO_URL`), then Docker through testcontainers, else local processes built
 * or fetched once into the cache. Each of the two is decided on its own.
 */
export const provision = async (opts: ProvisionOptions): Promise<Infra> => {
  const envBrokers = opts.env['KAFKA_BROKERS']
    ?.split(',')
    .map((b) => b.trim())
    .filter(Boolean)
  const envMongo = opts.env['MONGO_URL']?.trim() || undefined
  const stops: (() => Promise<void>)[] = []
  const logs: string[] = []
  const stopAll = async (): Promise<void> => {
    for (const s of stops.reverse()) await s().catch(() => undefined)
  }

  let kafkaBrokers = envBrokers && envBrokers.length > 0 ? envBrokers : undefined
  let mongoUrl = envMongo
  let kafkaFrom: Infra['kafkaFrom'] = kafkaBrokers ? 'env' : 'local'
  let mongoFrom: Infra['mongoFrom'] = mongoUrl ? 'env' : 'local'

  try {
    const wantDocker =
      (opts.allowDocker ?? opts.env['ECRS_PROVISION'] !== 'local') && (!kafkaBrokers || !mongoUrl)
    if (wantDocker && opts.env['ECRS_PROVISION'] !== 'local' && (await dockerAvailable())) {
      const c = await startContainers({ kafka: !kafkaBrokers, mongo: !mongoUrl }, opts.progress)
      stops.push(() => c.stop())
      if (c.kafkaBrokers) [kafkaBrokers, kafkaFrom] = [c.kafkaBrokers, 'docker']
      if (c.mongoUrl) [mongoUrl, mongoFrom] = [c.mongoUrl, 'docker']
    }

    let dataDir = opts.dataDir
    if ((!kafkaBrokers || !mongoUrl) && !dataDir) {
      const tmp = mkdtempSync(join(tmpdir(), 'ecrs-stack-'))
      dataDir = tmp
      stops.push(() => Promise.resolve(rmSync(tmp, { recursive: true, force: true })))
    }
    if (!kafkaBrokers || !mongoUrl) {
      for (const [what, port] of [
        ['Kafka', !kafkaBrokers ? opts.ports?.kafka : undefined],
        ['the Kafka controller', !kafkaBrokers ? opts.ports?.kafkaController : undefined],
        ['the store', !mongoUrl ? opts.ports?.mongo : undefined],
      ] as const) {
        if (port !== undefined && !(await isPortFree(port))) {
          throw new Error(
            `port ${port} for ${what} is taken. Stop what holds it, or point ECRS at running servers with ` +
              `KAFKA_BROKERS / MONGO_URL.`,
          )
        }
      }
    }
    // The store first: it is quick, and the broker start is the long wait.
    if (!mongoUrl) {
      const store = new LocalStore({
        dataDir: join(dataDir!, 'store'),
        progress: opts.progress,
        ...(opts.ports?.mongo !== undefined ? { port: opts.ports.mongo } : {}),
      })
      await store.start()
      stops.push(() => store.stop())
      logs.push(store.logFile)
      mongoUrl = store.url
    }
    if (!kafkaBrokers) {
      const kafka = new LocalKafka({
        dataDir: join(dataDir!, 'kafka'),
        progress: opts.progress,
        ...(opts.ports?.kafka !== undefined ? { port: opts.ports.kafka } : {}),
        ...(opts.ports?.kafkaController !== undefined ? { controllerPort: opts.ports.kafkaController } : {}),
      })
      await kafka.start()
      stops.push(() => kafka.stop())
      logs.push(kafka.logFile)
      kafkaBrokers = kafka.brokers
    }
    const mongoFlavor = await detectMongoFlavor(mongoUrl)
    return { kafkaBrokers, mongoUrl, mongoFlavor, kafkaFrom, mongoFrom, logs, stop: stopAll }
  } catch (err) {
    await stopAll()
    throw err
  }
}
