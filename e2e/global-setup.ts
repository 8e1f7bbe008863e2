import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startInbox } from './inbox.js';

/** The admin the tests use; made with `ordo create-admin` before the server starts. */
export const E2E_ADMIN = { email: 'admin@e2e.ordo.test', password: 'e2e-admin-password' };

const run = promisify(execFile);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

async function waitUntilReady(
  url: string,
  server: ChildProcess,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null)
      throw new Error(`ordo serve exited (${server.exitCode}):\n${output()}`);
    try {
      const response = await fetch(`${url}/readyz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`ordo serve did not become ready within 60 s:\n${output()}`);
}

/**
 * Starts a real `ordo serve` (the built dist/main.js) on the embedded default: a fresh
 * temporary DATA_DIR (demo catalog seeded on first start), loopback, a free port, mail sent
 * over SMTP to a loopback inbox. The admin is created first, because the running server holds
 * DATA_DIR's lock.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const main = join(process.cwd(), 'dist', 'main.js');
  if (!existsSync(main) || !existsSync(join(process.cwd(), 'dist', 'ui', 'index.html'))) {
    throw new Error(
      'dist/ is missing or has no web UI: run `npm run build` before `npm run test:e2e`',
    );
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'ordo-e2e-'));
  // Outside DATA_DIR, which belongs to the server.
  const inboxDir = `${dataDir}-inbox`;
  const inbox = await startInbox(inboxDir);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    // The journeys quote promo codes and place orders (guests' too) quickly, from one address.
    RATE_LIMIT_PROMO: '100000',
    RATE_LIMIT_PROMO_ADDRESS: '100000',
    RATE_LIMIT_GUEST_ORDERS: '100000',
    MAX_UNPAID_ORDERS: '0',
    MAX_UNITS_PER_PRODUCT: '0',
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: url,
    // Mail goes out over real SMTP to the inbox above (and is still kept in the email log).
    SMTP_URL: inbox.url,
    // The tests register, log in and fail on purpose more often than a person would.
    RATE_LIMIT_AUTH: '10000',
  };

  await run(
    process.execPath,
    [
      main,
      'create-admin',
      '--email',
      E2E_ADMIN.email,
      '--password',
      E2E_ADMIN.password,
      '--name',
      'E2E Admin',
    ],
    { env },
  );

  const server = spawn(process.execPath, [main, 'serve'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  server.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  server.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitUntilReady(url, server, () => output);

  process.env.ORDO_E2E_URL = url;
  process.env.ORDO_E2E_INBOX = inboxDir;
  return async () => {
    if (server.exitCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    await inbox.close();
    await rm(dataDir, { recursive: true, force: true });
    await rm(inboxDir, { recursive: true, force: true });
    if (process.env.ORDO_E2E_LOG && output) console.log(output);
  };
}
