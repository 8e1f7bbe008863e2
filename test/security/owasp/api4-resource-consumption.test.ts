import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findProduct } from '../../../src/modules/catalog/product.repository.js';
import { orders } from '../../../src/modules/orders/order.table.js';
import { createProduct, createUser, type TestUser } from '../../helpers/factories.js';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import {
  countChecks,
  createUserFromOwnAddress,
  freshAddress,
  isAdmin,
  jsonBodyOf,
  needsUser,
  openApi,
  operationsOf,
  schemasIn,
  shippingAddress,
  type Json,
  type Operation,
} from './owasp.js';

countChecks('API4:2023 Unrestricted Resource Consumption');

let t: TestApp;
let limited: TestApp;
let doc: Json;
let customer: TestUser;
let admin: TestUser;
beforeAll(async () => {
  [t, limited] = await Promise.all([
    buildTestApp(),
    buildTestApp({ RATE_LIMIT_AUTH: '3', MAX_UNPAID_ORDERS: '2', MAX_UNITS_PER_PRODUCT: '20' }),
  ]);
  doc = await openApi(t);
  [customer, admin] = await Promise.all([createUser(t), createUser(t, { role: 'admin' })]);
});
afterAll(async () => {
  await Promise.all([t.close(), limited.close()]);
});

const tokenFor = (o: Operation) =>
  isAdmin(o) ? admin.token : needsUser(o) ? customer.token : undefined;

/** Where a string's length is bounded other than by maxLength. */
const boundedString = (s: Json) =>
  s.maxLength !== undefined ||
  s.enum !== undefined ||
  s.format === 'binary' ||
  // An ISO date-time: its pattern allows any number of fraction digits, bounded by the body
  // limit (1 MiB) or the request line (16 KiB); the parsed value is one timestamp.
  s.format === 'date-time' ||
  // An anchored pattern without an unbounded repetition: `^[A-Za-z]{2}$`.
  (typeof s.pattern === 'string' && /^\^.*\$$/.test(s.pattern) && !/[*+]|\{\d+,\}/.test(s.pattern));

describe('API4:2023 Unrestricted Resource Consumption', () => {
  it('every input in the document is bounded: strings, arrays and numbers, in bodies, queries and paths', () => {
    let inputs = 0;
    for (const o of operationsOf(doc)) {
      const schemas = [
        ...((o.op.parameters ?? []) as Json[]).map((p) => ({
          where: `${p.in}:${p.name}`,
          schema: p.schema as Json,
        })),
        ...(jsonBodyOf(doc, o) ? [{ where: 'body', schema: jsonBodyOf(doc, o)! }] : []),
      ];
      for (const input of schemas) {
        for (const { where, schema } of schemasIn(doc, input.schema, `${o.id} ${input.where}`)) {
          inputs++;
          if (schema.type === 'string')
            expect([where, boundedString(schema)]).toEqual([where, true]);
          if (schema.type === 'array')
            expect([where, schema.maxItems]).toEqual([where, expect.any(Number)]);
          if (schema.type === 'integer' || schema.type === 'number') {
            expect([where, schema.maximum]).toEqual([where, expect.any(Number)]);
          }
        }
      }
    }
    expect(inputs).toBeGreaterThan(150);
  });

  it('every list caps pageSize at 100: 101 is 400, 100 answers at most 100 items', async () => {
    const lists = operationsOf(doc).filter((o) =>
      ((o.op.parameters ?? []) as Json[]).some((p) => p.name === 'pageSize'),
    );
    expect(lists.length).toBeGreaterThanOrEqual(8);
    for (const o of lists) {
      const param = (o.op.parameters as Json[]).find((p) => p.name === 'pageSize')!;
      expect([o.id, param.schema.maximum]).toEqual([o.id, 100]);
      const path = o.path.replace(/\{[^}]+\}/g, 'x_missing');
      for (const size of ['101', '1000000', '-1', '0']) {
        const res = await t.http.get(`${path}?pageSize=${size}`, { token: tokenFor(o) });
        expect([o.id, size, res.status, res.body.code]).toEqual([
          o.id,
          size,
          400,
          'VALIDATION_FAILED',
        ]);
      }
      const res = await t.http.get(`${path}?pageSize=100`, { token: tokenFor(o) });
      if (res.status === 200)
        expect([o.id, res.body.items.length <= 100, res.body.pageSize]).toEqual([o.id, true, 100]);
      else expect([o.id, res.status]).toEqual([o.id, 404]); // a list under an object that does not exist
    }
    // Deep pages are bounded too: page is at most 100,000.
    expect((await t.http.get('/api/v1/products?page=100001')).status).toBe(400);
  });

  it('a body over 1 MiB is 413 PAYLOAD_TOO_LARGE, before any work', async () => {
    const big = JSON.stringify({ email: 'a@example.test', password: 'x'.repeat(1024 * 1024) });
    const res = await t.http.post('/api/v1/auth/login', undefined, { raw: big });
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('deeply nested JSON within the size limit is a 400, never a 5xx', async () => {
    for (const depth of [1_000, 100_000, 400_000]) {
      const raw = `{"items":${'['.repeat(depth)}${']'.repeat(depth)}}`;
      const res = await t.http.post('/api/v1/orders/quote', undefined, {
        raw,
        token: customer.token,
      });
      expect([depth, res.status]).toEqual([depth, 400]);
    }
  });

  it('long strings, many items and huge quantities are 400 VALIDATION_FAILED and reserve nothing', async () => {
    const product = await createProduct(t, { stock: 10 });
    const item = { productId: product.id, quantity: 1 };
    const cases: [string, Json][] = [
      ['101 lines', { items: Array.from({ length: 101 }, () => item), shippingAddress }],
      ['1,001 units of a line', { items: [{ ...item, quantity: 1001 }], shippingAddress }],
      [
        'a 10,000-character name',
        { items: [item], shippingAddress: { ...shippingAddress, name: 'n'.repeat(10_000) } },
      ],
      [
        'a 10,000-character promo code',
        { items: [item], shippingAddress, promoCode: 'P'.repeat(10_000) },
      ],
      [
        'a 10,000-character product id',
        { items: [{ ...item, productId: 'p'.repeat(10_000) }], shippingAddress },
      ],
    ];
    for (const [what, body] of cases) {
      const res = await t.http.post('/api/v1/orders', body, { token: customer.token });
      expect([what, res.status, res.body.code]).toEqual([what, 400, 'VALIDATION_FAILED']);
    }
    expect((await findProduct(t.ctx.db, product.id))!.stock).toBe(10);
    const q = await t.http.get(`/api/v1/products?q=${'q'.repeat(5_000)}`);
    expect(q.status).toBe(400);
    const register = await t.http.post('/api/v1/auth/register', {
      email: `${'e'.repeat(300)}@example.test`,
      password: 'p'.repeat(300),
      name: 'n',
    });
    expect(register.status).toBe(400);
  });

  it('a request line or headers beyond what the server takes are refused with a 4xx', async () => {
    const res = await fetch(`${t.baseUrl}/api/v1/products?q=${'x'.repeat(64 * 1024)}`);
    expect([414, 431, 400]).toContain(res.status);
    await res.arrayBuffer();
  });

  it('an image over 5 MB is refused with 413 and nothing is stored', async () => {
    const product = await createProduct(t);
    const form = new FormData();
    form.append(
      'file',
      new Blob([new Uint8Array(6 * 1024 * 1024)], { type: 'image/png' }),
      'big.png',
    );
    const res = await fetch(`${t.baseUrl}/api/v1/admin/products/${product.id}/images`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin.token}` },
      body: form,
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as Json).code).toBe('PAYLOAD_TOO_LARGE');
    expect((await t.http.get(`/api/v1/products/${product.id}`)).body.images).toEqual([]);
  });

  it('auth requests are rate limited per address: 429 RATE_LIMITED with Retry-After', async () => {
    const ip = freshAddress();
    const answers = [];
    for (let i = 0; i < 5; i++) {
      const answer = await limited.app.inject({
        method: 'POST',
        url: '/api/v1/auth/register',
        payload: {
          email: `flood-${i}-${Date.now()}@example.test`,
          password: 'long enough password',
          name: 'Flood',
        },
        remoteAddress: ip,
      });
      answers.push(answer);
    }
    expect(answers.map((a) => a.statusCode)).toEqual([201, 201, 201, 429, 429]);
    const last = answers[4]!;
    expect(last.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Number(last.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });

  it('unpaid orders per customer are capped (MAX_UNPAID_ORDERS), so one account cannot hold stock without end', async () => {
    const buyer = await createUserFromOwnAddress(limited);
    const product = await createProduct(limited, { stock: 50 });
    const place = () =>
      limited.http.post(
        '/api/v1/orders',
        { items: [{ productId: product.id, quantity: 1 }], shippingAddress },
        { token: buyer.token },
      );
    expect((await place()).status).toBe(201);
    expect((await place()).status).toBe(201);
    const third = await place();
    expect(third.status).toBe(409);
    expect(third.body.code).toBe('TOO_MANY_UNPAID_ORDERS');
    expect(
      await limited.ctx.db.select().from(orders).where(eq(orders.email, buyer.email)),
    ).toHaveLength(2);
    expect((await findProduct(limited.ctx.db, product.id))!.stock).toBe(48);
  });
});
