import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAllOrdo, startOrdo, waitForReady, type OrdoProcess } from '../helpers/cli.js';
import {
  createAdmin,
  createProduct,
  faultReport,
  placeOrdersUntilStopped,
  registerCustomer,
  sigterm,
} from '../helpers/load.js';
import { startPrivatePostgres, type PrivatePostgres } from '../helpers/private-services.js';
import { TestSmtpServer } from '../helpers/smtp.js';
import { HttpClient } from '../helpers/test-app.js';
import { freePort, waitFor } from '../helpers/wait.js';

// `ordo worker` killed with SIGKILL (no cleanup: a crash, an OOM kill) again and again while
// orders are placed through `ordo api`, each time while the SMTP server holds a message it has
// not acknowledged yet, and started again each time as a supervisor would. When the dust
// settles every order's confirmation has reached the SMTP server, at least once; a second copy
// (the worker died between the hand-off and the email log) carries the first one's Message-ID,
// so a mail client shows one message.

const KILLS = 4;

describe('a worker killed with SIGKILL mid-send, again and again', () => {
  let db: PrivatePostgres;
  let smtp: TestSmtpServer;
  let env: Record<string, string>;

  beforeAll(async () => {
    [db, smtp] = await Promise.all([startPrivatePostgres(), new TestSmtpServer().start()]);
    env = {
      DATABASE_URL: db.url,
      JWT_SECRET: 'fault-test-secret-that-is-long-enough-0123456789abcdef',
      SMTP_URL: smtp.url,
      // A job whose worker died is retried after JOB_TIMEOUT, then after 1-2 s, 2-4 s...
      JOB_TIMEOUT: '4s',
      JOB_RETRY_DELAY: '1s',
      JOB_POLL_INTERVAL: '500ms',
      RATE_LIMIT_AUTH: '1000',
      MAX_UNPAID_ORDERS: '0',
      MAX_UNITS_PER_PRODUCT: '0',
      LOG_LEVEL: 'warn',
    };
  }, 120_000);
  afterAll(async () => {
    await killAllOrdo();
    await smtp?.stop();
    await db?.destroy();
  });

  const query = async <T>(text: string, values: unknown[] = []): Promise<T[]> => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      return (await client.query(text, values)).rows as T[];
    } finally {
      await client.end();
    }
  };

  async function startWorker(): Promise<OrdoProcess> {
    const worker = startOrdo(['worker'], { ...env, LOG_LEVEL: 'info' });
    await waitFor(() => worker.stdout.includes('worker started'), {
      what: 'worker start',
      timeoutMs: 60_000,
    });
    return worker;
  }

  it(
    'every confirmation arrives, and any second copy has the same Message-ID',
    { timeout: 240_000 },
    async () => {
      const loginAdmin = await createAdmin(env);
      const port = await freePort();
      const api = startOrdo(['api'], { ...env, PORT: String(port) });
      const http = new HttpClient(`http://127.0.0.1:${port}`);
      await waitForReady(api, http.baseUrl);
      const product = await createProduct(http, await loginAdmin(http), { stock: 100_000 });
      const customers = await Promise.all([1, 2].map(() => registerCustomer(http)));

      // Every message is held 150 ms before the server acknowledges it: a kill lands mid-send.
      smtp.delayMs = 150;
      const unacknowledged = () => smtp.held.length - smtp.received.length;
      const load = placeOrdersUntilStopped(http, {
        tokens: customers.map((c) => c.token),
        productIds: [product.id],
        pauseMs: 400,
      });
      const started = Date.now();
      let kills = 0;
      let killedMidSend = 0;
      for (let i = 0; i < KILLS; i++) {
        const worker = await startWorker();
        const killAt = Date.now() + 1_500 + Math.random() * 1_000;
        await waitFor(() => Date.now() >= killAt && unacknowledged() > 0, {
          what: 'a message in flight',
          timeoutMs: 30_000,
          intervalMs: 5,
        });
        worker.child.kill('SIGKILL');
        if (unacknowledged() > 0) killedMidSend += 1;
        expect((await worker.exited).signal).toBe('SIGKILL');
        kills += 1;
      }
      await load.stop();
      expect(load.failures).toEqual([]);
      const orders = load.acknowledged;

      const lastKill = Date.now();
      // One more worker, left running: it finishes what the killed ones left behind.
      const last = await startWorker();
      const copiesOf = (order: { number: string }) =>
        smtp.received.filter((m) => m.subject === `Order ${order.number} received`);
      await waitFor(() => orders.every((o) => copiesOf(o).length > 0), {
        what: `a confirmation for each of ${orders.length} orders`,
        timeoutMs: 120_000,
        intervalMs: 250,
      });
      const open = async () =>
        (
          await query<{ n: number }>(
            `select count(*)::int as n from pgboss.job
              where name = 'order-confirmation-email' and state in ('created', 'retry', 'active')`,
          )
        )[0]!.n;
      await waitFor(async () => (await open()) === 0, {
        what: 'every confirmation job done',
        timeoutMs: 60_000,
        intervalMs: 250,
      });
      await waitFor(() => unacknowledged() === 0, { what: 'the last held message' });
      const allDoneMs = Date.now() - lastKill;

      let duplicates = 0;
      for (const order of orders) {
        const copies = copiesOf(order);
        duplicates += copies.length - 1;
        for (const copy of copies)
          expect(copy.messageId).toBe(`<order-confirmation.${order.id}@ordo.localhost>`);
      }
      // The email log holds each confirmation once, however many copies the server saw.
      const logged = await query<{ order_id: string; n: number }>(
        `select order_id, count(*)::int as n from emails
          where kind = 'order-confirmation' group by order_id`,
      );
      expect(logged.filter((r) => r.n !== 1)).toEqual([]);
      expect(new Set(logged.map((r) => r.order_id))).toEqual(new Set(orders.map((o) => o.id)));
      const dead = await query<{ n: number }>(
        `select count(*)::int as n from pgboss.job
          where name = 'order-confirmation-email' and state = 'failed'`,
      );
      expect(dead[0]!.n).toBe(0);
      expect(api.child.exitCode).toBeNull();

      faultReport('worker SIGKILL mid-send', {
        orders: orders.length,
        kills,
        killedMidSend,
        emailsReceived: smtp.received.filter((m) => m.subject.endsWith(' received')).length,
        duplicates,
        killPhaseMs: lastKill - started,
        allSentMsAfterLastKill: allDoneMs,
      });
      expect(kills).toBe(KILLS);
      expect((await sigterm(last)).code).toBe(0);
      expect((await sigterm(api)).code).toBe(0);
    },
  );
});
