/** Who may write in the inspection service (contract §2 and §9). */
import { httpErrors, type Principal } from '@ecrs/http'

/**
 * The agency a write acts for: the caller's own, never a reserved `ecrs.*` one (contract §2: every
 * door refuses the system's sources). 403 otherwise.
 */
export const writingAgency = (p: Principal): string => {
  if (p.kind !== 'agency') throw new httpErrors.FORBIDDEN(`role ${p.kind}`)
  if (p.agency.startsWith('ecrs.'))
    throw new httpErrors.FORBIDDEN("agencies starting with 'ecrs.' are reserved for the system")
  return p.agency
}
