/**
 * The node flags a service runs with under `npm start` and the benchmarks: the old space capped at
 * `heapMb` (0 = node's own, about a quarter of the machine's memory) and 8 MB semi-spaces. Their
 * live heap is ~55 MB; without a limit V8 lets garbage pile up to several hundred MB before a full
 * collection (docs/BENCHMARKS.md, "Memory"). Node 24's young generation grows larger than Node
 * 20's: with 8 MB semi-spaces ingest peaked at 164 MiB instead of 207–216 MiB over bench:stats
 * (2026-12-08), its p99 still 15.8 ms.
 */
export const serviceHeapArgs = (heapMb: number): string[] =>
  Number.isFinite(heapMb) && heapMb > 0
    ? [`--max-old-space-size=${Math.round(heapMb)}`, '--max-semi-space-size=8']
    : []
