import { MongoClient, type Db } from 'mongodb'

/**
 * A connection to the store: real MongoDB in production, the FerretDB stand-in locally. The code
 * uses only what both support (architecture.md "The store and its stand-in").
 */
export interface Store {
  readonly client: MongoClient
  readonly db: Db
  /** True when the server answers a ping within `timeoutMs`. */
  ping(timeoutMs?: number): Promise<boolean>
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
  return { client, db, ping, close: () => client.close() }
}

/** True for a duplicate-key error (a unique index refused an insert: the thing already exists). */
export const isDuplicateKey = (err: unknown): boolean => (err as { code?: unknown } | null)?.code === 11000
