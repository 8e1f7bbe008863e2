import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The web UI's pure helpers (money, cart, search params) run here too; e2e/ is Playwright's.
    include: ['test/**/*.test.ts', 'web/src/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Each file gets its own database, so files run in parallel without sharing rows.
    fileParallelism: true,
  },
});
