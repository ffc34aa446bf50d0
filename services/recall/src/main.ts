import { runService } from '@ecrs/http'
import { configSchema } from './config.js'
import { start } from './service.js'

await runService('recall', configSchema, start)
