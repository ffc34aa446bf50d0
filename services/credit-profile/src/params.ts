import { defaultProfileParams, type ProfileParams } from './profiles/domain/index.js'

const merge = (base: unknown, over: unknown, path: string): unknown => {
  if (typeof base === 'object' && base !== null && !Array.isArray(base)) {
    if (typeof over !== 'object' || over === null || Array.isArray(over))
      throw new Error(`${path} must be an object`)
    const out: Record<string, unknown> = { ...(base as Record<string, unknown>) }
    for (const [k, v] of Object.entries(over)) {
      if (!(k in out)) throw new Error(`${path}.${k} is not a parameter`)
      out[k] = merge(out[k], v, `${path}.${k}`)
    }
    return out
  }
  if (typeof over !== typeof base) throw new Error(`${path} must be a ${typeof base}`)
  if (typeof over === 'number' && (!Number.isFinite(over) || over < 0))
    throw new Error(`${path} must be a number ≥ 0`)
  return over
}

/**
 * The rule and risk-model parameters in force: the defaults (contract §6, risk model v1),
 * overridden by `PROFILE_PARAMS`. Name a changed configuration with `modelVersion`: every risk
 * class reports it. Unknown names and wrong types are refused at start with the reason.
 */
export const profileParams = (json: string | undefined): ProfileParams => {
  if (json === undefined) return defaultProfileParams
  let given: unknown
  try {
    given = JSON.parse(json)
  } catch {
    throw new Error('PROFILE_PARAMS is not JSON')
  }
  return merge(defaultProfileParams, given, 'PROFILE_PARAMS') as ProfileParams
}
