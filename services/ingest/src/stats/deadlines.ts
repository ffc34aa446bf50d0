import { catalogue } from '@ecrs/contracts'

/** `TIMELINESS_DEADLINES`' default (contract §10): 7 working days for penalty decisions, 20 for the rest. */
export const DEFAULT_DEADLINES = 'penalty.decided=7,*=20'

/**
 * Reads `type=days` pairs separated by commas (`*` for every type not named), e.g.
 * `penalty.decided=7,*=20`. Throws on an unknown type, a bad number or a repeated name: the service
 * refuses to start rather than judge timeliness against a typo.
 */
export const parseDeadlines = (text: string): ((type: string) => number) => {
  const days = new Map<string, number>()
  for (const part of text.split(',')) {
    const m = /^\s*([a-z*][a-z.-]*|\*)\s*=\s*(\d{1,4})\s*$/.exec(part)
    if (!m) throw new Error(`TIMELINESS_DEADLINES: "${part.trim()}" is not type=days`)
    const [, type, n] = m as unknown as [string, string, string]
    if (type !== '*' && !catalogue.has(type))
      throw new Error(`TIMELINESS_DEADLINES: unknown event type ${type}`)
    if (days.has(type)) throw new Error(`TIMELINESS_DEADLINES: ${type} is given twice`)
    days.set(type, Number(n))
  }
  const rest = days.get('*') ?? 20
  return (type) => days.get(type) ?? rest
}
