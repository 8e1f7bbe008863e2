import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { killAllOrdo, startOrdo, waitForReady } from '../helpers/cli.js';
import {
  createAdmin,
  createProduct,
  faultReport,
  placeOrdersUntilStopped,
  registerCustomer,
  sigterm,
  stockAndLedger,
} from '../helpers/load.js';
import { startPrivatePostgres, type PrivatePostgres } from '../helpers/private-services.js';
import { HttpClient } from '../helpers/test-app.js';
import { freePort, waitFor } from '../helpers/wait.js';

// SIGTERM under load, as a deploy or `docker stop` sends it: the process stops accepting
// connections, finishes the requests it already took, exits 0 well inside the 20 s drain, and
// every order it acknowledged (201) is in the database when it starts again, with stock
// equal to its ledger. For `ordo serve` on the embedded default (PGlite, its own DATA_DIR)
// and for `ordo api` on a PostgreSQL of this test's own.

const JWT_SECRET = 'fault-test-secret-that-is-long-enough-0123456789abcdef';
const limits = {
  RATE_LIMIT_AUTH: '1000',
  // The load is a few customers': no unpaid-order caps (0: off).
  MAX_UNPAID_ORDERS: '0',
  MAX_UNITS_PER_PRODUCT: '0',
  LOG_LEVEL: 'warn',
};

/** Resolves true when a new TCP connection to `port` is refused: nothing listens any more. */
const refusesConnections = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });

describe('SIGTERM under load', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(() => killAllOrdo());
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  async function start(command: 'serve' | 'api', env: Record<string, string>) {
    const port = await freePort();
    const ordo = startOrdo([command], {
      ...env,
      PORT: String(port),
      GATEWAY_PORT: String(await freePort()),
    });
    const http = new HttpClient(`http://127.0.0.1:${port}`);
    await waitForReady(ordo, http.baseUrl);
    return { ordo, http, port };
  }

  it(
    '`ordo serve` on the embedded database: exits 0, nothing acknowledged lost across a restart',
    { timeout: 120_000 },
    async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'ordo-sigterm-'));
      cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
      const env = { ...limits, DATA_DIR: dataDir };
      const loginAdmin = await createAdmin(env);
      const { ordo, http } = await start('serve', env);
      const admin = await loginAdmin(http);
      const product = await createProduct(http, admin, { stock: 100_000 });
      const customers = await Promise.all([1, 2, 3].map(() => registerCustomer(http)));

      const load = placeOrdersUntilStopped(http, {
        tokens: customers.map((c) => c.token),
        productIds: [product.id],
        clients: 6,
      });
      await waitFor(() => load.acknowledged.length >= 30, {
        what: 'orders before SIGTERM',
        timeoutMs: 60_000,
      });
      const exit = await sigterm(ordo);
      await load.stop();
      expect(exit).toMatchObject({ code: 0, signal: null });
      expect(exit.ms).toBeLessThan(20_000); // the drain's own bound
      // While it closed: 503 on a connection it already had, or no connection at all (0).
      expect(load.failures.filter((s) => s !== 0 && s !== 503)).toEqual([]);

      // Started again on the same DATA_DIR: every acknowledged order is there.
      const again = await start('serve', env);
      const adminAgain = await loginAdmin(again.http);
      const missing = [];
      for (const order of load.acknowledged) {
        const res = await again.http.get(`/api/v1/admin/orders/${order.id}`, {
          token: adminAgain,
        });
        if (res.status !== 200) missing.push({ ...order, status: res.status });
      }
      expect(missing).toEqual([]);
      const { stock, ledger } = await stockAndLedger(again.http, adminAgain, product.id);
      expect(stock).toBe(ledger);
      // Stock went down by one for each order the database holds: at least the acknowledged.
      expect(stock).toBeLessThanOrEqual(100_000 - load.acknowledged.length);
      faultReport('sigterm serve (PGlite)', {
        acknowledged: load.acknowledged.length,
        answered503WhileClosing: load.failures.filter((s) => s === 503).length,
        refusedAfterClose: load.failures.filter((s) => s === 0).length,
        stoppedMs: exit.ms,
        unitsTaken: 100_000 - stock,
      });
      expect((await sigterm(again.ordo)).code).toBe(0);
    },
  );

  describe('`ordo api` on PostgreSQL', () => {
    let db: PrivatePostgres;

    it(
      'stops accepting, finishes the requests in flight, exits 0, nothing acknowledged lost',
      { timeout: 120_000 },
      async () => {
        db = await startPrivatePostgres();
        cleanups.push(() => db.destroy());
        const env = { ...limits, DATABASE_URL: db.url, JWT_SECRET };
        const loginAdmin = await createAdmin(env);
        const { ordo, http, port } = await start('api', env);
        const admin = await loginAdmin(http);
        const product = await createProduct(http, admin, { stock: 100_000 });
        const customers = await Promise.all([1, 2, 3].map(() => registerCustomer(http)));
        const clients = 6;

        const load = placeOrdersUntilStopped(http, {
          tokens: customers.map((c) => c.token),
          productIds: [product.id],
          clients,
        });
        await waitFor(() => load.acknowledged.length >= 30, {
          what: 'orders before SIGTERM',
          timeoutMs: 60_000,
        });

        // Hold the product's row lock, so that every client's next order is inside the server,
        // in its transaction, waiting: those are the requests in flight at SIGTERM.
        const blocker = new pg.Client({ connectionString: db.url });
        await blocker.connect();
        await blocker.query('begin');
        await blocker.query('select id from products where id = $1 for update', [product.id]);
        const waiting = async () =>
          (
            await blocker.query<{ n: number }>(
              `select count(*)::int as n from pg_stat_activity
                where wait_event_type = 'Lock' and pid <> pg_backend_pid()`,
            )
          ).rows[0]!.n;
        await waitFor(async () => (await waiting()) >= clients, {
          what: 'every client waiting on the row lock',
          timeoutMs: 30_000,
        });
        expect(load.inFlight).toBe(clients);
        const signalled = Date.now();
        const exiting = sigterm(ordo);
        // It stops listening first, while the held requests are still running...
        await waitFor(() => refusesConnections(port), { what: 'the port closed' });
        expect(ordo.child.exitCode).toBeNull();
        // ...and answers them once they can finish.
        await blocker.query('commit');
        await blocker.end();
        const exit = await exiting;
        await load.stop();
        expect(exit).toMatchObject({ code: 0, signal: null });
        expect(exit.ms).toBeLessThan(20_000);

        // Every request sent before the signal was answered, 201: none cut off.
        const before = load.answers.filter((a) => a.at < signalled);
        expect(before.filter((a) => a.status !== 201)).toEqual([]);
        const heldAnswered = before.filter((a) => a.answeredAt >= signalled).length;
        expect(heldAnswered).toBe(clients);
        expect(load.failures.filter((s) => s !== 0 && s !== 503)).toEqual([]);

        // Started again: every acknowledged order is in the database, stock equals its ledger.
        const again = await start('api', env);
        const query = async <T>(text: string, values: unknown[] = []) => {
          const client = new pg.Client({ connectionString: db.url });
          await client.connect();
          try {
            return (await client.query(text, values)).rows as T[];
          } finally {
            await client.end();
          }
        };
        const ids = load.acknowledged.map((o) => o.id);
        const found = await query<{ id: string }>('select id from orders where id = any($1)', [
          ids,
        ]);
        expect(found).toHaveLength(ids.length);
        const { stock, ledger } = await stockAndLedger(
          again.http,
          await loginAdmin(again.http),
          product.id,
        );
        expect(stock).toBe(ledger);
        expect(stock).toBeLessThanOrEqual(100_000 - ids.length);
        faultReport('sigterm api (PostgreSQL)', {
          acknowledged: ids.length,
          inFlightAtSigterm: heldAnswered,
          answered503WhileClosing: load.failures.filter((s) => s === 503).length,
          refusedAfterClose: load.failures.filter((s) => s === 0).length,
          stoppedMs: exit.ms,
        });
        expect((await sigterm(again.ordo)).code).toBe(0);
      },
    );
  });
});
