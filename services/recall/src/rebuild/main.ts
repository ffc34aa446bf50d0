/**
 * `npm run rebuild -- recall`: replays the recall topic into a fresh collection and switches the
 * running service over when caught up, printing progress. Same environment as the service
 * (KAFKA_BROKERS, MONGO_URL, MONGO_DB, TOPIC_NAMESPACE).
 */
import { readConfig } from '@ecrs/http'
import { pino } from 'pino'
import { configSchema } from '../config.js'
import { rebuild } from './rebuild.js'

const config = readConfig(configSchema, process.env)
const logger = pino({
  name: 'recall-rebuild',
  level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL,
})
rebuild(config, logger, (line) => process.stderr.write(`rebuild: ${line}\n`))
  .then((r) => {
    process.stdout.write(`${JSON.stringify(r)}\n`)
    process.exit(0)
  })
  .catch((err: unknown) => {
    process.stderr.write(`rebuild failed: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exit(1)
  })
