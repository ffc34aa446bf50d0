#!/usr/bin/env node
// The browser of the console's tests: Debian's `chromium` (Playwright's own download is not used).
// `ensureChromium()` returns its path, installing the apt package first when it is missing and we
// are root; otherwise it throws saying how to install it. As a script: prints the path.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { pathToFileURL } from 'node:url'

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser']

const found = () =>
  [process.env.CHROMIUM_PATH, ...CANDIDATES].find((p) => p !== undefined && p !== '' && existsSync(p))

/** The path of a Chromium binary, installed with apt-get when missing and possible. */
export const ensureChromium = () => {
  const present = found()
  if (present !== undefined) return present
  const howTo = 'install it with `sudo apt-get install -y chromium` (Debian/Ubuntu) or set CHROMIUM_PATH'
  if (process.getuid?.() !== 0)
    throw new Error(`chromium not found for the console's browser tests: ${howTo}`)
  process.stderr.write('ecrs: chromium not found; installing it (apt-get install -y chromium)…\n')
  const r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  })
  const installed = found()
  if (r.status !== 0 || installed === undefined) {
    throw new Error(
      `could not install chromium (apt-get exit ${r.status}); run \`apt-get update\` first, or ${howTo}`,
    )
  }
  return installed
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href)
  process.stdout.write(`${ensureChromium()}\n`)
