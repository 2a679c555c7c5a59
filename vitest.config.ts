import { defineConfig } from 'vitest/config';

// Two projects: unit tests live next to the code and need nothing running; integration tests in test/
// run against real PostgreSQL and real Kafka, brought up once by the global setup.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'services/*/src/**/*.test.ts', 'bench/src/**/*.test.ts', 'test/unit/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: ['test/unit/**'],
          globalSetup: ['test/setup/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 300_000,
          // Two cores: more than two files at once only adds scheduling noise to kill/restart tests.
          maxWorkers: 2,
          pool: 'forks',
        },
      },
    ],
  },
});
