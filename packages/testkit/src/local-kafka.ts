import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Kafka, logLevel } from 'kafkajs'
import { cacheDir, repoRoot } from './paths.js'
import { freePort } from './ports.js'
import { run, signalGroup, startManaged, tailFile, type Managed } from './process.js'
import type { Progress } from './progress.js'
import { versions } from './versions.js'
import { WaitAborted, waitFor } from './wait.js'

/** True when the broker describes its cluster (it has a controller and takes requests). */
const brokerAnswers = async (kafka: Kafka): Promise<boolean> => {
  const admin = kafka.admin({ retry: { retries: 0 } })
  try {
    await admin.connect()
    await admin.describeCluster()
    return true
  } catch {
    return false
  } finally {
    await admin.disconnect().catch(() => undefined)
  }
}

const kafkaHome = (version: string): string => join(cacheDir, `kafka-${version}`)

/**
 * Fetches the broker's jars from Maven Central once (infra/kafka/pom.xml); later runs find them in
 * the cache. A `.complete` marker makes an interrupted download start over instead of half-working.
 */
export const ensureKafkaJars = async (progress: Progress, version = versions.kafka): Promise<string> => {
  const home = kafkaHome(version)
  const libs = join(home, 'libs')
  if (existsSync(join(home, '.complete'))) return libs
  mkdirSync(home, { recursive: true })
  progress(`downloading Kafka ${version} jars from Maven Central into ${libs} (first run only, about 45 MB)…`)
  const started = Date.now()
  await run(
    'mvn',
    [
      '-B',
      '-q',
      '-f',
      join(repoRoot, 'infra', 'kafka', 'pom.xml'),
      `-Dkafka.version=${version}`,
      `org.apache.maven.plugins:maven-dependency-plugin:${versions.mavenDependencyPlugin}:copy-dependencies`,
      '-DincludeScope=runtime',
      `-DoutputDirectory=${libs}`,
    ],
    { logFile: join(home, 'fetch.log') },
  )
  const jars = readdirSync(libs)
  if (!jars.some((j) => j.startsWith('kafka_2.13-')) || !jars.some((j) => j.startsWith('log4j-slf4j-impl'))) {
    throw new Error(`Kafka jars incomplete in ${libs}: ${jars.join(', ')}`)
  }
  writeFileSync(join(home, '.complete'), `${new Date().toISOString()}\n`)
  progress(`Kafka jars ready (${jars.length} jars, ${((Date.now() - started) / 1000).toFixed(1)} s)`)
  return libs
}

export interface LocalKafkaOptions {
  /** Broker port; a free one when absent. */
  port?: number
  /** Controller port; a free one when absent. Keep it fixed for a data directory that is reused. */
  controllerPort?: number
  /** Where the log directories and the broker's log file live. Formatted on first start only. */
  dataDir: string
  progress: Progress
  /** Extra broker properties (e.g. for tests). */
  properties?: Readonly<Record<string, string>>
}

/**
 * A single-node KRaft broker (broker + controller in one JVM) on loopback. Restartable on the same
 * ports and data, which fault tests rely on.
 */
export class LocalKafka {
  private proc: Managed | undefined
  private port = 0
  private controllerPort = 0
  private libs = ''

  constructor(private readonly opts: LocalKafkaOptions) {}

  get brokers(): string[] {
    return [`127.0.0.1:${this.port}`]
  }

  get logFile(): string {
    return join(this.opts.dataDir, 'kafka.log')
  }

  private javaArgs(main: string, rest: readonly string[]): string[] {
    return [
      '-Xms128m',
      '-Xmx512m',
      '-XX:+UseG1GC',
      '-XX:TieredStopAtLevel=1',
      '-Djava.awt.headless=true',
      `-Dlog4j2.configurationFile=${join(repoRoot, 'infra', 'kafka', 'log4j2.properties')}`,
      '-cp',
      `${this.libs}/*`,
      main,
      ...rest,
    ]
  }

  private writeProperties(): string {
    const logDirs = join(this.opts.dataDir, 'logs')
    const props: Record<string, string> = {
      'process.roles': 'broker,controller',
      'node.id': '1',
      'controller.quorum.bootstrap.servers': `127.0.0.1:${this.controllerPort}`,
      listeners: `PLAINTEXT://127.0.0.1:${this.port},CONTROLLER://127.0.0.1:${this.controllerPort}`,
      'advertised.listeners': `PLAINTEXT://127.0.0.1:${this.port},CONTROLLER://127.0.0.1:${this.controllerPort}`,
      'controller.listener.names': 'CONTROLLER',
      'inter.broker.listener.name': 'PLAINTEXT',
      'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      'log.dirs': logDirs,
      'num.partitions': '1',
      'default.replication.factor': '1',
      'min.insync.replicas': '1',
      'offsets.topic.replication.factor': '1',
      'offsets.topic.num.partitions': '1',
      'transaction.state.log.replication.factor': '1',
      'transaction.state.log.min.isr': '1',
      'transaction.state.log.num.partitions': '1',
      'share.coordinator.state.topic.replication.factor': '1',
      'share.coordinator.state.topic.min.isr': '1',
      'group.initial.rebalance.delay.ms': '0',
      'auto.create.topics.enable': 'false',
      'num.network.threads': '2',
      'num.io.threads': '2',
      // Back-dated and migrated events keep their record timestamps far in the past; accept them.
      'log.message.timestamp.before.max.ms': '9223372036854775807',
      ...this.opts.properties,
    }
    const file = join(this.opts.dataDir, 'server.properties')
    writeFileSync(
      file,
      Object.entries(props)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n') + '\n',
    )
    return file
  }

  /** Fetches the jars if needed, formats the storage on first use, starts the broker, waits until it answers. */
  async start(): Promise<void> {
    if (this.proc) return
    mkdirSync(this.opts.dataDir, { recursive: true })
    this.libs = await ensureKafkaJars(this.opts.progress)
    if (this.port === 0) this.port = this.opts.port ?? (await freePort())
    if (this.controllerPort === 0) this.controllerPort = this.opts.controllerPort ?? (await freePort())
    const file = this.writeProperties()
    if (!existsSync(join(this.opts.dataDir, 'logs', 'meta.properties'))) {
      await run(
        'java',
        this.javaArgs('kafka.tools.StorageTool', [
          'format',
          '--standalone',
          '-t',
          'ZWNycy1sb2NhbC1rYWZrYQ' /* base64url of 'ecrs-local-kafka' */,
          '-c',
          file,
        ]),
        { logFile: this.logFile },
      )
    }
    this.proc = startManaged('java', this.javaArgs('kafka.Kafka', [file]), {
      logFile: this.logFile,
      supervise: true,
    })
    const proc = this.proc
    // kafkajs itself, not @ecrs/kafka: that package's tests use this kit (no workspace cycle).
    const kafka = new Kafka({
      brokers: this.brokers,
      clientId: 'ecrs-testkit-probe',
      connectionTimeout: 2000,
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING,
    })
    try {
      await waitFor(
        async () => {
          if (proc.child.exitCode !== null) throw new WaitAborted(`broker exited (${proc.child.exitCode})`)
          return brokerAnswers(kafka)
        },
        { what: `Kafka on 127.0.0.1:${this.port}`, timeoutMs: 90_000, intervalMs: 250 },
      )
    } catch (err) {
      await this.stop()
      throw new Error(
        `Kafka did not start: ${(err as Error).message}\n--- ${this.logFile} ---\n${tailFile(this.logFile)}`,
      )
    }
  }

  /** Clean shutdown (SIGTERM); the data stays for the next start. */
  async stop(): Promise<void> {
    const p = this.proc
    this.proc = undefined
    await p?.stop(20_000)
  }

  /** Hard stop (SIGKILL), as a crash would. */
  async kill(): Promise<void> {
    const p = this.proc
    this.proc = undefined
    if (p) signalGroup(p.child, 'SIGKILL')
    await p?.exited
  }
}
