import {
  MongoClient,
  type AnyBulkWriteOperation,
  type Collection,
  type Db,
  type Document,
  type Filter,
  type FindOptions,
  type OptionalUnlessRequiredId,
} from 'mongodb'

/**
 * A connection to the store: real MongoDB in production, the FerretDB stand-in locally. The code
 * uses only what both support (architecture.md "The store and its stand-in").
 */
export interface Store {
  readonly client: MongoClient
  readonly db: Db
  /** `ferretdb` for the local stand-in (FerretDB v1, SQLite), `mongodb` otherwise. */
  readonly flavor: 'mongodb' | 'ferretdb'
  /** True when the server answers a ping within `timeoutMs`. */
  ping(timeoutMs?: number): Promise<boolean>
  /**
   * Runs a write with this process's other writes kept out, retrying lock conflicts. SQLite (the
   * local stand-in) takes one writer at a time and answers SQLITE_BUSY to a second one instead of
   * waiting; queueing our own writes avoids that, and on MongoDB it costs little: these writes are
   * batched (one bulk write per batch of events).
   */
  write<T>(fn: () => Promise<T>): Promise<T>
  close(): Promise<void>
}

export interface StoreOptions {
  url: string
  dbName: string
  /** How long an operation waits for a server before failing (a consumer then retries). */
  serverSelectionTimeoutMs?: number
  maxPoolSize?: number
}

/** Connects (the driver reconnects by itself after an outage). */
export const connectStore = async (opts: StoreOptions): Promise<Store> => {
  const client = new MongoClient(opts.url, {
    serverSelectionTimeoutMS: opts.serverSelectionTimeoutMs ?? 5000,
    maxPoolSize: opts.maxPoolSize ?? 20,
    appName: opts.dbName,
  })
  await client.connect()
  const db = client.db(opts.dbName)
  const info = await db.admin().command({ buildInfo: 1 })
  const flavor = 'ferretdbVersion' in info || 'ferretdbFeatures' in info ? 'ferretdb' : 'mongodb'
  const ping = async (timeoutMs = 2000): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined
    try {
      const timeout = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs)
      })
      return await Promise.race([db.command({ ping: 1 }).then((r) => r['ok'] === 1), timeout])
    } catch {
      return false
    } finally {
      clearTimeout(timer)
    }
  }
  let queue: Promise<unknown> = Promise.resolve()
  const write = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(() => retryBusy(fn))
    queue = run.catch(() => undefined)
    return run
  }
  return { client, db, flavor, ping, write, close: () => client.close() }
}

/** A lock conflict of the SQLite backend ("database is locked"): worth retrying at once. */
export const isBusy = (err: unknown): boolean => {
  const message = (err as { message?: unknown } | null)?.message
  return (
    typeof message === 'string' && (message.includes('SQLITE_BUSY') || message.includes('database is locked'))
  )
}

/** Retries `fn` on lock conflicts (another process writing the same SQLite file), with a short backoff. */
export const retryBusy = async <T>(fn: () => Promise<T>, attempts = 10): Promise<T> => {
  for (let i = 1; ; i++) {
    try {
      return await fn()
    } catch (err) {
      if (!isBusy(err) || i >= attempts) throw err
      await new Promise((r) => setTimeout(r, Math.min(200, 5 * 2 ** i)))
    }
  }
}

/** True for a duplicate-key error (a unique index refused an insert: the thing already exists). */
export const isDuplicateKey = (err: unknown): boolean => (err as { code?: unknown } | null)?.code === 11000

/**
 * Applies update/replace operations: one bulkWrite on MongoDB; one by one on the FerretDB stand-in,
 * whose `update` command with many statements is slow (~12 ms each) and, from about 100 statements,
 * never answers (seen with v1.24.2 + SQLite), while single updates by `_id` take ~4 ms.
 */
export const bulkUpdate = async <T extends Document>(
  store: Pick<Store, 'flavor'>,
  collection: Collection<T>,
  ops: readonly AnyBulkWriteOperation<T>[],
): Promise<void> => {
  if (ops.length === 0) return
  if (store.flavor === 'mongodb') {
    await collection.bulkWrite([...ops], { ordered: true })
    return
  }
  for (const op of ops) await collection.bulkWrite([op], { ordered: true })
}

/** Inserts `docs` unordered; returns the indexes of those refused because their `_id` existed. */
const insertUnordered = async <T extends { _id: string }>(
  collection: Collection<T>,
  docs: readonly T[],
): Promise<Set<number>> => {
  const existing = new Set<number>()
  try {
    await collection.insertMany(docs as OptionalUnlessRequiredId<T>[], { ordered: false })
  } catch (err) {
    const raw = (err as { writeErrors?: unknown }).writeErrors
    if (raw === undefined) throw err
    const writeErrors = (Array.isArray(raw) ? raw : [raw]) as { index?: number; code?: number }[]
    for (const we of writeErrors) {
      if (we.code !== 11000 || we.index === undefined) throw err
      existing.add(we.index)
    }
  }
  return existing
}

/**
 * Group commit of inserts: the documents asked for while this process's previous write is in
 * flight go out together as one unordered insertMany (`store.write` lets one write through at a
 * time, so they would queue anyway). Each caller still waits until its own documents are written
 * and gets back the `_id`s of those that existed already (a duplicate is no error); any other
 * failure rejects every caller of that batch. Concurrent callers cost one round trip, not one each.
 * A group holds at most `maxDocs`: callers that bring big batches of their own gain nothing from
 * waiting for each other, and apart they overlap (one inserts while another produces).
 */
export const groupInsert = <T extends { _id: string }>(
  store: Pick<Store, 'write'>,
  collection: Collection<T>,
  maxDocs = 500,
): ((docs: readonly T[]) => Promise<Set<string>>) => {
  let open: { docs: T[]; written: Promise<Set<number>> } | undefined
  return async (docs) => {
    if (docs.length === 0) return new Set()
    if (!open || open.docs.length + docs.length > maxDocs) {
      const batch: { docs: T[]; written: Promise<Set<number>> } = {
        docs: [],
        written: Promise.resolve(new Set()),
      }
      batch.written = store.write(() => {
        if (open === batch) open = undefined // from here on, callers start the next batch
        return insertUnordered(collection, batch.docs)
      })
      open = batch
    }
    const batch = open
    const from = batch.docs.length
    batch.docs.push(...docs)
    const existing = await batch.written
    return new Set(docs.filter((_, i) => existing.has(from + i)).map((d) => d._id))
  }
}
/** How many `_id` lookups `findByIds` has in flight at once on the stand-in. */
const LOOKUP_CONCURRENCY = 16

/**
 * The documents of `ids` that exist, by `_id`: one `$in` query on MongoDB; on the FerretDB
 * stand-in, which answers `_id` equality from its index but scans the collection for `$in`, one
 * `findOne` per id, LOOKUP_CONCURRENCY at a time.
 */
export const findByIds = async <T extends { _id: string }>(
  store: Pick<Store, 'flavor'>,
  collection: Collection<T>,
  ids: readonly string[],
  options: FindOptions = {},
): Promise<Map<string, T>> => {
  const found = new Map<string, T>()
  if (ids.length === 0) return found
  if (store.flavor === 'mongodb') {
    const docs = await collection.find({ _id: { $in: [...ids] } } as Filter<T>, options).toArray()
    for (const d of docs) found.set(d._id, d as T)
    return found
  }
  for (let i = 0; i < ids.length; i += LOOKUP_CONCURRENCY) {
    const docs = await Promise.all(
      ids.slice(i, i + LOOKUP_CONCURRENCY).map((_id) => collection.findOne({ _id } as Filter<T>, options)),
    )
    for (const d of docs) if (d !== null) found.set(d._id, d as T)
  }
  return found
}

export {
  freshProjection,
  projectionPointer,
  watchPointer,
  type ActiveProjection,
  type PointerWatch,
  type ProjectionPointer,
} from './pointer.js'
