import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { demoProducts } from '../src/modules/catalog/seed-data.js';
import { killAllOrdo, type OrdoProcess, runOrdo, startOrdo, waitForReady } from './helpers/cli.js';
import { freePort } from './helpers/wait.js';
import { HttpClient } from './helpers/test-app.js';

// Every test here spawns the real CLI on the embedded database under a fresh DATA_DIR; the
// child never sees DATABASE_URL or REDIS_URL (see cliEnv), so this file runs the same way on
// both CI legs. Starting tsx and PGlite takes a few seconds per process.
const SLOW = 180_000;

let root: string;
let dataDir: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'ordo-cli-'));
  dataDir = join(root, 'data');
});

afterEach(async () => {
  await killAllOrdo();
  await rm(root, { recursive: true, force: true });
});

const stderrLines = (text: string) => text.split('\n').filter((line) => line.trim() !== '');

/** Starts `ordo serve` on a free port and waits until /readyz answers. */
async function serve(env: Record<string, string> = {}) {
  const port = await freePort();
  const ordo = startOrdo(['serve'], { DATA_DIR: dataDir, PORT: String(port), ...env });
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitForReady(ordo, baseUrl);
  return { ordo, baseUrl, http: new HttpClient(baseUrl) };
}

async function stop(ordo: OrdoProcess, signal: NodeJS.Signals = 'SIGTERM') {
  ordo.child.kill(signal);
  return ordo.exited;
}

describe('ordo migrate and seed', () => {
  it(
    'migrate exits 0; seed fills an empty catalog with the demo products, and a second seed adds none',
    async () => {
      const migrate = await runOrdo(['migrate'], { DATA_DIR: dataDir });
      expect(migrate.stderr).toBe('');
      expect(migrate.code).toBe(0);

      const first = await runOrdo(['seed'], { DATA_DIR: dataDir });
      expect(first.code).toBe(0);
      const created = Number(/created (\d+) demo products/.exec(first.stdout)?.[1]);
      expect(created).toBe(demoProducts.length);
      expect(created).toBeGreaterThanOrEqual(20);
      expect(created).toBeLessThanOrEqual(30);

      const second = await runOrdo(['seed'], { DATA_DIR: dataDir });
      expect(second.code).toBe(0);
      expect(second.stdout).toContain('nothing seeded');
      expect(second.stdout).not.toMatch(/created \d+ demo products/);
    },
    SLOW,
  );
});

describe('ordo create-admin and serve', () => {
  it(
    'an admin made by create-admin logs in over HTTP under serve and lists users',
    async () => {
      const email = 'a@b.test';
      const password = 'long password';
      const created = await runOrdo(['create-admin', '--email', email, '--password', password], {
        DATA_DIR: dataDir,
      });
      expect(created.stderr).toBe('');
      expect(created.code).toBe(0);
      expect(created.stdout).toMatch(/created admin a@b\.test/);

      const { ordo, http } = await serve();
      const login = await http.post('/api/v1/auth/login', { email, password });
      expect(login.status).toBe(200);
      expect(login.body.user).toMatchObject({ email, role: 'admin' });

      const users = await http.get('/api/v1/admin/users', { token: login.body.accessToken });
      expect(users.status).toBe(200);
      expect(users.body.items.map((u: { email: string }) => u.email)).toContain(email);

      // The embedded default seeds an empty catalog on the first serve.
      const products = await http.get('/api/v1/products');
      expect(products.body.total).toBe(demoProducts.length);

      expect(await stop(ordo)).toEqual({ code: 0, signal: null });
    },
    SLOW,
  );

  it(
    'create-admin without a password of at least 8 characters exits 2 and opens nothing',
    async () => {
      const result = await runOrdo(['create-admin', '--email', 'a@b.test', '--password', 'short'], {
        DATA_DIR: dataDir,
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/--password/);
      expect(existsSync(dataDir)).toBe(false);
    },
    SLOW,
  );

  it(
    'create-admin with a commonly used password exits 2 saying why, and opens nothing',
    async () => {
      const result = await runOrdo(
        ['create-admin', '--email', 'a@b.test', '--password', 'password123'],
        { DATA_DIR: dataDir },
      );
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/this password is one of the most commonly used passwords/);
      expect(existsSync(dataDir)).toBe(false);
    },
    SLOW,
  );
});

describe('configuration errors', () => {
  it.each([
    ['PORT', 'abc'],
    ['SHOP_CURRENCY', 'usd'],
    ['ORDER_PAYMENT_TTL', 'soon'],
  ])(
    'a bad %s exits 1 with one stderr line naming it, before touching DATA_DIR',
    async (name, value) => {
      const result = await runOrdo(['migrate'], { DATA_DIR: dataDir, [name]: value });
      expect(result.code).toBe(1);
      const lines = stderrLines(result.stderr);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(name);
      expect(existsSync(dataDir)).toBe(false);
    },
    SLOW,
  );

  it(
    'ordo api without DATABASE_URL exits 2 and says DATABASE_URL is required',
    async () => {
      const result = await runOrdo(['api'], { DATA_DIR: dataDir });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/PostgreSQL only/);
      expect(result.stderr).toContain('DATABASE_URL');
      expect(existsSync(dataDir)).toBe(false);
    },
    SLOW,
  );

  it(
    'an unknown command exits 2 with the usage',
    async () => {
      const result = await runOrdo(['frobnicate'], { DATA_DIR: dataDir });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('unknown command: frobnicate');
      expect(result.stderr).toContain('Usage: ordo');
    },
    SLOW,
  );
});

describe('the DATA_DIR lock (one writer on the embedded database)', () => {
  it(
    'a second serve on the same DATA_DIR refuses to start; after SIGTERM (exit 0) a new one starts',
    async () => {
      const first = await serve();

      const secondPort = await freePort();
      const second = await runOrdo(['serve'], { DATA_DIR: dataDir, PORT: String(secondPort) });
      expect(second.code).not.toBe(0);
      expect(second.code).not.toBeNull();
      expect(second.stderr).toContain('DATA_DIR');
      expect(second.stderr).toMatch(/another Ordo process \(pid \d+\)/);
      expect(second.stderr).toContain(`pid ${first.ordo.child.pid}`);
      // The refused process did not take the first one's place.
      expect((await first.http.get('/readyz')).status).toBe(200);

      expect(await stop(first.ordo)).toEqual({ code: 0, signal: null });
      expect(existsSync(join(dataDir, 'ordo.lock'))).toBe(false);

      const third = await serve();
      expect((await third.http.get('/healthz')).status).toBe(200);
      expect(await stop(third.ordo)).toEqual({ code: 0, signal: null });
    },
    SLOW,
  );

  it(
    'a lock left by a process that was killed is taken over by the next start',
    async () => {
      const crashed = await serve();
      expect(await stop(crashed.ordo, 'SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
      expect(existsSync(join(dataDir, 'ordo.lock'))).toBe(true);

      const next = await serve();
      expect((await next.http.get('/api/v1/products')).body.total).toBe(demoProducts.length);
      expect(await stop(next.ordo)).toEqual({ code: 0, signal: null });
    },
    SLOW,
  );
});
