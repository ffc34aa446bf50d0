/** A horizontal bar chart as SVG text, drawn by hand: no dependency, no network, same bytes each time. */

export interface Bar {
  label: string
  value: number
  /** A lighter bar: the ceiling or target the bar above it is compared with. */
  reference?: boolean
}

export interface Panel {
  title: string
  unit: string
  bars: Bar[]
  /** A dashed vertical line, e.g. a memory target. */
  limit?: { value: number; label: string }
}

const escape = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

const LABEL_W = 230
const BAR_W = 300
const ROW_H = 22
const PANEL_W = LABEL_W + BAR_W + 90

const format = (v: number): string =>
  Number.isNaN(v) ? 'n/a' : v >= 100 ? String(Math.round(v)) : String(Number(v.toFixed(1)))

const panel = (p: Panel, x: number, y: number): { svg: string; height: number } => {
  const finite = p.bars.map((b) => b.value).filter((v) => Number.isFinite(v))
  const max = Math.max(1, ...finite, p.limit?.value ?? 0) * 1.05
  const out: string[] = [
    `<text x="${x}" y="${y + 14}" class="title">${escape(p.title)} (${escape(p.unit)})</text>`,
  ]
  p.bars.forEach((b, i) => {
    const top = y + 26 + i * ROW_H
    const w = Number.isFinite(b.value) ? Math.max(1, (b.value / max) * BAR_W) : 0
    out.push(
      `<text x="${x + LABEL_W - 6}" y="${top + 14}" class="label" text-anchor="end">${escape(b.label)}</text>`,
      `<rect x="${x + LABEL_W}" y="${top + 3}" width="${w.toFixed(1)}" height="${ROW_H - 6}" class="${b.reference ? 'ref' : 'bar'}"/>`,
      `<text x="${(x + LABEL_W + w + 4).toFixed(1)}" y="${top + 14}" class="value">${format(b.value)}</text>`,
    )
  })
  const height = 26 + p.bars.length * ROW_H + 8
  if (p.limit) {
    const lx = x + LABEL_W + (p.limit.value / max) * BAR_W
    out.push(
      `<line x1="${lx.toFixed(1)}" y1="${y + 22}" x2="${lx.toFixed(1)}" y2="${y + height - 4}" class="limit"/>`,
      `<text x="${lx.toFixed(1)}" y="${y + height + 8}" class="value" text-anchor="middle">${escape(p.limit.label)}</text>`,
    )
  }
  return { svg: out.join('\n'), height: height + (p.limit ? 14 : 0) }
}

/** Panels stacked in two columns (left: the first half, right: the rest). */
export const barChart = (title: string, subtitle: string, panels: readonly Panel[]): string => {
  const half = Math.ceil(panels.length / 2)
  const columns = [panels.slice(0, half), panels.slice(half)]
  const parts: string[] = []
  let height = 0
  columns.forEach((col, c) => {
    let y = 48
    for (const p of col) {
      const drawn = panel(p, 10 + c * PANEL_W, y)
      parts.push(drawn.svg)
      y += drawn.height + 16
    }
    height = Math.max(height, y)
  })
  const width = 20 + 2 * PANEL_W
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">
<style>
  .title { font-weight: 600; font-size: 13px; fill: #222 }
  .label { fill: #333 }
  .value { fill: #555; font-size: 11px }
  .bar { fill: #3b6ea5 }
  .ref { fill: #b9cde3 }
  .limit { stroke: #c0392b; stroke-dasharray: 4 3 }
  .head { font-weight: 700; font-size: 15px; fill: #111 }
  .sub { fill: #666; font-size: 11px }
</style>
<rect width="100%" height="100%" fill="#fff"/>
<text x="10" y="20" class="head">${escape(title)}</text>
<text x="10" y="36" class="sub">${escape(subtitle)}</text>
${parts.join('\n')}
</svg>
`
}
