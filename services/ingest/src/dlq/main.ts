/**
 * `npm run dlq -- list | replay <id>…`: the dead letters of a namespace, and their replay through
 * ingest's checks. Same environment as the ingest service (KAFKA_BROKERS, MONGO_URL, MONGO_DB,
 * TOPIC_NAMESPACE), same defaults.
 */
import { readConfig } from '@ecrs/http'
import { pino } from 'pino'
import { configSchema } from '../config.js'
import { runDlq } from './cli.js'

const config = readConfig(configSchema, process.env)
// Logs go to stderr: stdout is the listing.
const logger = pino(
  { name: 'dlq', level: config.LOG_LEVEL === 'info' ? 'error' : config.LOG_LEVEL },
  pino.destination(2),
)
runDlq(process.argv.slice(2), config, {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  logger,
})
  .then((code) => process.exit(code))
  .catch((err: unknown) => {
    process.stderr.write(`dlq failed: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exit(1)
  })
