import { parseArgs } from 'node:util'
import { topicNames } from '@ecrs/contracts'
import { createKafka, createProducer, scanTopic, type Kafka } from '@ecrs/kafka'
import { connectStore, type Store } from '@ecrs/store'
import type { Logger } from 'pino'
import { checkReplay } from './check.js'
import { deadLetterOf, formatLine, toJson, type DeadLetter } from './entries.js'
import { replayLog, type ReplayLog } from './replays.js'

/** What the CLI needs from the environment (ingest's config: the same defaults as the service). */
export interface DlqSettings {
  KAFKA_BROKERS: string
  MONGO_URL: string
  MONGO_DB: string
  TOPIC_NAMESPACE: string
}

export interface DlqIo {
  out: (line: string) => void
  err: (line: string) => void
  logger: Logger
  now?: () => Date
}

export const USAGE = `usage:
  npm run dlq -- list [--json] [--group G] [--code C] [--topic T] [--type EVENT_TYPE] [--pending]
  npm run dlq -- replay <id>... [--dry-run] [--json]
options:
  --namespace NS   topic namespace (default: TOPIC_NAMESPACE, else ecrs)
  --json           one JSON object per line
  --pending        only dead letters not replayed yet
environment: KAFKA_BROKERS, MONGO_URL, MONGO_DB (ingest's database), TOPIC_NAMESPACE`

const options = {
  json: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  pending: { type: 'boolean' },
  group: { type: 'string' },
  code: { type: 'string' },
  topic: { type: 'string' },
  type: { type: 'string' },
  namespace: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const

type Flags = ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>['values']

/**
 * `npm run dlq -- list | replay <id>…`: answers the exit code (0 done, 1 refused or failed, 2 usage).
 * Reads the dead-letter topic from the start each time: it is small, and every line stays true to
 * what the topic holds.
 */
export const runDlq = async (argv: readonly string[], settings: DlqSettings, io: DlqIo): Promise<number> => {
  let parsed
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true })
  } catch (err) {
    io.err(`dlq: ${(err as Error).message}\n${USAGE}`)
    return 2
  }
  const { values: flags, positionals } = parsed
  const [command, ...ids] = positionals
  if (flags.help) {
    io.out(USAGE)
    return 0
  }
  if (command !== 'list' && command !== 'replay') {
    io.err(USAGE)
    return 2
  }
  if (command === 'replay' && ids.length === 0) {
    io.err(`dlq: replay needs the id of a dead letter (see list)\n${USAGE}`)
    return 2
  }
  if (command === 'list' && ids.length > 0) {
    io.err(`dlq: list takes no ids\n${USAGE}`)
    return 2
  }
  const topics = topicNames(flags.namespace ?? settings.TOPIC_NAMESPACE)
  const kafka = createKafka({
    brokers: settings.KAFKA_BROKERS.split(','),
    clientId: 'ecrs-dlq',
    logger: io.logger,
  })
  const store = await connectStore({ url: settings.MONGO_URL, dbName: settings.MONGO_DB })
  try {
    const letters = (await scanTopic(kafka, topics.deadLetter)).map(deadLetterOf)
    const log = replayLog(store)
    const replayed = await log.replayed(topics.deadLetter)
    if (command === 'list') return list(letters, replayed, flags, io)
    return await replay(ids, letters, { kafka, store, log, topics, flags, io })
  } finally {
    await store.close()
  }
}

const list = (
  letters: readonly DeadLetter[],
  replayed: Map<string, Date>,
  flags: Flags,
  io: DlqIo,
): number => {
  const shown = letters.filter(
    (d) =>
      (flags.group === undefined || d.group === flags.group) &&
      (flags.code === undefined || d.code === flags.code) &&
      (flags.topic === undefined || d.source.topic === flags.topic) &&
      (flags.type === undefined || d.event?.type === flags.type) &&
      (!flags.pending || !replayed.has(d.id)),
  )
  for (const d of shown)
    io.out(flags.json ? JSON.stringify(toJson(d, replayed.get(d.id))) : formatLine(d, replayed.get(d.id)))
  if (!flags.json) io.err(`dlq: ${shown.length} of ${letters.length} dead letters shown`)
  return 0
}

const replay = async (
  ids: readonly string[],
  letters: readonly DeadLetter[],
  ctx: {
    kafka: Kafka
    store: Store
    log: ReplayLog
    topics: ReturnType<typeof topicNames>
    flags: Flags
    io: DlqIo
  },
): Promise<number> => {
  const { io, flags, topics } = ctx
  const byId = new Map(letters.map((d) => [d.id, d]))
  const report = (id: string, status: string, detail: Record<string, unknown>, text: string): void =>
    io.out(flags.json ? JSON.stringify({ id, status, ...detail }) : `${id}  ${status}  ${text}`)
  let failed = 0
  const producer = flags['dry-run'] ? undefined : await createProducer(ctx.kafka, { logger: io.logger })
  try {
    for (const id of ids) {
      const d = byId.get(id)
      if (!d) {
        io.err(`dlq: ${id}: no such dead letter in ${topics.deadLetter}`)
        failed++
        continue
      }
      const now = io.now?.() ?? new Date()
      const check = checkReplay(d, topics.deadLetter, topics, now)
      if (!check.ok) {
        io.err(`dlq: ${id}: refused: ${check.reason}`)
        if (flags.json) report(id, 'refused', { reason: check.reason }, check.reason)
        failed++
        continue
      }
      const { record, event } = check
      const target = `${record.topic} key=${record.key ?? '-'} event=${event.type} ${event.source}/${event.id}`
      const detail = {
        topic: record.topic,
        key: record.key,
        event: { type: event.type, source: event.source, id: event.id },
      }
      const earlier = (await ctx.log.replayed(topics.deadLetter)).get(id)
      if (flags['dry-run'] || !producer) {
        if (earlier)
          report(
            id,
            'already-replayed',
            { ...detail, replayedAt: earlier.toISOString() },
            `already replayed at ${earlier.toISOString()}: nothing would be published`,
          )
        else report(id, 'would-replay', { ...detail, headers: record.headers }, `would publish to ${target}`)
        continue
      }
      const claim = await ctx.log.claim(topics.deadLetter, id, { topic: record.topic, key: record.key }, now)
      if (claim.status === 'replayed') {
        report(
          id,
          'already-replayed',
          { ...detail, replayedAt: claim.at.toISOString() },
          `already replayed at ${claim.at.toISOString()}: nothing published`,
        )
        continue
      }
      if (claim.status === 'busy') {
        io.err(`dlq: ${id}: another replay of it is in progress; try again in a minute`)
        failed++
        continue
      }
      try {
        await producer.send([record])
      } catch (err) {
        await ctx.log.release(topics.deadLetter, id, claim.owner).catch(() => undefined)
        io.err(`dlq: ${id}: Kafka did not take the record: ${(err as Error).message}`)
        failed++
        continue
      }
      await ctx.log.markReplayed(topics.deadLetter, id, claim.owner, now)
      report(id, 'replayed', detail, `published to ${target}`)
    }
  } finally {
    await producer?.disconnect()
  }
  return failed > 0 ? 1 : 0
}
