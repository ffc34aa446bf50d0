#!/usr/bin/env node
// Refreshes the OpenAPI snapshots the console's typed client is generated from
// (services/console/openapi/<service>.json) from running services: CONSOLE_<SERVICE>_URL, or the
// addresses of contract §1. Run it after a contract change, then rebuild the web app: the types
// change with it, and a page that uses what is gone no longer compiles.
import { writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'openapi')
const services = { ingest: 8081, 'credit-profile': 8082, recall: 8083, notify: 8084, inspection: 8085 }

for (const [name, port] of Object.entries(services)) {
  const env = `CONSOLE_${name.toUpperCase().replace(/-/g, '_')}_URL`
  const base = process.env[env] ?? `http://127.0.0.1:${port}`
  const res = await fetch(`${base}/openapi.json`)
  if (!res.ok) throw new Error(`${name}: GET ${base}/openapi.json answered ${res.status}`)
  const doc = await res.json()
  await writeFile(join(dir, `${name}.json`), `${JSON.stringify(doc, null, 2)}\n`)
  process.stderr.write(`openapi/${name}.json ← ${base}\n`)
}
