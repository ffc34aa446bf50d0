import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { RunningService } from '@ecrs/runtime'
import type { Logger } from 'pino'
import { buildApp } from './app.js'
import type { Config } from './config.js'
import { upstreams } from './proxy/upstreams.js'

/** The running console; `app` for in-process tests. */
export interface ConsoleService extends RunningService {
  readonly app: Awaited<ReturnType<typeof buildApp>>
}

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..')

/** Starts the console's server (contract §11) and listens. */
export const start = async (config: Readonly<Config>, logger: Logger): Promise<ConsoleService> => {
  const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
    version: string
  }
  const app = await buildApp({
    config,
    logger,
    upstreams: upstreams(config),
    webDir: config.CONSOLE_WEB_DIR ?? join(packageDir, 'web', 'dist'),
    version,
  })
  const url = await app.listen({ host: config.HOST, port: config.PORT })
  return { url, app, close: () => app.close() }
}
