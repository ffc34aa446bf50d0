import { randomBytes } from 'node:crypto'
import { usccCheckCharacter } from '@ecrs/contracts'

/** A fresh, valid USCC (random digits, correct check character): each test owns its enterprises. */
export const randomUscc = (): string => {
  const first17 = `9121${Array.from(randomBytes(13), (b) => String(b % 10)).join('')}`
  return first17 + usccCheckCharacter(first17)
}
