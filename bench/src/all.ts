/**
 * `npm run bench`: the ingest, projection and recall benchmarks in one run on one local stack,
 * plus the projection again at `--scale` × the enterprises (memory must not grow with them).
 * Writes bench/results/latest.json and renders docs/BENCHMARKS.md and docs/benchmarks.svg.
 *
 *   npm run bench                  full sizes (the lead's figures; tens of minutes on 2 cores)
 *   npm run bench -- --quick       small sizes, under 3 minutes
 *   npm run bench -- --scale 2     the second projection run at 2× (default 4; 1 skips it)
 *   npm run bench -- --heap-mb 0   the services with node's default heap limit (default 192 MB, as npm start)
 *   npm run bench -- --no-docs     writes latest.json only
 *   npm run bench -- --size 1m     projection and rebuild of 1 000 000 events of 100 000 enterprises
 *                                  (no 4× run: --scale 1), writes bench/results/latest-1m.json
 */
import { parseArgs } from 'node:util'
import { provision, stderrProgress } from '@ecrs/testkit'
import { renderDocs } from './docs.js'
import { benchIngest, ingestRows, type IngestSizes } from './ingest.js'
import { benchProjection, projectionRows, type ProjectionSizes } from './projection.js'
import { benchRecall, recallRows, type RecallSizes } from './recall.js'
import { log, machine, runScript, writeResult } from './report.js'
import { serviceHeapMb } from './service.js'

interface Sizes {
  ingest: IngestSizes
  projection: ProjectionSizes
  recall: RecallSizes
}

const FULL: Sizes = {
  ingest: { events: 40_000, rate: 200, seconds: 10 },
  projection: {
    enterprises: 20_000,
    eventsPerEnterprise: 10,
    qps: 50,
    querySeconds: 10,
    freshnessEvents: 100,
  },
  recall: { cases: 5000, sweepCases: 100_000, updates: 200 },
}

const QUICK: Sizes = {
  ingest: { events: 5000, rate: 100, seconds: 3 },
  projection: { enterprises: 500, eventsPerEnterprise: 8, qps: 20, querySeconds: 3, freshnessEvents: 10 },
  recall: { cases: 500, sweepCases: 1000, updates: 20 },
}

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    scale: { type: 'string', default: '4' },
    'no-docs': { type: 'boolean', default: false },
    'heap-mb': { type: 'string' },
    size: { type: 'string' },
  },
})

/** `--size 1m`: a million events of 100 000 enterprises through the projection and the rebuild. */
const MILLION: Sizes = {
  ...FULL,
  projection: { ...FULL.projection, enterprises: 100_000, eventsPerEnterprise: 10 },
}

runScript(async () => {
  const t0 = performance.now()
  if (args.size !== undefined && args.size !== '1m') throw new Error(`--size takes 1m (got ${args.size})`)
  const million = args.size === '1m'
  const mode = million ? '1m' : args.quick ? 'quick' : 'full'
  const sizes = million ? MILLION : args.quick ? QUICK : FULL
  const scale = million ? 1 : Number(args.scale)
  if (!Number.isInteger(scale) || scale < 1) throw new Error(`--scale must be a whole number ≥ 1`)
  if (args['heap-mb'] !== undefined) process.env['BENCH_SERVICE_HEAP_MB'] = args['heap-mb']
  const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(0)} s`
  const infra = await provision({ env: process.env, progress: stderrProgress })
  try {
    if (million) {
      log(`[${elapsed()}] projection and rebuild of 1 000 000 events, 100 000 enterprises`)
      const projection = await benchProjection(infra, sizes.projection)
      const seconds = Math.round((performance.now() - t0) / 1000)
      writeResult(
        'latest-1m',
        {
          machine: machine(),
          mode,
          seconds,
          serviceHeapMb: serviceHeapMb(),
          ...projection,
        },
        [...projectionRows(projection), ['run time', `${seconds} s (1m)`]],
      )
      return
    }
    log(`[${elapsed()}] 1/4 ingest (${mode})`)
    const ingest = await benchIngest(infra, sizes.ingest)
    log(`[${elapsed()}] 2/4 projection, ${sizes.projection.enterprises} enterprises`)
    const projection = await benchProjection(infra, sizes.projection)
    const { rebuild, query, freshness } = projection
    if (!rebuild || !query || !freshness) throw new Error('the projection benchmark ran only in part')
    const scaledSizes = { ...sizes.projection, enterprises: sizes.projection.enterprises * scale }
    log(`[${elapsed()}] 3/4 projection at ${scale}×, ${scaledSizes.enterprises} enterprises`)
    const scaled = scale > 1 ? await benchProjection(infra, scaledSizes, 'projection') : undefined
    log(`[${elapsed()}] 4/4 recall`)
    const recall = await benchRecall(infra, sizes.recall)

    const latest = {
      machine: machine(),
      mode,
      scale,
      seconds: Math.round((performance.now() - t0) / 1000),
      store: infra.mongoFlavor,
      /** --max-old-space-size of the service processes (0: node's default). */
      serviceHeapMb: serviceHeapMb(),
      sizes: {
        ingest: ingest.sizes,
        projection: projection.sizes,
        ...(scaled ? { projectionScaled: scaled.sizes } : {}),
        recall: recall.sizes,
      },
      ingest: {
        batchEventsPerSec: ingest.batchEventsPerSec,
        singleP50Ms: ingest.singleP50Ms,
        singleP99Ms: ingest.singleP99Ms,
        singleFailures: ingest.singleFailures,
        kafkaCeilingEventsPerSec: ingest.kafkaCeilingEventsPerSec,
        ratio: ingest.ratio,
      },
      projection: projection.projection,
      ceiling: projection.ceiling,
      ...(scaled ? { projectionScaled: scaled.projection, ceilingScaled: scaled.ceiling } : {}),
      rebuild,
      query,
      freshness,
      recall: {
        casesPerSec: recall.casesPerSec,
        updatesPerSec: recall.updatesPerSec,
        overdueCasesPerSec: recall.overdueCasesPerSec,
        readP50Ms: recall.readP50Ms,
        sweep: recall.sweep,
      },
      memory: {
        ingestRssMb: ingest.rssMb,
        creditRssMb: projection.creditRssMb,
        recallRssMb: recall.rssMb,
        creditProjectingRssMb: projection.projection.rssMb,
        ...(scaled
          ? { creditScaledRssMb: scaled.creditRssMb, creditProjectingScaledRssMb: scaled.projection.rssMb }
          : {}),
      },
    }
    writeResult('latest', latest, [
      ...ingestRows(ingest).map(([k, v]): [string, string] => [`ingest: ${k}`, v]),
      ...projectionRows(projection).map(([k, v]): [string, string] => [`projection: ${k}`, v]),
      ...(scaled
        ? projectionRows(scaled).map(([k, v]): [string, string] => [`projection ${scale}×: ${k}`, v])
        : []),
      ...recallRows(recall).map(([k, v]): [string, string] => [`recall: ${k}`, v]),
      ['run time', `${latest.seconds} s (${mode})`],
    ])
    if (!args['no-docs']) for (const file of await renderDocs(latest)) log(`wrote ${file}`)
  } finally {
    await infra.stop()
  }
})
