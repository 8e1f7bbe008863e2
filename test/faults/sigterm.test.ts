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
  orderTagsOf,
  placeOrdersUntilStopped,
  registerCustomer,
  shippingAddress,
  sigterm,
  stockAndLedger,
  unacknowledgedWrites,
} from '../helpers/load.js';
import { startPrivatePostgres, type PrivatePostgres } from '../helpers/private-services.js';
import { HttpClient } from '../helpers/test-app.js';
import { freePort, waitFor } from '../helpers/wait.js';

// SIGTERM under load, as a deploy or `docker stop` sends it: the process stops accepting
// connections, finishes the requests it already took, exits 0 well inside the 20 s drain, and
// every order it acknowledged (201) is in the database when it starts again, with stock
// equal to its ledger; a request that arrives while it closes is answered 503 and never runs.
// Every order request is tagged (its shipping name), so the database says which requests
// wrote an order: exactly the acknowledged ones. For `ordo serve` on the embedded default
// (PGlite, its own DATA_DIR) and for `ordo api` on a PostgreSQL of this test's own.

const JWT_SECRET = 'fault-test-secret-that-is-long-enough-0123456789abcdef';
const limits = {
  RATE_LIMIT_AUTH: '1000',
  // The load is a few customers': no unpaid-order caps (0: off).
  MAX_UNPAID_ORDERS: '0',
  MAX_UNITS_PER_PRODUCT: '0',
  LOG_LEVEL: 'warn',
};

const noStrayWrites = {
  acknowledgedMissing: [],
  writtenUnacknowledged: [],
  writtenNeverSent: [],
};

/**
 * A connection written by hand, with a request whose headers are only half sent: the server
 * counts it as busy, not idle, so closing does not drop it, and the rest of the request can
 * arrive while the server closes.
 */
function halfSentRequest(port: number, path: string, headers: Record<string, string>) {
  const socket = connect(port, '127.0.0.1');
  let received = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
  socket.on('error', () => {});
  const statusLine = /^HTTP\/1\.1 (\d{3}) /;
  const answered = new Promise<number | undefined>((resolve) => {
    socket.on('data', () => {
      const status = statusLine.exec(received)?.[1];
      if (status && received.includes('\r\n\r\n')) resolve(Number(status));
    });
    socket.once('close', () => resolve(undefined));
  });
  const line = (name: string, value: string) => `${name}: ${value}\r\n`;
  socket.write(`POST ${path} HTTP/1.1\r\n${line('host', '127.0.0.1')}`);
  return {
    /** Sends the rest: the other headers and the body. */
    finish(body: unknown) {
      const payload = JSON.stringify(body);
      const rest = Object.entries({
        ...headers,
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(payload)),
      }).map(([name, value]) => line(name, value));
      socket.write(`${rest.join('')}\r\n${payload}`);
    },
    /** The answer's status, once its head has arrived (undefined: closed without one). */
    status: () => answered,
  };
}

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
      const { ordo, http, port } = await start('serve', env);
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
      // A request half sent before the signal keeps its connection open through the close;
      // finished once the port is closed, it arrives while the server closes.
      const lateTag = `${load.tagPrefix} late`;
      const late = halfSentRequest(port, '/api/v1/orders', {
        authorization: `Bearer ${customers[0]!.token}`,
      });
      const exiting = sigterm(ordo);
      await waitFor(() => refusesConnections(port), { what: 'the port closed' });
      late.finish({
        items: [{ productId: product.id, quantity: 1 }],
        shippingAddress: { ...shippingAddress, name: lateTag },
      });
      expect(await late.status()).toBe(503);
      const exit = await exiting;
      await load.stop();
      expect(exit).toMatchObject({ code: 0, signal: null });
      expect(exit.ms).toBeLessThan(20_000); // the drain's own bound
      // While it closed: 503 on a connection it already had, or no connection at all (0).
      expect(load.failures.filter((s) => s !== 0 && s !== 503)).toEqual([]);

      // Started again on the same DATA_DIR: every acknowledged order is there, and no other
      // request wrote one (a 503 while it closed, or no answer, never ran).
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
      const written = await orderTagsOf(
        again.http,
        adminAgain,
        customers.map((c) => c.email),
      );
      expect(written).not.toContain(lateTag);
      expect(unacknowledgedWrites(load, written)).toEqual(noStrayWrites);
      const { stock, ledger } = await stockAndLedger(again.http, adminAgain, product.id);
      expect(stock).toBe(ledger);
      // One unit taken for each acknowledged order, and none for any other request.
      expect(stock).toBe(100_000 - load.acknowledged.length);
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
        const [{ pid: blockerPid }] = (
          await blocker.query<{ pid: number }>('select pg_backend_pid() as pid')
        ).rows as [{ pid: number }];
        await blocker.query('begin');
        // An order locks its variants' rows (never the product's): hold the one it takes.
        await blocker.query('select id from product_variants where product_id = $1 for update', [
          product.id,
        ]);
        // Read outside the blocker's transaction: inside one, pg_stat_activity is the snapshot
        // its first read took, and would never change.
        const observer = new pg.Client({ connectionString: db.url });
        await observer.connect();
        cleanups.push(() => observer.end());
        const waiting = async () =>
          (
            await observer.query<{ n: number }>(
              `select count(*)::int as n from pg_stat_activity
                where wait_event_type = 'Lock' and pid not in (pg_backend_pid(), $1)`,
              [blockerPid],
            )
          ).rows[0]!.n;
        // One more connection, its request half sent before the signal and finished after.
        const lateTag = `${load.tagPrefix} late`;
        const late = halfSentRequest(port, '/api/v1/orders', {
          authorization: `Bearer ${customers[0]!.token}`,
        });
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
        // ...answers a request that arrives now 503 at once, while the held ones still run
        // (one that ran would wait on the row lock with them)...
        late.finish({
          items: [{ productId: product.id, quantity: 1 }],
          shippingAddress: { ...shippingAddress, name: lateTag },
        });
        let lateAnswer: number | 'none' | undefined;
        void late.status().then((status) => (lateAnswer = status ?? 'none'));
        const outcome = await waitFor(
          async () => lateAnswer ?? ((await waiting()) > clients && 'it ran: it waits on the lock'),
          { what: 'the late request answered' },
        );
        expect(outcome).toBe(503);
        expect(ordo.child.exitCode).toBeNull();
        // ...and answers the held ones once they can finish.
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
        // No request but the acknowledged ones wrote an order: not the late one answered 503,
        // nor any other answered 503 or not answered at all.
        const written = (
          await query<{ tag: string }>(
            `select shipping_address->>'name' as tag from orders where shipping_address->>'name' like $1`,
            [`${load.tagPrefix} %`],
          )
        ).map((row) => row.tag);
        expect(written).not.toContain(lateTag);
        expect(unacknowledgedWrites(load, written)).toEqual(noStrayWrites);
        const { stock, ledger } = await stockAndLedger(
          again.http,
          await loginAdmin(again.http),
          product.id,
        );
        expect(stock).toBe(ledger);
        // One unit taken for each acknowledged order, and none for any other request.
        expect(stock).toBe(100_000 - ids.length);
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
