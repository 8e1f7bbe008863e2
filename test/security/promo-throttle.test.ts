import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProduct, createUser, type TestUser } from '../helpers/factories.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';

// Requests go through fastify's inject with client addresses of their own (TEST-NET-2), so the
// per-address counters, kept in Redis on the PostgreSQL run, are this test's alone.
let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({ RATE_LIMIT_PROMO: '10', RATE_LIMIT_PROMO_ADDRESS: '25' });
});
afterAll(() => t.close());

const used = new Set<string>();
/** A client address no other test in this run has used. */
function freshAddress(): string {
  for (;;) {
    const ip = `198.51.${randomInt(0, 256)}.${randomInt(1, 255)}`;
    if (!used.has(ip)) {
      used.add(ip);
      return ip;
    }
  }
}

const shippingAddress = {
  name: 'G. Uesser',
  line1: '1 Code Street',
  city: 'Leeds',
  postalCode: 'LS1 1AA',
  country: 'GB',
};

async function send(
  buyer: TestUser,
  url: '/api/v1/orders/quote' | '/api/v1/orders',
  body: Record<string, unknown>,
  remoteAddress: string,
) {
  const res = await t.app.inject({
    method: 'POST',
    url,
    payload: body,
    remoteAddress,
    headers: { authorization: `Bearer ${buyer.token}` },
  });
  return { status: res.statusCode, headers: res.headers, body: res.json<Record<string, any>>() };
}

const tally = (statuses: number[]) =>
  statuses.reduce<Record<number, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {});

describe('promo codes cannot be guessed at speed', () => {
  it('cuts 300 parallel guesses from one customer off after RATE_LIMIT_PROMO, with 429 RATE_LIMITED and Retry-After', async () => {
    const buyer = await createUser(t);
    const product = await createProduct(t, { stock: 5 });
    const items = [{ productId: product.id, quantity: 1 }];
    // Each guess from its own address: only the per-customer limit can stop them.
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        send(buyer, '/api/v1/orders/quote', { items, promoCode: `GUESS${i}` }, freshAddress()),
      ),
    );
    expect(tally(results.map((r) => r.status))).toEqual({ 200: 10, 429: 290 });
    for (const r of results.filter((r) => r.status === 429)) {
      expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(r.body.code).toBe('RATE_LIMITED');
      const retryAfter = Number(r.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
    }

    // Placing an order with a code is throttled in the same count...
    const order = await send(
      buyer,
      '/api/v1/orders',
      { items, promoCode: 'GUESS-ORDER', shippingAddress },
      freshAddress(),
    );
    expect(order.status).toBe(429);
    expect(order.body.code).toBe('RATE_LIMITED');
    // ...but a quote and an order without a code are never counted, and go through.
    expect((await send(buyer, '/api/v1/orders/quote', { items }, freshAddress())).status).toBe(200);
    const plain = await send(buyer, '/api/v1/orders', { items, shippingAddress }, freshAddress());
    expect(plain.status).toBe(201);
    // Another customer is not held back by this one.
    const other = await createUser(t);
    const theirs = await send(
      other,
      '/api/v1/orders/quote',
      { items, promoCode: 'GUESS-OTHER' },
      freshAddress(),
    );
    expect(theirs.status).toBe(200);
  });

  it('cuts guesses from one address off after RATE_LIMIT_PROMO_ADDRESS, whatever the accounts', async () => {
    const product = await createProduct(t, { stock: 5 });
    const items = [{ productId: product.id, quantity: 1 }];
    const buyers = await Promise.all(Array.from({ length: 15 }, () => createUser(t)));
    const ip = freshAddress();
    // 15 accounts, 4 guesses each (under each account's 10), 60 guesses from one address.
    const results = await Promise.all(
      buyers.flatMap((buyer, b) =>
        Array.from({ length: 4 }, (_, i) =>
          send(buyer, '/api/v1/orders/quote', { items, promoCode: `ADDR${b}X${i}` }, ip),
        ),
      ),
    );
    expect(tally(results.map((r) => r.status))).toEqual({ 200: 25, 429: 35 });
    expect(results.find((r) => r.status === 429)!.body.detail).toMatch(/this address/);
    // Another address is not affected.
    const elsewhere = await send(
      buyers[0]!,
      '/api/v1/orders/quote',
      { items, promoCode: 'ADDR-ELSEWHERE' },
      freshAddress(),
    );
    expect(elsewhere.status).toBe(200);
  });
});
