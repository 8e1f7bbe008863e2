import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAllOrdo, startOrdo, waitForReady, type OrdoProcess } from '../helpers/cli.js';
import {
  createAdmin,
  createProduct,
  faultReport,
  registerCustomer,
  shippingAddress,
  sigterm,
} from '../helpers/load.js';
import { TestSmtpServer } from '../helpers/smtp.js';
import { HttpClient } from '../helpers/test-app.js';
import { freePort, waitFor } from '../helpers/wait.js';

// The SMTP relay refuses mail for a while: it turns connections away (421, as a server down
// for maintenance does), or takes each message and then answers 451 (a temporary failure
// after DATA). Orders are placed meanwhile; their confirmations fail, are listed as retrying
// with the relay's answer (GET /api/v1/admin/jobs) and logged, and are retried with backoff
// (JOB_RETRY_DELAY 1 s here: 1-2 s, then 2-4 s, ...). Once the relay accepts again every
// confirmation arrives, once. `ordo serve` on the embedded default, whose worker sends them.

const ORDERS = 8;
const OUTAGE_MS = 4_000;

interface Job {
  queue: string;
  status: 'retrying' | 'dead';
  payload: { orderId?: string };
  lastError: string | null;
}

describe('the SMTP server refuses mail for a while', () => {
  let dataDir: string;
  let smtp: TestSmtpServer;
  let ordo: OrdoProcess;
  let http: HttpClient;
  let admin: string;
  let token: string;
  let productId: string;

  beforeAll(async () => {
    smtp = await new TestSmtpServer().start();
    dataDir = mkdtempSync(join(tmpdir(), 'ordo-smtp-outage-'));
    const env = {
      DATA_DIR: dataDir,
      SMTP_URL: smtp.url,
      JOB_RETRY_DELAY: '1s',
      JOB_POLL_INTERVAL: '500ms',
      RATE_LIMIT_AUTH: '1000',
      MAX_UNPAID_ORDERS: '0',
      MAX_UNITS_PER_PRODUCT: '0',
      LOG_LEVEL: 'warn',
    };
    const loginAdmin = await createAdmin(env);
    const port = await freePort();
    ordo = startOrdo(['serve'], {
      ...env,
      PORT: String(port),
      GATEWAY_PORT: String(await freePort()),
    });
    http = new HttpClient(`http://127.0.0.1:${port}`);
    await waitForReady(ordo, http.baseUrl);
    admin = await loginAdmin(http);
    token = (await registerCustomer(http)).token;
    productId = (await createProduct(http, admin, { stock: 10_000 })).id;
  }, 120_000);
  afterAll(async () => {
    await killAllOrdo();
    await smtp?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const troubled = async (status: 'retrying' | 'dead') =>
    (
      await http.get(
        `/api/v1/admin/jobs?status=${status}&queue=order-confirmation-email&pageSize=100`,
        { token: admin },
      )
    ).body.items as Job[];

  it.each([
    {
      how: 'turns connections away with 421',
      answer: /421/,
      set: (on: boolean) => (smtp.refuse = on),
      count: () => smtp.refused,
    },
    {
      how: 'takes each message and answers 451',
      answer: /451/,
      set: (on: boolean) => (smtp.rejectData = on),
      count: () => smtp.rejected,
    },
  ])(
    'it $how: every confirmation is retried and arrives once it accepts again',
    { timeout: 120_000 },
    async ({ how, answer, set, count }) => {
      const refusedBefore = count();
      const logBefore = ordo.stdout.length;
      set(true);
      const down = Date.now();
      const orders: { id: string; number: string }[] = [];
      try {
        for (let i = 0; i < ORDERS; i++) {
          const res = await http.post(
            '/api/v1/orders',
            { items: [{ productId, quantity: 1 }], shippingAddress },
            { token },
          );
          expect(res.status).toBe(201);
          orders.push(res.body);
        }
        // Each confirmation failed at least once, and says why: the relay's answer.
        const seen = new Map<string, string>();
        await waitFor(
          async () => {
            for (const job of await troubled('retrying'))
              if (job.payload.orderId) seen.set(job.payload.orderId, job.lastError ?? '');
            return orders.every((o) => seen.has(o.id)) && Date.now() - down >= OUTAGE_MS;
          },
          { what: 'every confirmation retrying', timeoutMs: 60_000, intervalMs: 200 },
        );
        for (const order of orders) expect(seen.get(order.id)).toMatch(answer);
        expect(ordo.stdout.slice(logBefore)).toContain('job failed; will retry');
        // Mail is not a readiness dependency: the shop keeps taking orders.
        expect((await http.get('/readyz')).status).toBe(200);
        expect(
          smtp.received.filter((m) => orders.some((o) => m.subject.includes(o.number))),
        ).toEqual([]);
      } finally {
        set(false);
      }
      const up = Date.now();
      const refusals = count() - refusedBefore;
      expect(refusals).toBeGreaterThanOrEqual(ORDERS);

      const copiesOf = (order: { number: string }) =>
        smtp.received.filter((m) => m.subject === `Order ${order.number} received`);
      await waitFor(() => orders.every((o) => copiesOf(o).length > 0), {
        what: 'every confirmation after the outage',
        timeoutMs: 60_000,
        intervalMs: 100,
      });
      const allSentMs = Date.now() - up;
      await waitFor(async () => (await troubled('retrying')).length === 0, {
        what: 'no confirmation retrying',
        timeoutMs: 30_000,
        intervalMs: 200,
      });
      const duplicates = orders.reduce((n, o) => n + copiesOf(o).length - 1, 0);
      for (const order of orders) {
        expect(copiesOf(order)).toHaveLength(1);
        expect(copiesOf(order)[0]!.messageId).toBe(
          `<order-confirmation.${order.id}@ordo.localhost>`,
        );
      }
      expect(await troubled('dead')).toEqual([]);
      expect(ordo.child.exitCode).toBeNull();
      faultReport(`SMTP outage: ${how}`, {
        outageMs: up - down,
        orders: orders.length,
        refusals,
        allSentMsAfterRecovery: allSentMs,
        duplicates,
      });
    },
  );

  it('shuts down cleanly after the outages', async () => {
    expect((await sigterm(ordo)).code).toBe(0);
  });
});
