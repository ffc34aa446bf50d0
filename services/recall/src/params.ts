import { assertRecallParams, defaultRecallParams, type RecallParams } from './recalls/domain/index.js'

/**
 * The obligation templates in force: the defaults of contract §7, overridden by `RECALL_TEMPLATES`
 * (JSON by product category). Unknown categories or fields, and numbers out of range, are refused
 * at start with the reason.
 */
export const recallParams = (json: string | undefined): RecallParams => {
  if (json === undefined) return defaultRecallParams
  let given: unknown
  try {
    given = JSON.parse(json)
  } catch {
    throw new Error('RECALL_TEMPLATES is not JSON')
  }
  if (typeof given !== 'object' || given === null || Array.isArray(given))
    throw new Error('RECALL_TEMPLATES must be an object')
  const templates: Record<string, Record<string, unknown>> = {
    ...(defaultRecallParams.templates as unknown as Record<string, Record<string, unknown>>),
  }
  for (const [category, over] of Object.entries(given)) {
    const base = templates[category]
    if (!base) throw new Error(`RECALL_TEMPLATES: unknown category ${category}`)
    if (typeof over !== 'object' || over === null)
      throw new Error(`RECALL_TEMPLATES.${category} must be an object`)
    for (const [field, value] of Object.entries(over as Record<string, unknown>)) {
      if (!(field in base) && field !== 'notifyOwnersWd')
        throw new Error(`RECALL_TEMPLATES.${category}: unknown field ${field}`)
      if (typeof value !== 'number') throw new Error(`RECALL_TEMPLATES.${category}.${field} must be a number`)
    }
    templates[category] = { ...base, ...(over as Record<string, number>) }
  }
  const params = { ...defaultRecallParams, templates } as unknown as RecallParams
  assertRecallParams(params)
  return params
}
