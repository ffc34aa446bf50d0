import { topicConfig, topicNames } from '@ecrs/contracts'
import { createApp, verifierOptions, type App, type RunningService } from '@ecrs/http'
import { createKafka, ensureTopics, pingKafka } from '@ecrs/kafka'
import { connectStore } from '@ecrs/store'
import type { Logger } from 'pino'
import type { Config } from './config.js'

/** The running recall service; `app` is exposed for in-process tests. */
export interface RecallService extends RunningService {
  readonly app: App
}

/** Connects to Kafka and the store, declares the topics, and listens on HOST:PORT. */
export const start = async (config: Readonly<Config>, logger: Logger): Promise<RecallService> => {
  const store = await connectStore({ url: config.MONGO_URL, dbName: config.MONGO_DB })
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS.split(','), clientId: 'ecrs-recall', logger })
  const topics = topicNames(config.TOPIC_NAMESPACE)
  try {
    await ensureTopics(kafka, topicConfig(topics, config.TOPIC_PARTITIONS))
  } catch (err) {
    await store.close()
    throw err
  }
  const app = await createApp({
    name: 'recall',
    version: '0.1.0',
    logger,
    auth: verifierOptions(config),
    openapi: { title: 'ECRS recalls', description: 'Recall cases and the obligations of producers.' },
    ready: async () => {
      const [kafkaOk, storeOk] = await Promise.all([pingKafka(kafka), store.ping()])
      return { kafka: kafkaOk, store: storeOk }
    },
  })
  try {
    await app.listen({ host: config.HOST, port: config.PORT })
  } catch (err) {
    await store.close()
    throw err
  }
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : config.PORT
  return {
    app,
    url: `http://${config.HOST}:${port}`,
    close: async () => {
      await app.close()
      await store.close()
    },
  }
}
