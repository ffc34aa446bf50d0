#!/usr/bin/env node
// `npm start`: one Node process from the first step to the last, so that Ctrl-C / SIGTERM sent
// to npm reaches the stack itself. Bootstrap (pnpm, install, build) runs as a child first.
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const boot = spawnSync(process.execPath, [join(here, 'bootstrap.mjs')], { stdio: 'inherit' })
if (boot.status !== 0) process.exit(boot.status ?? 1)
await import(pathToFileURL(join(here, '..', '..', 'packages', 'testkit', 'dist', 'cli', 'start.js')).href)
