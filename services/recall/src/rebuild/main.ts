/**
 * `npm run rebuild -- recall`: replays its topic into a fresh collection and switches the running
 * service over when caught up, printing progress. Same environment as the service (KAFKA_BROKERS,
 * MONGO_URL, MONGO_DB, TOPIC_NAMESPACE).
 */
import { runRebuild } from '@ecrs/runtime'
import { configSchema } from '../config.js'
import { rebuild } from './rebuild.js'

runRebuild('recall', configSchema, rebuild)
