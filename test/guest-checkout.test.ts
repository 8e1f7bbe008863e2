import { createHash, randomInt } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userTokens } from '../src/modules/auth/user.table.js';
import { tokenSecret } from '../src/modules/auth/user-token.js';
import { register } from '../src/modules/auth/auth.service.js';
import { findProduct } from '../src/modules/catalog/product.repository.js';
import { orders } from '../src/modules/orders/order.table.js';
import { payments } from '../src/modules/payments/payment.table.js';
import { createProduct, createUser } from './helpers/factories.js';
import { TestSmtpServer } from './helpers/smtp.js';
import { waitFor } from './helpers/wait.js';
import { buildTestApp, type TestApp } from './helpers/test-app.js';

// Guest checkout: quoting and placing an order without an account, the order's token (shown
// once, stored as its hash) opening that one order for reading, paying and cancelling, the
// emailed link that carries it, and the join of a guest's orders to the account that verifies
// their email. Over real HTTP on this run's database (PGlite, or PostgreSQL with DATABASE_URL).

const shippingAddress = {
  name: 'Gus Guest',
  line1: '5 Passing Lane',
  city: 'Portland',
  region: 'US-OR',
  postalCode: '97201',
  country: 'US',
  phone: '+1 503 555 0100',
};

let sequence = 0;
const guestEmail = () => `guest-${Date.now().toString(36)}-${++sequence}@example.test`;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const withToken = (token: string) => ({ headers: { 'x-order-token': token } });
/**
 * A client address of this run's own (shared address space no other test uses): rate-limit
 * counters kept in Redis outlive the test's database.
 */
const freshAddress = () => `100.${randomInt(64, 128)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;

let smtp: TestSmtpServer;
let t: TestApp;

beforeAll(async () => {
  smtp = await new TestSmtpServer().start();
  t = await buildTestApp(
    { SMTP_URL: smtp.url, PUBLIC_URL: 'https://shop.example.test', ORDER_PAYMENT_TTL: '10m' },
    { worker: true, gateway: true },
  );
});
afterAll(async () => {
  await t.close();
  await smtp.stop();
});

async function placeAsGuest(
  email = guestEmail(),
  options: { quantity?: number; price?: number } = {},
) {
  const product = await createProduct(t, { price: options.price ?? 2500, stock: 10 });
  const res = await t.http.post('/api/v1/orders', {
    items: [{ productId: product.id, quantity: options.quantity ?? 1 }],
    shippingAddress,
    email,
  });
  expect(res.status).toBe(201);
  return {
    order: res.body as { id: string; total: number; number: string; guestToken: string },
    token: res.body.guestToken as string,
    email,
    productId: product.id,
  };
}

/** The five operations a guest order's token opens, each as its customer would call it. */
const tokenOperations = (orderId: string) =>
  [
    ['GET', `/api/v1/orders/${orderId}`, undefined],
    ['GET', `/api/v1/orders/${orderId}/payments`, undefined],
    ['POST', `/api/v1/orders/${orderId}/payments`, { paymentMethod: 'pm_card_visa' }],
    ['POST', `/api/v1/orders/${orderId}/cancel`, {}],
    ['POST', `/api/v1/orders/${orderId}/checkout-session`, undefined],
  ] as const;

describe('guest checkout', () => {
  it('quotes a cart without a session', async () => {
    const product = await createProduct(t, { price: 1200, stock: 3 });
    const res = await t.http.post('/api/v1/orders/quote', {
      items: [{ productId: product.id, quantity: 2 }],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ subtotal: 2400, total: 2400, currency: 'USD' });
  });

  it('places an order with an email: 201 with the order and its token, which is stored only as its hash', async () => {
    const email = guestEmail();
    const { order, token } = await placeAsGuest(email.toUpperCase());
    expect(order).toMatchObject({
      status: 'pending_payment',
      customerId: null,
      guest: true,
      email,
      shippingAddress,
      allowedActions: ['pay', 'cancel'],
    });
    expect(token).toMatch(/^ogt_[A-Za-z0-9_-]{43}$/);
    const [row] = await t.ctx.db.select().from(orders).where(eq(orders.id, order.id));
    expect(row!.guestTokenHash).toBe(sha256(token));
    expect(row!.userId).toBeNull();
    // Nowhere in the row (nor in the first history entry's words) is the token itself.
    expect(JSON.stringify(row)).not.toContain(token.slice(4));
    // Read again with its token, the order does not show the token: it was shown once.
    const read = await t.http.get(`/api/v1/orders/${order.id}`, withToken(token));
    expect(read.status).toBe(200);
    expect(read.body.guestToken).toBeUndefined();
    expect(read.body.allowedActions).toEqual(['pay', 'cancel']);
    expect(read.headers.get('cache-control')).toBe('no-store');
  });

  it('opens the order with its token, and answers 404 NOT_FOUND with another order’s token, a forged token or none, changing nothing', async () => {
    const mine = await placeAsGuest();
    const theirs = await placeAsGuest();
    const forged = `ogt_${'A'.repeat(43)}`;
    const stockBefore = (await findProduct(t.ctx.db, mine.productId))!.stock;
    for (const [method, path, body] of tokenOperations(mine.order.id)) {
      for (const [what, options] of [
        ['another order’s token', withToken(theirs.token)],
        ['a forged token', withToken(forged)],
        ['the token with a character changed', withToken(`${mine.token.slice(0, -1)}x`)],
        ['no token', {}],
      ] as const) {
        const res = await t.http.request(method, path, body, options);
        expect([method, path, what, res.status, res.body.code]).toEqual([
          method,
          path,
          what,
          404,
          'NOT_FOUND',
        ]);
        expect(JSON.stringify(res.body)).not.toContain(mine.email);
      }
    }
    // Another customer's session is no better than a wrong token.
    const stranger = await createUser(t);
    const strangers = await t.http.get(`/api/v1/orders/${mine.order.id}`, {
      token: stranger.token,
    });
    expect(strangers.status).toBe(404);
    // Nothing moved: still unpaid, no payment attempt, no stock back.
    const read = await t.http.get(`/api/v1/orders/${mine.order.id}`, withToken(mine.token));
    expect(read.body).toMatchObject({ status: 'pending_payment', paymentStatus: 'unpaid' });
    expect(
      await t.ctx.db.select().from(payments).where(eq(payments.orderId, mine.order.id)),
    ).toHaveLength(0);
    expect((await findProduct(t.ctx.db, mine.productId))!.stock).toBe(stockBefore);
  });

  it('pays as a guest with the token: the order is paid and says so to its holder', async () => {
    const { order, token } = await placeAsGuest();
    const paid = await t.http.post(
      `/api/v1/orders/${order.id}/payments`,
      { paymentMethod: 'pm_card_visa' },
      withToken(token),
    );
    expect(paid.status).toBe(201);
    expect(paid.body).toMatchObject({ status: 'succeeded', amount: order.total });
    const read = await t.http.get(`/api/v1/orders/${order.id}`, withToken(token));
    expect(read.body).toMatchObject({ status: 'paid', paymentStatus: 'paid', allowedActions: [] });
    const listed = await t.http.get(`/api/v1/orders/${order.id}/payments`, withToken(token));
    expect(listed.status).toBe(200);
    expect(listed.body).toHaveLength(1);
  });

  it('opens the hosted payment page for a guest with the token', async () => {
    const { order, token } = await placeAsGuest();
    const res = await t.http.post(
      `/api/v1/orders/${order.id}/checkout-session`,
      undefined,
      withToken(token),
    );
    expect(res.status).toBe(201);
    expect(res.body.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
  });

  it('cancels as a guest with the token: the stock comes back, and history names the guest to staff', async () => {
    const { order, token, productId } = await placeAsGuest(guestEmail(), { quantity: 3 });
    expect((await findProduct(t.ctx.db, productId))!.stock).toBe(7);
    const res = await t.http.post(
      `/api/v1/orders/${order.id}/cancel`,
      { reason: 'ordered the wrong size' },
      withToken(token),
    );
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('cancelled');
    // The guest reads their own words back.
    expect(res.body.history.at(-1)).toMatchObject({
      to: 'cancelled',
      reason: 'ordered the wrong size',
    });
    expect((await findProduct(t.ctx.db, productId))!.stock).toBe(10);
    const staff = await createUser(t, { role: 'staff' });
    const seen = await t.http.get(`/api/v1/admin/orders/${order.id}`, { token: staff.token });
    expect(seen.body).toMatchObject({ guest: true, customerId: null });
    expect(seen.body.history.at(-1)).toMatchObject({
      actorId: null,
      actorRole: 'guest',
      actorName: 'Guest',
    });
    // Staff see the order but do not hold the customer's token: no pay for them.
    expect(seen.body.allowedActions).not.toContain('pay');
  });

  it('emails the order page with the token in the link’s fragment; the link opens the order; the email log redacts it', async () => {
    const { order, token, email } = await placeAsGuest();
    const mail = await waitFor(
      () => smtp.to(email).find((m) => m.subject.includes(String(order.number))),
      { what: 'the guest’s confirmation email' },
    );
    const link = `https://shop.example.test/orders/${order.id}#token=${token}`;
    expect(mail.text).toContain(link);
    const fromEmail = /#token=(ogt_[A-Za-z0-9_-]+)/.exec(mail.text)![1]!;
    const opened = await t.http.get(`/api/v1/orders/${order.id}`, withToken(fromEmail));
    expect(opened.status).toBe(200);
    const admin = await createUser(t, { role: 'admin' });
    const logged = await t.http.get(`/api/v1/admin/emails?orderId=${order.id}`, {
      token: admin.token,
    });
    const entry = logged.body.items[0];
    expect(entry.redacted).toBe(true);
    expect(entry.text).not.toContain(token);
    expect(entry.html).not.toContain(token);
  });

  it('joins the orders to an account that verifies the same email, and not before', async () => {
    const email = guestEmail();
    const first = await placeAsGuest(email);
    const second = await placeAsGuest(email);
    const elsewhere = await placeAsGuest();
    const password = 'correct horse battery staple';
    const user = await register(t.ctx, { email, password, name: 'Gus' });
    const login = await t.http.post('/api/v1/auth/login', { email, password });
    const session = login.body.accessToken as string;

    // Registered but not verified: the account has not proven the email is its own.
    const before = await t.http.get('/api/v1/orders', { token: session });
    expect(before.body.total).toBe(0);
    expect((await t.http.get(`/api/v1/orders/${first.order.id}`, { token: session })).status).toBe(
      404,
    );

    const [row] = await t.ctx.db
      .select()
      .from(userTokens)
      .where(and(eq(userTokens.userId, user.id), eq(userTokens.kind, 'verify_email')));
    const verified = await t.http.post('/api/v1/auth/verify-email', {
      token: tokenSecret(t.ctx.jwtSecret, row!),
    });
    expect(verified.status).toBe(200);

    const after = await t.http.get('/api/v1/orders', { token: session });
    expect(after.body.items.map((o: { id: string }) => o.id).sort()).toEqual(
      [first.order.id, second.order.id].sort(),
    );
    const joined = await t.http.get(`/api/v1/orders/${first.order.id}`, { token: session });
    expect(joined.body).toMatchObject({
      customerId: user.id,
      guest: true,
      allowedActions: ['pay', 'cancel'],
    });
    // The account pays it as its own; the emailed token still opens it.
    const paid = await t.http.post(
      `/api/v1/orders/${second.order.id}/payments`,
      { paymentMethod: 'pm_card_visa' },
      { token: session },
    );
    expect(paid.status).toBe(201);
    expect(
      (await t.http.get(`/api/v1/orders/${first.order.id}`, withToken(first.token))).status,
    ).toBe(200);
    // Another email's guest order stays the guest's.
    const [other] = await t.ctx.db.select().from(orders).where(eq(orders.id, elsewhere.order.id));
    expect(other!.userId).toBeNull();
  });

  it('replays a guest’s Idempotency-Key with the same order and token', async () => {
    const product = await createProduct(t, { stock: 5 });
    const body = {
      items: [{ productId: product.id, quantity: 1 }],
      shippingAddress,
      email: guestEmail(),
    };
    const headers = { 'idempotency-key': `guest-${Date.now()}` };
    const first = await t.http.post('/api/v1/orders', body, { headers });
    const again = await t.http.post('/api/v1/orders', body, { headers });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.guestToken).toBe(first.body.guestToken);
    expect((await findProduct(t.ctx.db, product.id))!.stock).toBe(4);
  });

  it('refuses a guest order without an email, an email with a session, and a saved address without one', async () => {
    const product = await createProduct(t);
    const items = [{ productId: product.id, quantity: 1 }];
    const noEmail = await t.http.post('/api/v1/orders', { items, shippingAddress });
    expect(noEmail.status).toBe(400);
    expect(noEmail.body).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(noEmail.body.errors).toEqual([expect.objectContaining({ path: 'body.email' })]);
    const badEmail = await t.http.post('/api/v1/orders', {
      items,
      shippingAddress,
      email: 'not an email',
    });
    expect(badEmail.status).toBe(400);
    const customer = await createUser(t);
    const signedIn = await t.http.post(
      '/api/v1/orders',
      { items, shippingAddress, email: guestEmail() },
      { token: customer.token },
    );
    expect(signedIn.status).toBe(400);
    expect(signedIn.body.errors).toEqual([expect.objectContaining({ path: 'body.email' })]);
    const saved = await t.http.post('/api/v1/orders', {
      items,
      shippingAddressId: 'adr_anything',
      email: guestEmail(),
    });
    expect(saved.status).toBe(401);
    expect(saved.body.code).toBe('UNAUTHENTICATED');
    // A bad session is never taken for a guest.
    const expired = await t.http.post(
      '/api/v1/orders',
      { items, shippingAddress, email: guestEmail() },
      { token: 'not-a-token' },
    );
    expect(expired.status).toBe(401);
    expect((await findProduct(t.ctx.db, product.id))!.stock).toBe(10);
  });
});

describe('guest checkout’s limits', () => {
  let limited: TestApp;
  beforeAll(async () => {
    limited = await buildTestApp({ RATE_LIMIT_GUEST_ORDERS: '3', MAX_UNPAID_ORDERS: '2' });
  });
  afterAll(() => limited.close());

  const place = (email: string, productId: string, remoteAddress: string, token?: string) =>
    limited.app.inject({
      method: 'POST',
      url: '/api/v1/orders',
      remoteAddress,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      payload: {
        items: [{ productId, quantity: 1 }],
        shippingAddress,
        ...(token ? {} : { email }),
      },
    });

  it('counts a guest’s unpaid orders by email (409 TOO_MANY_UNPAID_ORDERS), another email is another guest', async () => {
    const product = await createProduct(limited, { stock: 20 });
    const email = guestEmail();
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      statuses.push((await place(email, product.id, freshAddress())).statusCode);
    }
    expect(statuses).toEqual([201, 201, 409]);
    const refused = await place(email, product.id, freshAddress());
    expect(refused.json()).toMatchObject({ code: 'TOO_MANY_UNPAID_ORDERS' });
    // The same email in other letters is the same guest.
    expect((await place(email.toUpperCase(), product.id, freshAddress())).statusCode).toBe(409);
    expect((await place(guestEmail(), product.id, freshAddress())).statusCode).toBe(201);
    expect((await findProduct(limited.ctx.db, product.id))!.stock).toBe(17);
  });

  it('limits guest orders per client address with 429 RATE_LIMITED and Retry-After; sessions and other addresses go on', async () => {
    const product = await createProduct(limited, { stock: 50 });
    const address = freshAddress();
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      statuses.push((await place(guestEmail(), product.id, address)).statusCode);
    }
    expect(statuses).toEqual([201, 201, 201, 429]);
    const cut = await place(guestEmail(), product.id, address);
    expect(cut.json()).toMatchObject({ code: 'RATE_LIMITED' });
    expect(Number(cut.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await place(guestEmail(), product.id, freshAddress())).statusCode).toBe(201);
    const customer = await createUser(limited);
    expect((await place('', product.id, address, customer.token)).statusCode).toBe(201);
  });
});

describe('with ALLOW_GUEST_CHECKOUT=false', () => {
  let closed: TestApp;
  beforeAll(async () => {
    closed = await buildTestApp({ ALLOW_GUEST_CHECKOUT: 'false' });
  });
  afterAll(() => closed.close());

  it('quoting and ordering need a session again: 401 UNAUTHENTICATED, nothing reserved', async () => {
    const product = await createProduct(closed, { stock: 2 });
    const items = [{ productId: product.id, quantity: 1 }];
    const quote = await closed.http.post('/api/v1/orders/quote', { items });
    expect([quote.status, quote.body.code]).toEqual([401, 'UNAUTHENTICATED']);
    const order = await closed.http.post('/api/v1/orders', {
      items,
      shippingAddress,
      email: guestEmail(),
    });
    expect([order.status, order.body.code]).toEqual([401, 'UNAUTHENTICATED']);
    const read = await closed.http.get('/api/v1/orders/ord_00000000000000000000000000');
    expect([read.status, read.body.code]).toEqual([401, 'UNAUTHENTICATED']);
    expect((await findProduct(closed.ctx.db, product.id))!.stock).toBe(2);
    // The document offers no guest operation.
    const doc = await closed.http.get('/openapi.json');
    expect(doc.body.paths['/api/v1/orders'].post.security).toEqual([{ bearerAuth: [] }]);
  });
});
