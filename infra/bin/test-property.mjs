#!/usr/bin/env node
// `npm run test:property`: the arrival-order properties of issue 10 (recall cases, credit profiles,
// and end to end with the services as processes), with more runs than `npm test` gives them.
//
//   npm run test:property -- [--runs N] [--seed S] [--only recall|credit-profile|changes|e2e]
//
// `--runs` sets fast-check's numRuns for each property (npm test: 150 recall, 60 credit-profile,
// 40 change records, 2 end to end); `--seed` its seed (npm test: 20261206). fast-check prints the seed and path of a
// failure and its shrunk counterexample; re-run with that seed to reproduce it.
import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const { values: opt } = parseArgs({
  options: {
    runs: { type: 'string' },
    seed: { type: 'string' },
    only: { type: 'string' },
  },
})
const FILES = {
  recall: 'services/recall/src/recalls/domain/arrival-order.property.test.ts',
  'credit-profile': 'services/credit-profile/src/profiles/arrival-order.property.test.ts',
  changes: 'services/credit-profile/src/profiles/changes.property.test.ts',
  e2e: 'tests/src/arrival-order.property.test.ts',
}
for (const [name, v] of [
  ['--runs', opt.runs],
  ['--seed', opt.seed],
]) {
  if (v !== undefined && !/^\d+$/.test(v)) {
    console.error(`ecrs: ${name} takes a whole number, not "${v}"`)
    process.exit(2)
  }
}
if (opt.only !== undefined && !(opt.only in FILES)) {
  console.error(`ecrs: --only takes one of ${Object.keys(FILES).join(', ')}`)
  process.exit(2)
}
const files = opt.only === undefined ? Object.values(FILES) : [FILES[opt.only]]
const env = {
  ...process.env,
  ...(opt.runs === undefined ? {} : { ECRS_PROPERTY_RUNS: opt.runs }),
  ...(opt.seed === undefined ? {} : { ECRS_PROPERTY_SEED: opt.seed }),
}
console.error(
  `ecrs: arrival-order properties (${files.length} files), runs ${opt.runs ?? 'as in npm test'}, seed ${opt.seed ?? '20261206'}`,
)
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs')
// Long runs: no per-test timeout beyond vitest's own per-file settings raised here.
const child = spawn(process.execPath, [vitest, 'run', '--testTimeout=0', ...files], {
  cwd: root,
  env,
  stdio: 'inherit',
})
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
