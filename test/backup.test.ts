import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { backup, restore } from '../src/ops/backup.js';
import { killAllOrdo, runOrdo, startOrdo, waitForReady, type OrdoProcess } from './helpers/cli.js';
import { HttpClient } from './helpers/test-app.js';
import { freePort } from './helpers/wait.js';

// `ordo backup` and `ordo restore` of the embedded database, with the real CLI where a process
// boundary matters (a running server holds DATA_DIR; the restored copy serves) and the same
// functions in-process for the rest. The CLI children never see the run's DATABASE_URL, so
// this file runs the same on both CI legs.

const SLOW = 180_000;
let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ordo-backup-'));
});
afterAll(async () => {
  await killAllOrdo();
  await rm(root, { recursive: true, force: true });
});

const shippingAddress = {
  name: 'Bea Backup',
  line1: '3 Tape Lane',
  city: 'York',
  postalCode: 'YO1 7HH',
  country: 'GB',
};

async function serve(dataDir: string) {
  const port = await freePort();
  const ordo = startOrdo(['serve'], { DATA_DIR: dataDir, PORT: String(port) });
  const http = new HttpClient(`http://127.0.0.1:${port}`);
  await waitForReady(ordo, http.baseUrl);
  return { ordo, http };
}

async function stop(ordo: OrdoProcess) {
  ordo.child.kill('SIGTERM');
  expect((await ordo.exited).code).toBe(0);
}

function capture() {
  const out = { logged: [] as string[], errors: [] as string[] };
  return {
    ...out,
    log: (line: string) => out.logged.push(line),
    error: (line: string) => out.errors.push(line),
  };
}

describe('ordo backup and ordo restore', () => {
  const original = () => join(root, 'original');
  const file = () => join(root, 'ordo-backup.tar.gz');
  const account = { email: 'bea@backup.test', password: 'a long enough password', name: 'Bea' };
  const credentials = { email: account.email, password: account.password };
  let placed: { id: string; number: string; total: number };

  it(
    'refuses while a server holds DATA_DIR, naming it; backs up once it has stopped',
    { timeout: SLOW },
    async () => {
      const { ordo, http } = await serve(original());
      expect((await http.post('/api/v1/auth/register', account)).status).toBe(201);
      const login = await http.post('/api/v1/auth/login', credentials);
      const products = await http.get('/api/v1/products?pageSize=100&inStock=true');
      const product = (products.body.items as { id: string; stock: number }[]).find(
        (p) => p.stock >= 2,
      )!;
      const order = await http.post(
        '/api/v1/orders',
        { items: [{ productId: product.id, quantity: 2 }], shippingAddress },
        { token: login.body.accessToken },
      );
      expect(order.status).toBe(201);
      placed = order.body;

      const refused = await runOrdo(['backup', file()], { DATA_DIR: original() });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(
        `DATA_DIR ${original()} is in use by a running Ordo process (pid ${ordo.child.pid})`,
      );
      expect(refused.stderr).toContain('stop that process');
      expect(existsSync(file())).toBe(false);

      await stop(ordo);
      const done = await runOrdo(['backup', file()], { DATA_DIR: original() });
      expect(done.stderr).toBe('');
      expect(done.code).toBe(0);
      expect(done.stdout).toMatch(/backed up .* to .*ordo-backup\.tar\.gz \(\d+ bytes, 1 orders\)/);
      expect(done.stdout).toContain(`keep ${join(original(), 'jwt-secret')} with it`);
      expect((await readdir(root)).filter((name) => name.includes('.partial-'))).toEqual([]);
    },
  );

  it(
    'restores into an empty DATA_DIR, and the server started on it has the data',
    { timeout: SLOW },
    async () => {
      const fresh = join(root, 'fresh');
      const restored = await runOrdo(['restore', file()], { DATA_DIR: fresh });
      expect(restored.stderr).toBe('');
      expect(restored.code).toBe(0);
      expect(restored.stdout).toContain('(1 orders)');
      expect(restored.stdout).toContain(`${join(fresh, 'jwt-secret')} is missing`);

      const { ordo, http } = await serve(fresh);
      // A new DATA_DIR generates its own jwt-secret: old tokens are void, the account is not.
      const login = await http.post('/api/v1/auth/login', credentials);
      expect(login.status).toBe(200);
      const mine = await http.get('/api/v1/orders', { token: login.body.accessToken });
      expect(mine.body.items).toHaveLength(1);
      expect(mine.body.items[0]).toMatchObject({
        id: placed.id,
        number: placed.number,
        total: placed.total,
        status: 'pending_payment',
      });
      // The restored catalog was not seeded again on this first start.
      const original = await http.get('/api/v1/products?pageSize=100');
      expect(original.body.total).toBeGreaterThan(0);
      expect(new Set(original.body.items.map((p: { sku: string }) => p.sku)).size).toBe(
        original.body.total,
      );

      // A restore while that server runs is refused, and changes nothing.
      const refused = await runOrdo(['restore', file(), '--force'], { DATA_DIR: fresh });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`in use by a running Ordo process (pid ${ordo.child.pid})`);
      await stop(ordo);
    },
  );

  it('will not overwrite a database without --force, and keeps the replaced one beside', async () => {
    const target = join(root, 'target');
    const config = loadConfig({ DATA_DIR: target });
    const first = capture();
    expect(await restore(config, file(), { force: false }, first)).toBe(0);

    const again = capture();
    expect(await restore(config, file(), { force: false }, again)).toBe(1);
    expect(again.errors.join('\n')).toMatch(/already holds a database\. Pass --force/);

    const forced = capture();
    expect(await restore(config, file(), { force: true }, forced)).toBe(0);
    const kept = (await readdir(target)).filter((name) =>
      name.startsWith('pglite.before-restore-'),
    );
    expect(kept).toHaveLength(1);
    expect(forced.logged.join('\n')).toContain(kept[0]);
    expect(existsSync(join(target, 'pglite', 'PG_VERSION'))).toBe(true);
    // Nothing half-unpacked is left behind.
    expect((await readdir(target)).filter((name) => name.includes('.restoring-'))).toEqual([]);
  }, 60_000);

  it('refuses a file that is not a backup, and leaves DATA_DIR empty', async () => {
    const junk = join(root, 'junk.tar.gz');
    await writeFile(junk, 'not a database');
    const target = join(root, 'junk-target');
    const out = capture();
    expect(await restore(loadConfig({ DATA_DIR: target }), junk, { force: false }, out)).toBe(1);
    expect(out.errors.join('\n')).toContain('is not a backup of the embedded database');
    expect(existsSync(join(target, 'pglite'))).toBe(false);

    const missing = capture();
    expect(
      await restore(
        loadConfig({ DATA_DIR: target }),
        join(root, 'nope'),
        { force: false },
        missing,
      ),
    ).toBe(1);
    expect(missing.errors.join('\n')).toContain('cannot read');
  }, 60_000);

  it('refuses to back up a DATA_DIR without a database, and a FILE in a missing folder', async () => {
    const empty = capture();
    expect(await backup(loadConfig({ DATA_DIR: join(root, 'none') }), file(), empty)).toBe(1);
    expect(empty.errors.join('\n')).toContain('nothing to back up');

    const nowhere = capture();
    const config = loadConfig({ DATA_DIR: original() });
    expect(await backup(config, join(root, 'no-such-folder', 'b.tar.gz'), nowhere)).toBe(1);
    expect(nowhere.errors.join('\n')).toContain('does not exist');
  }, 60_000);

  it('on PostgreSQL both refuse with a usage error pointing to pg_dump and pg_restore', async () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://ordo@127.0.0.1:1/ordo',
      JWT_SECRET: 'a-secret-that-is-long-enough-for-the-config-check',
    });
    const dump = capture();
    expect(await backup(config, file(), dump)).toBe(2);
    expect(dump.errors.join('\n')).toContain('pg_dump');
    const load = capture();
    expect(await restore(config, file(), { force: false }, load)).toBe(2);
    expect(load.errors.join('\n')).toContain('pg_restore');

    const noFile = capture();
    expect(await backup(loadConfig({ DATA_DIR: original() }), undefined, noFile)).toBe(2);
    expect(noFile.errors).toEqual(['ordo backup needs a FILE: ordo backup FILE']);
  });
});
