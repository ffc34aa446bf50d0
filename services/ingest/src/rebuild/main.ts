/**
 * `npm run rebuild -- ingest-stats`: recomputes the timeliness statistics (§10) from the topics and
 * switches the running ingest over when caught up, printing progress. Same environment as ingest.
 */
import { runRebuild } from '@ecrs/runtime'
import { configSchema } from '../config.js'
import { rebuild } from './rebuild.js'

runRebuild('ingest-stats', configSchema, rebuild)
