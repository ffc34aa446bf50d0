import type { Static, TSchema } from '@sinclair/typebox'
import { readConfig } from '@ecrs/http'
import type { Logger } from 'pino'
import { rootLogger } from './logger.js'

/** What a service's `start(config, logger)` returns. */
export interface RunningService {
  /** Where it listens, e.g. http://127.0.0.1:8081. */
  readonly url: string
  /** Stops taking requests, finishes the work in hand, closes connections. */
  close(): Promise<void>
}

/**
 * The body of every `main.ts`, the one place that touches `process`: reads the configuration from
 * the environment, builds the root logger, starts the service, and stops it cleanly on SIGINT or
 * SIGTERM. A configuration error or a failed start exits 1 with the reason.
 */
export const runService = async <S extends TSchema>(
  name: string,
  schema: S,
  start: (config: Readonly<Static<S>>, logger: Logger) => Promise<RunningService>,
): Promise<void> => {
  let config: Readonly<Static<S>>
  try {
    config = readConfig(schema, process.env)
  } catch (err) {
    process.stderr.write(`${name}: invalid configuration: ${(err as Error).message}\n`)
    process.exit(1)
  }
  const logger = rootLogger(name, config)
  let running: RunningService | undefined
  let stopping = false
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'stopping')
    try {
      await running?.close()
      logger.info('stopped')
      logger.flush()
      process.exit(0)
    } catch (err) {
      logger.error({ err }, 'unclean stop')
      logger.flush()
      process.exit(1)
    }
  }
  process.on('SIGINT', () => void stop('SIGINT'))
  process.on('SIGTERM', () => void stop('SIGTERM'))
  // Started by a supervisor with an IPC channel (npm start, the tests): when it dies, so do we.
  if (process.send !== undefined) process.once('disconnect', () => void stop('parent-gone'))
  try {
    // Fastify has said where it listens ("Server listening at …").
    running = await start(config, logger)
  } catch (err) {
    logger.fatal({ err }, 'start failed')
    logger.flush()
    process.exit(1)
  }
}
