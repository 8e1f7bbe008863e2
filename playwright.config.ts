import { defineConfig, devices } from '@playwright/test';

/**
 * Browser tests: Debian's chromium (never a downloaded browser) against a real `ordo serve`
 * (dist/main.js, so run `npm run build` first) on the embedded default with a fresh DATA_DIR,
 * started by e2e/global-setup.ts. One worker: the tests share that one server, and this
 * machine's CPUs.
 */
export default defineConfig({
  testDir: 'e2e',
  globalSetup: './e2e/global-setup.ts',
  outputDir: 'test-results/playwright',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 90_000,
  // Generous: this machine's CPUs are shared, and a slow moment is not a failure.
  expect: { timeout: 15_000 },
  forbidOnly: !!process.env.CI,
  reporter: [['list']],
  use: {
    ...devices['Desktop Chrome'],
    viewport: { width: 1280, height: 800 },
    actionTimeout: 30_000,
    navigationTimeout: 30_000,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
});
