import type { Progress } from './progress.js'
import { versions } from './versions.js'

/** Running containers of the Docker path. */
export interface DockerInfra {
  kafkaBrokers: string[]
  mongoUrl: string
  stop(): Promise<void>
}

/** True when a container runtime answers within `timeoutMs` (a configured but dead host must not hang us). */
export const dockerAvailable = async (timeoutMs = 5000): Promise<boolean> => {
  const { getContainerRuntimeClient } = await import('testcontainers')
  let timer: NodeJS.Timeout | undefined
  try {
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs)
    })
    return await Promise.race([getContainerRuntimeClient().then(() => true), timeout])
  } catch {
    return false
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Kafka (Confluent image, KRaft for 8.x tags) and MongoDB 7 as a one-node replica set, through
 * testcontainers. Only used when a Docker engine answers and no URLs are given.
 */
export const startContainers = async (
  need: { kafka: boolean; mongo: boolean },
  progress: Progress,
): Promise<Partial<DockerInfra> & { stop(): Promise<void> }> => {
  const stops: (() => Promise<unknown>)[] = []
  const out: Partial<DockerInfra> = {}
  if (need.kafka) {
    progress(`starting ${versions.kafkaImage} with testcontainers…`)
    const { KafkaContainer } = await import('@testcontainers/kafka')
    const c = await new KafkaContainer(versions.kafkaImage).start()
    stops.push(() => c.stop())
    out.kafkaBrokers = [`${c.getHost()}:${c.getMappedPort(9093)}`]
  }
  if (need.mongo) {
    progress(`starting ${versions.mongoImage} (replica set) with testcontainers…`)
    const { MongoDBContainer } = await import('@testcontainers/mongodb')
    const c = await new MongoDBContainer(versions.mongoImage).start()
    stops.push(() => c.stop())
    out.mongoUrl = `${c.getConnectionString()}/?directConnection=true`
  }
  return {
    ...out,
    stop: async () => {
      await Promise.all(stops.map((s) => s()))
    },
  }
}
