#!/usr/bin/env node
// The browser of the console's tests: Debian's `chromium` (Playwright's own download is not used),
// and a CJK font (`fonts-wqy-microhei`, 1.6 MB) so that pages in Chinese render as text, not boxes,
// in screenshots. `ensureChromium()` returns the browser's path, installing what is missing with
// apt when we are root; otherwise it throws (no browser) or warns (no font) saying how to install
// it. As a script: prints the path.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { pathToFileURL } from 'node:url'

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser']
const FONT = 'fonts-wqy-microhei'

const found = () =>
  [process.env.CHROMIUM_PATH, ...CANDIDATES].find((p) => p !== undefined && p !== '' && existsSync(p))

/** Whether fontconfig knows a font with Chinese glyphs (any: Noto CJK, WenQuanYi, …). */
const hasCjkFont = () => {
  const r = spawnSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8' })
  return r.status === 0 && r.stdout.trim() !== ''
}

const aptInstall = (packages) => {
  const apt = (...args) =>
    spawnSync('apt-get', args, {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    })
  const install = () => apt('install', '-y', '--no-install-recommends', ...packages)
  let r = install()
  if (r.status !== 0) {
    // A fresh machine may have no package lists yet, or stale ones that name removed versions.
    process.stderr.write('ecrs: apt-get install failed; running apt-get update and trying again…\n')
    apt('update')
    r = install()
  }
  return r.status
}

/** The path of a Chromium binary, installed with apt-get (with a CJK font) when missing and possible. */
export const ensureChromium = () => {
  const present = found()
  const font = hasCjkFont()
  if (present !== undefined && font) return present
  const root = process.getuid?.() === 0
  if (present === undefined && !root)
    throw new Error(
      "chromium not found for the console's browser tests: install it with " +
        `\`sudo apt-get install -y chromium ${FONT}\` (Debian/Ubuntu) or set CHROMIUM_PATH`,
    )
  if (!root) {
    process.stderr.write(
      `ecrs: no CJK font: Chinese pages render as boxes in screenshots (sudo apt-get install -y ${FONT})\n`,
    )
    return present
  }
  const missing = [...(present === undefined ? ['chromium'] : []), ...(font ? [] : [FONT])]
  process.stderr.write(`ecrs: installing ${missing.join(' and ')} (apt-get install -y)…\n`)
  const status = aptInstall(missing)
  const installed = found()
  if (installed === undefined)
    throw new Error(
      `could not install chromium (apt-get exit ${status}), even after apt-get update; ` +
        `install it with \`sudo apt-get install -y chromium ${FONT}\` or set CHROMIUM_PATH`,
    )
  if (!hasCjkFont()) process.stderr.write(`ecrs: could not install ${FONT}: Chinese renders as boxes\n`)
  return installed
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href)
  process.stdout.write(`${ensureChromium()}\n`)
