import { randomBytes } from 'node:crypto'
import { inject } from 'vitest'
import type { MongoFlavor } from './provision.js'

/** What the global setup hands to integration test files. */
export interface TestInfra {
  kafkaBrokers: string[]
  mongoUrl: string
  mongoFlavor: MongoFlavor
}

declare module 'vitest' {
  export interface ProvidedContext {
    infra: TestInfra
  }
}

/** The run's broker and store (integration project only). */
export const testInfra = (): TestInfra => inject('infra')

/** A name no other test file uses: topics, consumer groups and databases are per file. */
export const uniqueName = (prefix: string): string =>
  `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`
