import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { queryRows } from '../src/db/client.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProduct, createUser } from './helpers/factories.js';
import { TestSmtpServer } from './helpers/smtp.js';
import { waitFor } from './helpers/wait.js';
import { buildTestApp, type TestApp } from './helpers/test-app.js';

// Real mail to a real SMTP server on loopback, sent by the real job worker, on the database
// of this run (PGlite by default, PostgreSQL with DATABASE_URL).

const shippingAddress = {
  name: 'Grace Hopper',
  line1: '1 Navy Way',
  line2: 'Apt 3',
  city: 'Arlington',
  postalCode: '22202',
  country: 'US',
};

let smtp: TestSmtpServer;
let t: TestApp;
let templatesDir: string;

beforeAll(async () => {
  smtp = await new TestSmtpServer().start();
  templatesDir = await mkdtemp(join(tmpdir(), 'ordo-templates-'));
  // A shop's override of one template; everything else stays built in.
  await writeFile(
    join(templatesDir, 'password-reset.subject.hbs'),
    'Your {{shopName}} password reset link',
  );
  t = await buildTestApp(
    {
      SMTP_URL: smtp.url,
      MAIL_FROM: 'Corner Shop <hello@corner.test>',
      PUBLIC_URL: 'https://shop.example.test',
      MAIL_TEMPLATES_DIR: templatesDir,
      SHIPPING_FLAT_RATE: '499',
      JOB_RETRY_LIMIT: '3',
    },
    { worker: true },
  );
});
afterAll(async () => {
  await t.close();
  await smtp.stop();
  await rm(templatesDir, { recursive: true, force: true });
});

async function jobsNamed(name: string, orderId?: string) {
  return queryRows<{ id: string; state: string; retryCount: number; data: Record<string, string> }>(
    t.ctx.db,
    sql`select id, state::text as state, retry_count as "retryCount", data from pgboss.job where name = ${name}
        and (${orderId ?? null}::text is null or data->>'orderId' = ${orderId ?? null})`,
  );
}

const tokenFrom = (text: string) => {
  const match = /token=([^\s&"]+)/.exec(text);
  if (!match) throw new Error(`no token link in: ${text}`);
  return decodeURIComponent(match[1]!);
};

describe('account emails', () => {
  it('sends a verification email on registration whose link verifies the address once', async () => {
    const email = `verify-${Date.now()}@example.test`;
    const res = await t.http.post('/api/v1/auth/register', {
      email,
      password: 'a fine passphrase',
      name: 'Vera',
    });
    expect(res.status).toBe(201);
    const [mail] = await waitFor(() => smtp.to(email).length > 0 && smtp.to(email), {
      what: 'verification email',
    });
    expect(mail!.subject).toBe('Confirm your email address');
    expect(mail!.from).toContain('hello@corner.test');
    expect(mail!.text).toContain('Hello Vera');
    expect(mail!.text).toContain('https://shop.example.test/verify-email?token=');
    expect(mail!.messageId).toMatch(/^<verification\.tok_[0-9a-z]+@corner\.test>$/);

    const token = tokenFrom(mail!.text);
    const verified = await t.http.post('/api/v1/auth/verify-email', { token });
    expect(verified.status).toBe(200);
    expect(verified.body.emailVerified).toBe(true);
    const again = await t.http.post('/api/v1/auth/verify-email', { token });
    expect(again.status).toBe(422);
    expect(again.body.code).toBe('INVALID_TOKEN');
    const forged = await t.http.post('/api/v1/auth/verify-email', {
      token: `${token.split('.')[0]}.forged`,
    });
    expect(forged.status).toBe(422);
  });

  it('resets a password with a single-use, expiring emailed link that ends every session', async () => {
    const u = await createUser(t);
    const unknown = await t.http.post('/api/v1/auth/password-reset/request', {
      email: 'nobody@example.test',
    });
    expect(unknown.status).toBe(202);
    const res = await t.http.post('/api/v1/auth/password-reset/request', {
      email: u.email.toUpperCase(),
    });
    expect(res.status).toBe(202);
    const mail = await waitFor(() => smtp.to(u.email).find((m) => m.subject.includes('password')), {
      what: 'password reset email',
    });
    expect(mail.subject).toBe('Your Corner Shop password reset link');
    const token = tokenFrom(mail.text);

    const weak = await t.http.post('/api/v1/auth/password-reset/confirm', {
      token,
      password: 'short',
    });
    expect(weak.status).toBe(400);
    const ok = await t.http.post('/api/v1/auth/password-reset/confirm', {
      token,
      password: 'a brand new passphrase',
    });
    expect(ok.status).toBe(204);
    expect(
      (await t.http.post('/api/v1/auth/refresh', { refreshToken: u.refreshToken })).status,
    ).toBe(401);
    expect(
      (
        await t.http.post('/api/v1/auth/login', {
          email: u.email,
          password: 'a brand new passphrase',
        })
      ).status,
    ).toBe(200);
    const reused = await t.http.post('/api/v1/auth/password-reset/confirm', {
      token,
      password: 'yet another passphrase',
    });
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('INVALID_TOKEN');
    expect(smtp.received.some((m) => m.to.includes('nobody@example.test'))).toBe(false);
  });

  it('refuses a reset link after it expires', async () => {
    const u = await createUser(t);
    await t.http.post('/api/v1/auth/password-reset/request', { email: u.email });
    const mail = await waitFor(() => smtp.to(u.email).find((m) => m.subject.includes('password')), {
      what: 'reset email',
    });
    t.clock.advance(61 * 60_000);
    try {
      const res = await t.http.post('/api/v1/auth/password-reset/confirm', {
        token: tokenFrom(mail.text),
        password: 'too late passphrase',
      });
      expect(res.status).toBe(422);
    } finally {
      t.clock.advance(-61 * 60_000);
    }
  });
});

describe('order confirmation', () => {
  it('emails the customer the number, lines, prices, totals, address and a link', async () => {
    const buyer = await createUser(t);
    const mug = await createProduct(t, { name: 'Stoneware Mug', price: 1800, stock: 10 });
    const tea = await createProduct(t, { name: 'Sencha <Green> Tea', price: 1450, stock: 10 });
    const placed = await t.http.post(
      '/api/v1/orders',
      {
        items: [
          { productId: mug.id, quantity: 2 },
          { productId: tea.id, quantity: 1 },
        ],
        shippingAddress,
      },
      { token: buyer.token },
    );
    expect(placed.status).toBe(201);
    const order = placed.body;
    const mail = await waitFor(
      () => smtp.to(buyer.email).find((m) => m.subject.includes(order.number)),
      {
        what: 'confirmation email',
      },
    );
    expect(mail.subject).toBe(`Order ${order.number} received`);
    expect(mail.messageId).toBe(`<order-confirmation.${order.id}@corner.test>`);
    for (const text of [
      'Stoneware Mug',
      '2 × $18.00 = $36.00',
      'Sencha <Green> Tea',
      '1 × $14.50 = $14.50',
      'Subtotal: $50.50',
      'Shipping: $4.99',
      'Total: $55.49',
      'Grace Hopper',
      '1 Navy Way',
      'Apt 3',
      '22202 Arlington',
      `https://shop.example.test/orders/${order.id}`,
      `We have received your order ${order.number}`,
      'It is not paid yet. Please complete payment by',
    ]) {
      expect(mail.text).toContain(text);
    }
    // Sent before payment, it reads as an order received, never as a receipt.
    expect(mail.text).not.toMatch(/thank you for your order|payment has been received/i);
    expect(mail.html).toContain('Sencha &lt;Green&gt; Tea');
    expect(mail.html).toContain('$55.49');

    const listed = await t.http.get(`/api/v1/admin/emails?orderId=${order.id}`, {
      token: (await createUser(t, { role: 'staff' })).token,
    });
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([
      expect.objectContaining({
        kind: 'order-confirmation',
        to: buyer.email,
        orderId: order.id,
        transport: 'smtp',
      }),
    ]);
  });

  it('enqueues exactly one confirmation for a committed order and none for a rolled-back one', async () => {
    const buyer = await createUser(t);
    const product = await createProduct(t, { stock: 1 });
    const before = (await jobsNamed('order-confirmation-email')).length;
    const placed = await t.http.post(
      '/api/v1/orders',
      { items: [{ productId: product.id, quantity: 1 }], shippingAddress },
      { token: buyer.token },
    );
    expect(placed.status).toBe(201);
    // Out of stock now: this order's transaction rolls back after reserving nothing.
    const refused = await t.http.post(
      '/api/v1/orders',
      { items: [{ productId: product.id, quantity: 1 }], shippingAddress },
      { token: buyer.token },
    );
    expect(refused.status).toBe(409);
    // A promo code that does not apply fails after stock was reserved: rolled back too.
    const other = await createProduct(t, { stock: 5 });
    const promo = await t.http.post(
      '/api/v1/orders',
      { items: [{ productId: other.id, quantity: 1 }], shippingAddress, promoCode: 'NOPE' },
      { token: buyer.token },
    );
    expect(promo.status).toBe(422);

    const jobs = await jobsNamed('order-confirmation-email');
    expect(jobs.length).toBe(before + 1);
    expect(await jobsNamed('order-confirmation-email', placed.body.id)).toHaveLength(1);
  });
});

describe('when SMTP fails', () => {
  it('retries while SMTP is down and delivers once it is back', async () => {
    const buyer = await createUser(t);
    const product = await createProduct(t, { stock: 5 });
    await waitFor(() => smtp.to(buyer.email).length > 0, { what: 'verification email first' });
    smtp.refuse = true;
    const refusedBefore = smtp.refused;
    try {
      const placed = await t.http.post(
        '/api/v1/orders',
        { items: [{ productId: product.id, quantity: 1 }], shippingAddress },
        { token: buyer.token },
      );
      expect(placed.status).toBe(201);
      // Two attempts failed (the second one is retry 1), and the job waits for another.
      await waitFor(
        async () => {
          const [job] = await jobsNamed('order-confirmation-email', placed.body.id);
          return job?.state === 'retry' && job.retryCount >= 1;
        },
        { what: 'two failed attempts', timeoutMs: 30_000 },
      );
      expect(smtp.refused).toBeGreaterThanOrEqual(refusedBefore + 2);
      expect(
        smtp.to(buyer.email).filter((m) => m.subject.includes(placed.body.number)),
      ).toHaveLength(0);
      smtp.refuse = false;
      const mine = () => smtp.to(buyer.email).filter((m) => m.subject.includes(placed.body.number));
      await waitFor(() => mine().length > 0, {
        what: 'delivery after SMTP came back',
        timeoutMs: 30_000,
      });
      await waitFor(
        async () =>
          (await jobsNamed('order-confirmation-email', placed.body.id))[0]?.state === 'completed',
        {
          what: 'job completed',
        },
      );
      expect(mine()).toHaveLength(1);
    } finally {
      smtp.refuse = false;
    }
  });
});

describe('dead letters', () => {
  let dead: TestApp;
  let deadSmtp: TestSmtpServer;
  beforeAll(async () => {
    deadSmtp = await new TestSmtpServer().start();
    dead = await buildTestApp(
      { SMTP_URL: deadSmtp.url, JOB_RETRY_LIMIT: '1', JOB_RETRY_DELAY: '1s' },
      { worker: true },
    );
  });
  afterAll(async () => {
    await dead.close();
    await deadSmtp.stop();
  });

  it('ends in a visible dead state after the last attempt, and an admin retry delivers it', async () => {
    const admin = await createUser(dead, { role: 'admin' });
    deadSmtp.refuse = true;
    const buyer = await createUser(dead);
    const product = await createProduct(dead, { stock: 5 });
    const placed = await dead.http.post(
      '/api/v1/orders',
      { items: [{ productId: product.id, quantity: 1 }], shippingAddress },
      { token: buyer.token },
    );
    expect(placed.status).toBe(201);

    const deadJob = await waitFor(
      async () => {
        const res = await dead.http.get(
          '/api/v1/admin/jobs?status=dead&queue=order-confirmation-email',
          { token: admin.token },
        );
        return res.body.items.find(
          (j: { payload: { orderId: string } }) => j.payload.orderId === placed.body.id,
        );
      },
      { what: 'dead confirmation job', timeoutMs: 30_000 },
    );
    expect(deadJob).toMatchObject({
      status: 'dead',
      attempts: 2,
      maxAttempts: 2,
      queue: 'order-confirmation-email',
    });
    expect(deadJob.lastError).toBeTruthy();
    expect(deadSmtp.received).toHaveLength(0);

    const customer = await createUser(dead);
    const forbidden = await dead.http.get('/api/v1/admin/jobs', { token: customer.token });
    expect(forbidden.status).toBe(403);
    const missing = await dead.http.post(
      '/api/v1/admin/jobs/00000000-0000-4000-8000-000000000000/retry',
      undefined,
      { token: admin.token },
    );
    expect(missing.status).toBe(404);

    deadSmtp.refuse = false;
    const retried = await dead.http.post(`/api/v1/admin/jobs/${deadJob.id}/retry`, undefined, {
      token: admin.token,
    });
    expect(retried.status).toBe(200);
    const mail = await waitFor(
      () => deadSmtp.to(buyer.email).find((m) => m.subject.includes(placed.body.number)),
      {
        what: 'mail after admin retry',
      },
    );
    expect(mail.messageId).toBe(`<order-confirmation.${placed.body.id}@ordo.localhost>`);
    const after = await dead.http.get('/api/v1/admin/jobs?status=dead', { token: admin.token });
    expect(after.body.items.some((j: { id: string }) => j.id === deadJob.id)).toBe(false);
  });
});
