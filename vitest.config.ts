import { defineConfig } from 'vitest/config'

const conditions = ['@ecrs/source']

// One run for the whole monorepo, two projects:
// - unit: `*.test.ts` beside the code, pure functions and in-process apps, no broker or store;
// - integration: `*.int.test.ts` and the end-to-end tests in tests/, which get a Kafka broker and a
//   MongoDB-wire store from the global setup (env → Docker → local processes), shared by the run,
//   each test file using its own topics, consumer groups and databases.
export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    pool: 'forks',
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'services/*/src/**/*.test.ts', 'infra/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**', '**/dist/**'],
          testTimeout: 20_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: [
            'packages/*/src/**/*.int.test.ts',
            'services/*/src/**/*.int.test.ts',
            'tests/src/**/*.test.ts',
          ],
          exclude: ['**/node_modules/**', '**/dist/**'],
          globalSetup: ['packages/testkit/src/global-setup.ts'],
          testTimeout: 90_000,
          hookTimeout: 240_000,
          teardownTimeout: 60_000,
        },
      },
    ],
  },
})
