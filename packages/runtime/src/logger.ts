import { pino, type Logger } from 'pino'
import pretty from 'pino-pretty'

/** Paths of the root logger that never reach the output (the HTTP logger adds its own). */
const REDACT = ['*.authorization', '*.ECRS_JWT_SECRET', 'config.ECRS_JWT_SECRET', '*.secret', '*.secrets']

/**
 * The root logger of a process: JSON lines for machines, or — `LOG_FORMAT=pretty`, or unset with a
 * terminal on stdout — one coloured line per entry for a person (`npm start` sets it for its
 * children when it runs in a terminal). Pretty-printing runs in this thread, synchronously, so a
 * crash never loses the last lines.
 */
export const rootLogger = (
  name: string,
  opts: { readonly LOG_LEVEL?: string; readonly LOG_FORMAT?: 'json' | 'pretty' },
): Logger => {
  const options = { name, level: opts.LOG_LEVEL ?? 'info', redact: REDACT }
  const format = opts.LOG_FORMAT ?? (process.stdout.isTTY ? 'pretty' : 'json')
  if (format === 'json') return pino(options)
  return pino(
    options,
    pretty({
      colorize: process.env['NO_COLOR'] === undefined,
      sync: true,
      translateTime: 'SYS:HH:MM:ss',
      ignore: 'pid,hostname,name',
      // The request and response objects are noise on one line; the message says what happened.
      hideObject: false,
      singleLine: true,
    }),
  )
}
