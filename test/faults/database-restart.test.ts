import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { killAllOrdo, runOrdo, startOrdo, waitForReady, type OrdoProcess } from '../helpers/cli.js';
import { startPrivatePostgres, type PrivatePostgres } from '../helpers/private-services.js';
import { HttpClient } from '../helpers/test-app.js';
import { freePort, waitFor } from '../helpers/wait.js';

// PostgreSQL restarted under load, for `ordo serve`, `ordo api` and `ordo worker`, on a
// PostgreSQL server of this test's own. While the database is down, requests answer 503
// UNAVAILABLE with Retry-After, quickly; the process never exits; when the database is back,
// everything recovers by itself; nothing acknowledged is lost and stock equals its ledger.

const JWT_SECRET = 'fault-test-secret-that-is-long-enough-0123456789abcdef';

const shippingAddress = {
  name: 'Di Saster',
  line1: '5 Outage Row',
  city: 'Hull',
  postalCode: 'HU1 1AA',
  country: 'GB',
};

interface Outcome {
  status: number;
  ms: number;
  code?: string;
  retryAfter?: string | null;
  orderId?: string;
  /** When the request was sent (ms since the epoch). */
  at: number;
  /** Why there was no answer at all (status 0): the connection's error. */
  error?: string;
}

let lastOrdo: OrdoProcess | undefined;

/** The figures the closing note quotes: `FAULT_REPORT=1 npm run test:faults`. */
const report = (figures: object) => {
  if (process.env.FAULT_REPORT) console.log(JSON.stringify(figures));
};

describe('PostgreSQL restarted under load', () => {
  let db: PrivatePostgres;
  let env: Record<string, string>;

  beforeAll(async () => {
    db = await startPrivatePostgres();
    env = {
      DATABASE_URL: db.url,
      JWT_SECRET,
      RATE_LIMIT_AUTH: '1000',
      JOB_TIMEOUT: '4s',
      JOB_RETRY_DELAY: '1s',
      JOB_POLL_INTERVAL: '500ms',
      LOG_LEVEL: 'error',
      // The load is one customer's: no unpaid-order cap (0: off).
      MAX_UNPAID_ORDERS: '0',
      MAX_UNITS_PER_PRODUCT: '0',
    };
    const migrated = await runOrdo(['seed'], env);
    expect(migrated.code, migrated.stderr).toBe(0);
  }, 120_000);
  afterEach(() => killAllOrdo());
  afterAll(() => db?.destroy());

  const query = async <T>(text: string, values: unknown[] = []): Promise<T[]> => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      return (await client.query(text, values)).rows as T[];
    } finally {
      await client.end();
    }
  };

  async function start(command: 'serve' | 'api') {
    const port = await freePort();
    const ordo = (lastOrdo = startOrdo([command], {
      ...env,
      PORT: String(port),
      GATEWAY_PORT: String(await freePort()),
    }));
    const baseUrl = `http://127.0.0.1:${port}`;
    await waitForReady(ordo, baseUrl);
    return { ordo, http: new HttpClient(baseUrl) };
  }

  async function customer(http: HttpClient) {
    const email = `c-${Date.now()}-${Math.random().toString(36).slice(2)}@example.test`;
    const password = 'correct horse battery staple';
    expect((await http.post('/api/v1/auth/register', { email, password, name: 'C' })).status).toBe(
      201,
    );
    const login = await http.post('/api/v1/auth/login', { email, password });
    return login.body.accessToken as string;
  }

  /** Places orders from `clients` loops until `stop()`; every answer is recorded. */
  function load(http: HttpClient, token: string, productIds: string[], clients = 6) {
    const outcomes: Outcome[] = [];
    let running = true;
    const loops = Array.from({ length: clients }, async (_, i) => {
      let n = 0;
      while (running) {
        const productId = productIds[(i + n++) % productIds.length]!;
        const started = Date.now();
        try {
          const res = await http.post(
            '/api/v1/orders',
            { items: [{ productId, quantity: 1 }], shippingAddress },
            { token },
          );
          outcomes.push({
            status: res.status,
            ms: Date.now() - started,
            code: res.body?.code,
            retryAfter: res.headers.get('retry-after'),
            orderId: res.status === 201 ? res.body.id : undefined,
            at: started,
          });
        } catch (error) {
          const cause = (error as Error).cause as { code?: string } | undefined;
          outcomes.push({
            status: 0,
            ms: Date.now() - started,
            at: started,
            error: cause?.code ?? String(cause ?? error),
          });
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    });
    return {
      outcomes,
      async stop() {
        running = false;
        await Promise.all(loops);
      },
    };
  }

  async function restartUnderLoad(ordo: OrdoProcess, http: HttpClient) {
    const token = await customer(http);
    const products = (await http.get('/api/v1/products?pageSize=10&inStock=true')).body.items as {
      id: string;
    }[];
    const traffic = load(
      http,
      token,
      products.map((p) => p.id),
    );
    await waitFor(() => traffic.outcomes.filter((o) => o.status === 201).length >= 10, {
      what: 'orders before the outage',
      timeoutMs: 30_000,
    });
    const down = Date.now();
    await db.stop();
    await waitFor(() => traffic.outcomes.filter((o) => o.status === 503).length >= 10, {
      what: '503s while the database is down',
      timeoutMs: 30_000,
    });
    // Long enough for the job runtime's polling and maintenance to hit the outage too.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, down + 4_000 - Date.now())));
    const ready = await http.get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ code: 'UNAVAILABLE' });
    expect(ready.body.details).toContainEqual({ check: 'database', status: 'down' });
    await db.start();
    const up = Date.now();
    const recovered = await waitFor(
      () => traffic.outcomes.find((o) => o.status === 201 && o.at > up),
      { what: 'an order after the database came back', timeoutMs: 60_000 },
    );
    await traffic.stop();
    expect(ordo.child.exitCode).toBeNull(); // still running
    const during = traffic.outcomes.filter((o) => o.at >= down && o.at < up);
    report({
      outageMs: up - down,
      requestsDuringOutage: during.length,
      answered503: during.filter((o) => o.status === 503).length,
      slowest503Ms: Math.max(0, ...during.filter((o) => o.status === 503).map((o) => o.ms)),
      recoveredMsAfterStart: recovered.at + recovered.ms - up,
      acknowledged: traffic.outcomes.filter((o) => o.status === 201).length,
    });
    return { outcomes: traffic.outcomes, down, up, recovered };
  }

  async function expectNothingLost(outcomes: Outcome[]) {
    // Every request answered: a lost connection is a 503, never a dropped connection.
    expect(outcomes.filter((o) => o.status === 0)).toEqual([]);
    // Never a 5xx other than 503 UNAVAILABLE with Retry-After, and never a hang.
    for (const o of outcomes) {
      if (o.status >= 500) {
        if (o.status !== 503)
          console.error(
            o,
            lastOrdo?.stdout
              .split('\n')
              .filter((l) => l.includes('"level":50'))
              .slice(0, 3),
          );
        expect(o).toMatchObject({ status: 503, code: 'UNAVAILABLE' });
        expect(Number(o.retryAfter)).toBeGreaterThan(0);
      }
      expect(o.ms).toBeLessThan(10_000);
    }
    const acknowledged = outcomes.flatMap((o) => (o.orderId ? [o.orderId] : []));
    const found = await query<{ id: string }>('select id from orders where id = any($1)', [
      acknowledged,
    ]);
    expect(found).toHaveLength(acknowledged.length);
    const drift = await query<{ id: string }>(
      `select v.id from product_variants v
        where v.stock <> (select coalesce(sum(delta), 0) from stock_movements m where m.variant_id = v.id)`,
    );
    expect(drift).toEqual([]);
  }

  it.each(['serve', 'api'] as const)(
    '`ordo %s` survives: 503 with Retry-After while down, recovers by itself, loses nothing',
    { timeout: 180_000 },
    async (command) => {
      const { ordo, http } = await start(command);
      const { outcomes } = await restartUnderLoad(ordo, http);
      await expectNothingLost(outcomes);
      expect((await http.get('/readyz')).status).toBe(200);
      ordo.child.kill('SIGTERM');
      expect((await ordo.exited).code).toBe(0);
    },
  );

  it(
    '`ordo worker` survives and sends the mail enqueued while and after the database was down',
    { timeout: 180_000 },
    async () => {
      const { http, ordo: api } = await start('api');
      const worker = startOrdo(['worker'], { ...env, LOG_LEVEL: 'info' });
      await waitFor(
        () => worker.stdout.includes('worker started') || worker.stderr.includes('worker started'),
        {
          what: 'worker start',
          timeoutMs: 60_000,
        },
      );
      const token = await customer(http);
      const [product] = (await http.get('/api/v1/products?pageSize=1&inStock=true')).body.items;
      const order = async () =>
        (
          await http.post(
            '/api/v1/orders',
            { items: [{ productId: product.id, quantity: 1 }], shippingAddress },
            { token },
          )
        ).body.id as string;
      const before = await order();
      await db.stop();
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      expect(worker.child.exitCode).toBeNull();
      await db.start();
      const after = await waitFor(
        async () => {
          const res = await http.post(
            '/api/v1/orders',
            { items: [{ productId: product.id, quantity: 1 }], shippingAddress },
            { token },
          );
          return res.status === 201 && (res.body.id as string);
        },
        { what: 'an order after the restart', timeoutMs: 60_000, intervalMs: 250 },
      );
      // The worker reconnects by itself and sends both confirmations (captured: no SMTP_URL).
      await waitFor(
        async () =>
          (
            await query<{ n: number }>(
              "select count(*)::int as n from emails where kind = 'order-confirmation' and order_id = any($1)",
              [[before, after]],
            )
          )[0]!.n === 2,
        { what: 'both confirmations', timeoutMs: 60_000, intervalMs: 250 },
      );
      expect(worker.child.exitCode).toBeNull();
      worker.child.kill('SIGTERM');
      api.child.kill('SIGTERM');
      expect((await worker.exited).code).toBe(0);
      expect((await api.exited).code).toBe(0);
    },
  );
});
