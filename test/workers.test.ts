import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.js';
import { killAllOrdo, startOrdo, type OrdoProcess } from './helpers/cli.js';
import { createProduct, createUser, type TestUser } from './helpers/factories.js';
import { TestSmtpServer } from './helpers/smtp.js';
import { waitFor } from './helpers/wait.js';
import { buildTestApp, type TestApp } from './helpers/test-app.js';

// `ordo worker` processes against one PostgreSQL database: the scale-out shape. PGlite has
// one writer by design, so this file runs only when DATABASE_URL is set (CI runs it there).
const onPostgres = Boolean(process.env.DATABASE_URL);

const shippingAddress = {
  name: 'W. Orker',
  line1: '2 Queue St',
  city: 'Bristol',
  postalCode: 'BS1 4DJ',
  country: 'GB',
};

describe.skipIf(!onPostgres)('worker processes on one PostgreSQL', () => {
  let t: TestApp;
  let smtp: TestSmtpServer;
  let customers: TestUser[];
  let env: Record<string, string>;

  beforeAll(async () => {
    smtp = await new TestSmtpServer().start();
    // The API side only enqueues; the worker processes started below do the sending.
    t = await buildTestApp({ SMTP_URL: smtp.url, JOB_TIMEOUT: '4s', JOB_RETRY_DELAY: '1s' });
    env = {
      DATABASE_URL: t.config.databaseUrl!,
      JWT_SECRET: t.ctx.jwtSecret,
      SMTP_URL: smtp.url,
      JOB_TIMEOUT: '4s',
      JOB_RETRY_DELAY: '1s',
      JOB_POLL_INTERVAL: '500ms',
      LOG_LEVEL: 'info',
    };
    customers = await Promise.all(Array.from({ length: 10 }, () => createUser(t)));
  });
  afterEach(() => killAllOrdo());
  afterAll(async () => {
    await t.close();
    await smtp.stop();
  });

  async function startWorker(): Promise<OrdoProcess> {
    const worker = startOrdo(['worker'], env);
    await waitFor(() => worker.stdout.includes('worker started'), {
      what: 'worker start',
      timeoutMs: 60_000,
    });
    return worker;
  }

  const confirmationJobs = () =>
    queryRows<{ state: string; n: number }>(
      t.ctx.db,
      sql`select state::text as state, count(*)::int as n from pgboss.job
          where name = 'order-confirmation-email' group by state`,
    );

  /** Earlier tests' mail must be out of the queue, so the next message is the one under test. */
  const queueDrained = async () =>
    !(await confirmationJobs()).some(
      (r) => ['created', 'retry', 'active'].includes(r.state) && r.n > 0,
    );

  const placeOrder = async (productId: string, i: number) => {
    const res = await t.http.post(
      '/api/v1/orders',
      { items: [{ productId, quantity: 1 }], shippingAddress },
      { token: customers[i % customers.length]!.token },
    );
    expect(res.status).toBe(201);
    return res.body as { id: string; number: string };
  };

  it('two workers send 200 confirmations for 200 orders, none twice', async () => {
    const workers = await Promise.all([startWorker(), startWorker()]);
    const product = await createProduct(t, { stock: 1000 });
    const orders = [];
    for (let batch = 0; batch < 4; batch++) {
      orders.push(
        ...(await Promise.all(
          Array.from({ length: 50 }, (_, i) => placeOrder(product.id, batch * 50 + i)),
        )),
      );
    }
    const confirmations = () => smtp.received.filter((m) => m.subject.endsWith(' received'));
    await waitFor(() => confirmations().length >= 200, {
      what: '200 confirmations',
      timeoutMs: 90_000,
    });
    await waitFor(
      async () => (await confirmationJobs()).find((r) => r.state === 'completed')?.n === 200,
      { what: 'all jobs completed' },
    );
    expect(confirmations()).toHaveLength(200);
    const ids = new Set(confirmations().map((m) => m.messageId));
    expect(ids.size).toBe(200);
    for (const order of orders)
      expect(ids.has(`<order-confirmation.${order.id}@ordo.localhost>`)).toBe(true);

    for (const worker of workers) worker.child.kill('SIGTERM');
    for (const worker of workers) expect((await worker.exited).code).toBe(0);
  }, 180_000);

  it('a worker killed with SIGKILL mid-send: after a restart the mail arrives, any copy with the same Message-ID', async () => {
    const product = await createProduct(t, { stock: 10 });
    const first = await startWorker();
    await waitFor(queueDrained, { what: 'an empty queue', timeoutMs: 60_000 });
    smtp.delayMs = 8_000;
    try {
      const order = await placeOrder(product.id, 0);
      const subject = `Order ${order.number} received`;
      // The message is at the SMTP server, which has not acknowledged it yet: kill the worker now.
      await waitFor(() => smtp.held.includes(subject), { what: 'message in flight' });
      first.child.kill('SIGKILL');
      expect((await first.exited).signal).toBe('SIGKILL');
      smtp.delayMs = 0;

      await startWorker();
      const copies = () => smtp.received.filter((m) => m.subject === subject);
      await waitFor(() => copies().length >= 1, { what: 'mail after restart', timeoutMs: 60_000 });
      for (const copy of copies())
        expect(copy.messageId).toBe(`<order-confirmation.${order.id}@ordo.localhost>`);
      // The log entry follows the SMTP hand-off: wait for it, then it must be the only one.
      const logged = async () =>
        (
          await queryRows<{ n: number }>(
            t.ctx.db,
            sql`select count(*)::int as n from emails where order_id = ${order.id}`,
          )
        )[0]!.n;
      await waitFor(async () => (await logged()) >= 1, { what: 'the email log entry' });
      expect(await logged()).toBe(1);
    } finally {
      smtp.delayMs = 0;
    }
  }, 120_000);

  it('a worker stopped with SIGTERM finishes the job it is running before it exits', async () => {
    const product = await createProduct(t, { stock: 10 });
    const worker = await startWorker();
    await waitFor(queueDrained, { what: 'an empty queue', timeoutMs: 60_000 });
    smtp.delayMs = 2_000;
    try {
      const order = await placeOrder(product.id, 1);
      const subject = `Order ${order.number} received`;
      await waitFor(() => smtp.held.includes(subject), { what: 'message in flight' });
      worker.child.kill('SIGTERM');
      const exit = await worker.exited;
      expect(exit.code).toBe(0);
      // It waited for the SMTP server's answer and recorded the job as done.
      expect(smtp.received.filter((m) => m.subject === subject)).toHaveLength(1);
      const [row] = await queryRows<{ state: string }>(
        t.ctx.db,
        sql`select state::text as state from pgboss.job where name = 'order-confirmation-email' and data->>'orderId' = ${order.id}`,
      );
      expect(row!.state).toBe('completed');
    } finally {
      smtp.delayMs = 0;
    }
  }, 120_000);
});
