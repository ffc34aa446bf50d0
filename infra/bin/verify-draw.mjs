#!/usr/bin/env node
// `npm run verify-draw -- <draw-record.json>`: independent recomputation of a random-inspection draw.
//
// Deliberately independent of services/inspection: this file shares no code, no types and no
// dependencies with the service's draw (plain JavaScript, node: built-ins only) and is written straight
// from the draw specification (contract §9, "ECRS random-inspection draw: algorithm and draw record v1"),
// so that a bug in one implementation is caught by the other. It is simple on purpose: full sorts, no
// heaps, no shortcuts.
//
// Given a draw record (`GET /v1/inspection-tasks/{taskId}/draw-record`), it checks:
//   - the record's shape: format "ecrs.draw-record/1", the required fields, classes A–D, ratios 0..1,
//     population sorted by uscc ascending and unique, a roster for every agency of the task;
//   - that SHA-256(seed) is the task's seedCommitment (the seed was fixed before the population was);
//   - from the record's own population, rosters and previous assignments it recomputes the population
//     hash, the class counts, the per-class quotas (exact ceiling), the selection and its order and the
//     inspector assignment (active inspectors, 回避 of the previous task's pairs, the per-agency cap,
//     NOT_ENOUGH_INSPECTORS), and compares all of it with `record.result`, reporting the first difference.
// What it cannot check: that the frozen population, the rosters and the previous assignments in the
// record are what the register held at drawnAt (only the populationHash ties the population to what the
// service published), nor that the seed was chosen fairly.
//
// Exit codes: 0 verified; 1 the record is malformed, the seed does not match, the recomputation fails
// or differs from the record; 2 usage error (no file, unreadable, not JSON).
import * as crypto from 'node:crypto'
import { readFileSync, realpathSync } from 'node:fs'
import process from 'node:process'
import { pathToFileURL } from 'node:url'

export const FORMAT = 'ecrs.draw-record/1'
export const CLASSES = ['A', 'B', 'C', 'D']

/** Lower-case hex SHA-256 of the UTF-8 bytes of `text`. */
export const sha256hex =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'hex')
    : (text) => crypto.createHash('sha256').update(text, 'utf8').digest('hex')

/** A record that cannot be verified: malformed, wrong seed, or a draw that could not have happened. */
export class VerifyError extends Error {}

// JS default string order (UTF-16 code units), as Array.prototype.sort() without a comparator.
const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0)

const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v)
const show = (v) => {
  const s = v === undefined ? 'nothing' : JSON.stringify(v)
  return s.length > 300 ? `${s.slice(0, 300)}…` : s
}

// ---------------------------------------------------------------------------------------------------
// Shape

function invalid(message) {
  throw new VerifyError(`invalid record: ${message}`)
}

function requireString(value, path, { nonEmpty = true } = {}) {
  if (typeof value !== 'string') invalid(`${path} must be a string, got ${show(value)}`)
  if (nonEmpty && value.length === 0) invalid(`${path} must not be empty`)
}

/** Throws VerifyError naming the first problem with the record's shape. */
export function validateShape(record) {
  if (!isObject(record)) invalid('the top level must be a JSON object')
  if (record.format !== FORMAT) invalid(`format must be "${FORMAT}", got ${show(record.format)}`)

  const task = record.task
  if (!isObject(task)) invalid('task must be an object')
  requireString(task.taskId, 'task.taskId')
  if (!Array.isArray(task.agencies)) invalid('task.agencies must be an array')
  const agencies = new Set()
  task.agencies.forEach((agency, i) => {
    requireString(agency, `task.agencies[${i}]`)
    if (agencies.has(agency)) invalid(`task.agencies[${i}] ${show(agency)} is listed twice`)
    agencies.add(agency)
  })
  if (!isObject(task.ratios)) invalid('task.ratios must be an object with A, B, C, D')
  for (const c of CLASSES) {
    const r = task.ratios[c]
    if (typeof r !== 'number' || !Number.isFinite(r) || r < 0 || r > 1) {
      invalid(`task.ratios.${c} must be a number from 0 to 1, got ${show(r)}`)
    }
  }
  for (const key of Object.keys(task.ratios)) {
    if (!CLASSES.includes(key)) invalid(`task.ratios.${key}: unknown class (classes are A, B, C, D)`)
  }
  const p = task.inspectorsPerAgency
  if (!Number.isSafeInteger(p) || p < 1) {
    invalid(`task.inspectorsPerAgency must be an integer ≥ 1, got ${show(p)}`)
  }
  requireString(task.seedCommitment, 'task.seedCommitment')

  requireString(record.seed, 'seed')
  const seedLength = [...record.seed].length
  if (seedLength > 256) invalid(`seed must be 1–256 characters, it has ${seedLength}`)
  requireString(record.drawnAt, 'drawnAt')

  if (!Array.isArray(record.population)) invalid('population must be an array')
  let previous
  for (let i = 0; i < record.population.length; i++) {
    const e = record.population[i]
    if (!isObject(e)) invalid(`population[${i}] must be an object {uscc, name, class}`)
    requireString(e.uscc, `population[${i}].uscc`)
    requireString(e.name, `population[${i}].name`, { nonEmpty: false })
    if (!CLASSES.includes(e.class)) {
      invalid(`population[${i}].class must be one of A, B, C, D, got ${show(e.class)}`)
    }
    if (previous !== undefined && !(previous < e.uscc)) {
      invalid(
        previous === e.uscc
          ? `population[${i}].uscc ${show(e.uscc)} is a duplicate of population[${i - 1}]`
          : `population is not sorted by uscc ascending: population[${i - 1}].uscc ${show(previous)} > population[${i}].uscc ${show(e.uscc)}`,
      )
    }
    previous = e.uscc
  }

  if (!isObject(record.rosters)) invalid('rosters must be an object keyed by agency')
  for (const agency of task.agencies) {
    const roster = record.rosters[agency]
    const path = `rosters[${show(agency)}]`
    if (!Array.isArray(roster)) invalid(`${path} must be an array (every agency of the task has a roster)`)
    const ids = new Set()
    roster.forEach((inspector, i) => {
      if (!isObject(inspector)) invalid(`${path}[${i}] must be an object {inspectorId, active}`)
      requireString(inspector.inspectorId, `${path}[${i}].inspectorId`)
      if (typeof inspector.active !== 'boolean') {
        invalid(`${path}[${i}].active must be true or false, got ${show(inspector.active)}`)
      }
      if (ids.has(inspector.inspectorId)) {
        invalid(`${path}[${i}].inspectorId ${show(inspector.inspectorId)} is listed twice`)
      }
      ids.add(inspector.inspectorId)
    })
  }

  const prev = record.previousAssignments
  if (prev !== undefined) {
    if (!isObject(prev)) invalid('previousAssignments must be an object keyed by agency')
    for (const [agency, entry] of Object.entries(prev)) {
      const path = `previousAssignments[${show(agency)}]`
      if (entry === null) continue // same as absent: no previous drawn task
      if (!isObject(entry)) invalid(`${path} must be an object {taskId, pairs}`)
      if (entry.taskId !== null) requireString(entry.taskId, `${path}.taskId`)
      if (!Array.isArray(entry.pairs)) invalid(`${path}.pairs must be an array`)
      if (entry.taskId === null && entry.pairs.length > 0) {
        invalid(`${path} has pairs but no previous taskId`)
      }
      entry.pairs.forEach((pair, i) => {
        if (!isObject(pair)) invalid(`${path}.pairs[${i}] must be an object {uscc, inspectorId}`)
        requireString(pair.uscc, `${path}.pairs[${i}].uscc`)
        requireString(pair.inspectorId, `${path}.pairs[${i}].inspectorId`)
      })
    }
  }

  if (!isObject(record.result)) invalid('result must be an object {populationHash, population, selected}')
}

// ---------------------------------------------------------------------------------------------------
// Recomputation

/** Exact ceil(ratio × n) on the ratio rounded to 6 decimals, at most n. */
export function quota(ratio, n) {
  const millionths = Math.round(ratio * 1_000_000)
  return Math.min(n, Math.floor((millionths * n + 999_999) / 1_000_000))
}

export function populationHash(population) {
  const lines = population.map((e) => `${e.uscc}:${e.class}`)
  lines.sort()
  return sha256hex(lines.join('\n'))
}

function notEnough(message) {
  throw new VerifyError(
    `recomputation failed: NOT_ENOUGH_INSPECTORS: ${message} — a task in this state cannot have been drawn`,
  )
}

/**
 * The draw's result recomputed from the record's inputs (task, seed, population, rosters,
 * previousAssignments). Assumes validateShape passed. Throws VerifyError on NOT_ENOUGH_INSPECTORS.
 */
export function recompute(record) {
  const { task, seed, population } = record
  const { taskId, agencies, ratios } = task
  const p = task.inspectorsPerAgency

  const counts = { A: 0, B: 0, C: 0, D: 0 }
  const byClass = { A: [], B: [], C: [], D: [] }
  for (const e of population) {
    counts[e.class] += 1
    byClass[e.class].push({ uscc: e.uscc, name: e.name, rank: sha256hex(`${seed}:${taskId}:${e.uscc}`) })
  }

  // Selection: per class, the quota smallest ranks; A, B, C, D, each by rank (tie: uscc).
  const selected = []
  for (const c of CLASSES) {
    const entries = byClass[c]
    entries.sort((x, y) => cmp(x.rank, y.rank) || cmp(x.uscc, y.uscc))
    selected.push(...entries.slice(0, quota(ratios[c], entries.length)))
  }
  const S = selected.length

  // Per agency: active inspectors, cap, 回避 pairs, current load.
  const plan = agencies.map((agency) => {
    const active = record.rosters[agency].filter((i) => i.active).map((i) => i.inspectorId)
    if (active.length < p) {
      notEnough(
        `agency ${show(agency)} has ${active.length} active inspector(s), inspectorsPerAgency is ${p}`,
      )
    }
    const avoid = new Map() // uscc → Set of inspectorIds assigned to it in the agency's previous task
    for (const pair of record.previousAssignments?.[agency]?.pairs ?? []) {
      if (!avoid.has(pair.uscc)) avoid.set(pair.uscc, new Set())
      avoid.get(pair.uscc).add(pair.inspectorId)
    }
    const cap = Math.floor((S * p + active.length - 1) / active.length)
    const load = new Map(active.map((id) => [id, 0]))
    return { agency, active, avoid, cap, load }
  })

  const result = selected.map((e, index) => {
    const inspectors = []
    for (const { agency, active, avoid, cap, load } of plan) {
      const avoided = avoid.get(e.uscc) ?? new Set()
      const candidates = active
        .filter((id) => !avoided.has(id) && load.get(id) < cap)
        .map((id) => ({ id, rank: sha256hex(`${seed}:${e.uscc}:${agency}:${id}`) }))
      if (candidates.length < p) {
        const excluded = active.filter((id) => avoided.has(id)).length
        const atCap = active.filter((id) => !avoided.has(id) && load.get(id) >= cap).length
        notEnough(
          `agency ${show(agency)} has ${candidates.length} eligible inspector(s) for enterprise ` +
            `${e.uscc} (selected[${index}]), needs ${p} (active ${active.length}, ` +
            `${excluded} excluded by 回避, ${atCap} already at the cap of ${cap})`,
        )
      }
      candidates.sort((x, y) => cmp(x.rank, y.rank) || cmp(x.id, y.id))
      for (const { id } of candidates.slice(0, p)) {
        load.set(id, load.get(id) + 1)
        inspectors.push({ agency, inspectorId: id })
      }
    }
    return { uscc: e.uscc, name: e.name, inspectors }
  })

  return { populationHash: populationHash(population), population: counts, selected: result }
}

// ---------------------------------------------------------------------------------------------------
// Comparison

const isFlat = (o) => Object.values(o).every((v) => v === null || typeof v !== 'object')

/** The first difference between `expected` (recomputed) and `actual` (record), or null. */
export function firstDifference(path, expected, actual) {
  const differ = (what = '') =>
    `${path}: recomputed ${show(expected)}, record has ${show(actual)}${what ? ` (${what})` : ''}`
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return differ('not an array')
    const common = Math.min(expected.length, actual.length)
    for (let i = 0; i < common; i++) {
      const d = firstDifference(`${path}[${i}]`, expected[i], actual[i])
      if (d) return d
    }
    if (expected.length !== actual.length) {
      const counts = `recomputed ${expected.length} entries, record has ${actual.length}`
      return `${path}[${common}]: recomputed ${show(expected[common])}, record has ${show(actual[common])} (${counts})`
    }
    return null
  }
  if (isObject(expected)) {
    if (!isObject(actual)) return differ('not an object')
    const extra = Object.keys(actual).filter((k) => !Object.hasOwn(expected, k))
    if (isFlat(expected)) {
      const same = extra.length === 0 && Object.keys(expected).every((k) => actual[k] === expected[k])
      return same ? null : differ()
    }
    for (const key of Object.keys(expected)) {
      if (!Object.hasOwn(actual, key))
        return `${path}.${key}: recomputed ${show(expected[key])}, record has nothing`
      const d = firstDifference(`${path}.${key}`, expected[key], actual[key])
      if (d) return d
    }
    if (extra.length > 0) {
      return `${path}.${extra[0]}: not in the recomputation, record has ${show(actual[extra[0]])}`
    }
    return null
  }
  return expected === actual ? null : differ()
}

/**
 * Verifies a parsed draw record. Returns { ok: true, summary } or { ok: false, message }.
 */
export function verify(record) {
  try {
    validateShape(record)
    if (sha256hex(record.seed) !== record.task.seedCommitment) {
      return {
        ok: false,
        message: `seed does not match seedCommitment: sha256(seed) is ${sha256hex(record.seed)}, task.seedCommitment is ${record.task.seedCommitment}`,
      }
    }
    const expected = recompute(record)
    const difference = firstDifference('result', expected, record.result)
    if (difference) return { ok: false, message: `first difference: ${difference}` }
    const c = expected.population
    const summary =
      `task ${record.task.taskId}: population ${record.population.length} ` +
      `(A ${c.A}, B ${c.B}, C ${c.C}, D ${c.D}), selected ${expected.selected.length}, ` +
      `${record.task.agencies.length} agencies × ${record.task.inspectorsPerAgency} inspectors, ` +
      `populationHash ${expected.populationHash}`
    return { ok: true, summary }
  } catch (error) {
    if (error instanceof VerifyError) return { ok: false, message: error.message }
    throw error
  }
}

function main(argv) {
  if (argv.length !== 1 || argv[0] === '--help' || argv[0] === '-h') {
    process.stderr.write('usage: npm run verify-draw -- <draw-record.json>\n')
    return 2
  }
  const file = argv[0]
  let text
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    process.stderr.write(`verify-draw: cannot read ${file}: ${error.message}\n`)
    return 2
  }
  let record
  try {
    record = JSON.parse(text)
  } catch (error) {
    process.stderr.write(`verify-draw: ${file} is not JSON: ${error.message}\n`)
    return 2
  }
  text = undefined
  const outcome = verify(record)
  if (outcome.ok) {
    process.stdout.write(`draw verified\n${outcome.summary}\n`)
    return 0
  }
  process.stdout.write(`${outcome.message}\n`)
  return 1
}

const invoked = process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href
if (invoked) process.exitCode = main(process.argv.slice(2))
