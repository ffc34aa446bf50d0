#!/usr/bin/env node
// `npm run rebuild -- <service>`: replays a service's topic into fresh collections and switches
// the running service over when caught up. Runs the service's own rebuild entry.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const service = process.argv[2]
const entries = {
  'credit-profile': 'services/credit-profile/dist/rebuild/main.js',
  recall: 'services/recall/dist/rebuild/main.js',
  'ingest-stats': 'services/ingest/dist/rebuild/main.js',
}
if (!service || !(service in entries)) {
  process.stderr.write(`usage: npm run rebuild -- <${Object.keys(entries).join('|')}>\n`)
  process.exit(2)
}
const entry = join(root, entries[service])
if (!existsSync(entry)) {
  process.stderr.write(`rebuild of ${service} is not available (${entries[service]} missing)\n`)
  process.exit(2)
}
const r = spawnSync(process.execPath, [entry, ...process.argv.slice(3)], { stdio: 'inherit' })
process.exit(r.status ?? 1)
