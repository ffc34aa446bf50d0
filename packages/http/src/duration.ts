const UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 }

/** The form {@link parseDuration} reads, as a JSON Schema pattern (for configuration schemas). */
export const DURATION_PATTERN = '^(?!0+[smhd]?$)[0-9]{1,9}[smhd]?$'

/**
 * Parses a positive duration into seconds: a number of seconds (`86400`), or a number with a unit
 * `s`, `m`, `h` or `d` (`45s`, `90m`, `24h`, `7d`). Anything else, and zero, is undefined.
 */
export const parseDuration = (text: string): number | undefined => {
  const match = /^(\d{1,9})([smhd]?)$/.exec(text)
  if (match === null) return undefined
  const seconds = Number(match[1]) * (UNITS[match[2] ?? ''] ?? 1)
  return seconds > 0 ? seconds : undefined
}
