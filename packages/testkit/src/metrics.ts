/**
 * The value of a metric in Prometheus text format: the sum of the samples named `name` whose labels
 * include `labels` (all of them, any others too); 0 when none (a counter not yet incremented).
 */
export const metricValue = (
  text: string,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number => {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`)
  let sum = 0
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue
    const labelText = line.startsWith(`${name}{`) ? line.slice(name.length, line.lastIndexOf('}') + 1) : ''
    if (wanted.every((w) => labelText.includes(`{${w}`) || labelText.includes(`,${w}`)))
      sum += Number(line.slice(line.lastIndexOf(' ') + 1))
  }
  return sum
}
