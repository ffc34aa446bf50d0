import { runService } from '@ecrs/runtime'
import { configSchema } from './config.js'
import { start } from './service.js'

await runService('console', configSchema, start)
