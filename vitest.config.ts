import { defineConfig } from 'vitest/config';

// `npm run test:faults` (ORDO_SUITE=faults) runs the tests that stop and restart a dependency
// of their own; they do not depend on the database of the run, so `npm test` leaves them out.
const faults = process.env.ORDO_SUITE === 'faults';

export default defineConfig({
  test: {
    // The web UI's pure helpers (money, cart, search params) run here too; e2e/ is Playwright's.
    include: faults ? ['test/faults/**/*.test.ts'] : ['test/**/*.test.ts', 'web/src/**/*.test.ts'],
    exclude: faults ? [] : ['test/faults/**', '**/node_modules/**'],
    globalSetup: ['test/helpers/global-setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Each file gets its own database, so files run in parallel without sharing rows.
    fileParallelism: true,
  },
});
