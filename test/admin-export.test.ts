import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderLines, orders } from '../src/modules/orders/order.table.js';
import { EXPORT_COLUMNS } from '../src/modules/orders/export-orders.js';
import { csvField } from '../src/shared/csv.js';
import { decimalAmount } from '../src/shared/money.js';
import { newId } from '../src/shared/ids.js';
import { createAdmin, createProduct, createUser, type TestUser } from './helpers/factories.js';
import { buildTestApp, type TestApp } from './helpers/test-app.js';

let t: TestApp;
let admin: TestUser;
let staff: TestUser;
beforeAll(async () => {
  // The gateway answers the refund test's payment and refund.
  t = await buildTestApp({}, { gateway: true });
  admin = await createAdmin(t);
  staff = await createUser(t, { role: 'staff' });
});
afterAll(() => t.close());

/** An RFC 4180 parser: quoted fields with doubled quotes and line breaks, CRLF records. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else field += c;
  }
  expect(field).toBe('');
  expect(record).toEqual([]);
  return records;
}

async function exportCsv(query: Record<string, string> = {}, token = staff.token) {
  const response = await fetch(
    `${t.baseUrl}/api/v1/admin/orders/export.csv?${new URLSearchParams(query).toString()}`,
    { headers: { authorization: `Bearer ${token}` } },
  );
  const text = await response.text();
  return { response, text };
}

/** The export as objects keyed by column, after checking the header. */
async function exportRows(query: Record<string, string> = {}) {
  const { response, text } = await exportCsv(query);
  expect(response.status, text).toBe(200);
  const [header, ...rows] = parseCsv(text);
  expect(header).toEqual([...EXPORT_COLUMNS]);
  return rows.map((r) => Object.fromEntries(EXPORT_COLUMNS.map((c, i) => [c, r[i]!])));
}

const address = (extra: Record<string, string> = {}) => ({
  name: 'Ada Byron',
  line1: '1 Analytical St',
  city: 'London',
  postalCode: 'N1 9GU',
  country: 'GB',
  ...extra,
});

async function placeOrder(
  buyer: TestUser,
  items: { productId: string; quantity: number }[],
  extra: Record<string, unknown> = {},
) {
  const res = await t.http.post(
    '/api/v1/orders',
    { items, shippingAddress: address(), ...extra },
    { token: buyer.token },
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; number: string; total: number };
}

const tag = () => randomBytes(4).toString('hex');

describe('CSV cells', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['=SUM(A1:A9)', "'=SUM(A1:A9)"],
    ['+1 555', "'+1 555"],
    ['-2+3', "'-2+3"],
    ['@cmd', "'@cmd"],
    ['\tTAB', "'\tTAB"],
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ['', ''],
  ])('writes %j as %s', (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });

  it('writes numbers as they are and nothing for null', () => {
    expect(csvField(1250)).toBe('1250');
    expect(csvField(null)).toBe('');
  });

  it('formats minor units in the currency precision', () => {
    expect(decimalAmount(123456, 'USD')).toBe('1234.56');
    expect(decimalAmount(5, 'EUR')).toBe('0.05');
    expect(decimalAmount(1500, 'JPY')).toBe('1500');
    expect(decimalAmount(1234, 'KWD')).toBe('1.234');
  });
});

describe('GET /api/v1/admin/orders/export.csv', () => {
  it('streams a header and one row per order, with the whole address and every amount in major units', async () => {
    const buyer = await createUser(t, { email: `export-${tag()}@example.test` });
    const mug = await createProduct(t, { price: 1800, sku: `MUG-${tag()}` });
    const tea = await createProduct(t, { price: 1450, sku: `TEA-${tag()}` });
    const order = await placeOrder(
      buyer,
      [
        { productId: mug.id, quantity: 2 },
        { productId: tea.id, quantity: 1 },
      ],
      { shippingAddress: address({ line2: 'Flat 3' }) },
    );

    const { response, text } = await exportCsv({ email: buyer.email });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(
      /^attachment; filename="orders-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    // Streamed: no length known up front.
    expect(response.headers.get('content-length')).toBeNull();
    expect(response.headers.get('transfer-encoding')).toBe('chunked');
    expect(text.endsWith('\r\n')).toBe(true);

    const rows = await exportRows({ email: buyer.email });
    expect(rows).toEqual([
      {
        number: order.number,
        id: order.id,
        created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
        status: 'pending_payment',
        payment_status: 'unpaid',
        email: buyer.email,
        ship_to_name: 'Ada Byron',
        ship_to_line1: '1 Analytical St',
        ship_to_line2: 'Flat 3',
        ship_to_city: 'London',
        ship_to_postal_code: 'N1 9GU',
        ship_to_country: 'GB',
        items: `${mug.sku} x2; ${tea.sku} x1`,
        units: '3',
        promo_code: '',
        currency: 'USD',
        subtotal: '50.50',
        discount: '0.00',
        shipping: '0.00',
        total: '50.50',
        refunded: '0.00',
        carrier: '',
        tracking_number: '',
      },
    ]);
  });

  it('quotes commas, quotes and line breaks, and defuses formula cells', async () => {
    const buyer = await createUser(t, { email: `quote-${tag()}@example.test` });
    const product = await createProduct(t, { price: 1000 });
    const res = await t.http.post(
      '/api/v1/orders',
      {
        items: [{ productId: product.id, quantity: 1 }],
        shippingAddress: address({
          name: 'Smith, "Jo"\nSecond line',
          city: '=HYPERLINK("http://evil.example","click")',
          postalCode: '+12345',
        }),
      },
      { token: buyer.token },
    );
    expect(res.status).toBe(201);
    const { text } = await exportCsv({ email: buyer.email });
    expect(text).toContain('"Smith, ""Jo""\nSecond line"');
    expect(text).not.toMatch(/(^|,)=HYPERLINK/m);
    const [row] = await exportRows({ email: buyer.email });
    expect(row!.ship_to_name).toBe('Smith, "Jo"\nSecond line');
    expect(row!.ship_to_city).toBe(`'=HYPERLINK("http://evil.example","click")`);
    expect(row!.ship_to_postal_code).toBe("'+12345");
  });

  it('applies the list filters: status, email, from/to and promo code (any case)', async () => {
    const domain = `filters-${tag()}.example`;
    const alice = await createUser(t, { email: `alice@${domain}` });
    const bob = await createUser(t, { email: `bob@${domain}` });
    const product = await createProduct(t, { price: 4000, stock: 100 });
    const code = `EXP${tag()}`.toUpperCase();
    const promo = await t.http.post(
      '/api/v1/admin/promo-codes',
      { code, type: 'fixed', amountOff: 500 },
      { token: admin.token },
    );
    expect(promo.status).toBe(201);
    const line = [{ productId: product.id, quantity: 1 }];

    t.clock.advance(-2 * 86_400_000);
    const old = await placeOrder(alice, line).finally(() => t.clock.advance(2 * 86_400_000));
    const withCode = await placeOrder(alice, line, { promoCode: code.toLowerCase() });
    const cancelled = await placeOrder(bob, line);
    expect(
      (await t.http.post(`/api/v1/orders/${cancelled.id}/cancel`, {}, { token: bob.token })).status,
    ).toBe(200);

    const numbers = async (query: Record<string, string>) =>
      (await exportRows({ email: domain, ...query })).map((r) => r.number);

    expect(await numbers({})).toEqual([cancelled.number, withCode.number, old.number]);
    expect(await numbers({ email: `ALICE@${domain}` })).toEqual([withCode.number, old.number]);
    expect(await numbers({ status: 'cancelled' })).toEqual([cancelled.number]);
    expect(await numbers({ promoCode: code.toLowerCase() })).toEqual([withCode.number]);
    const yesterday = new Date(t.clock.now().getTime() - 86_400_000).toISOString();
    expect(await numbers({ from: yesterday })).toEqual([cancelled.number, withCode.number]);
    expect(await numbers({ to: yesterday })).toEqual([old.number]);
    const [discounted] = await exportRows({ promoCode: code });
    expect(discounted).toMatchObject({ promo_code: code, discount: '5.00', total: '35.00' });
  });

  it('gives what a partial refund returned, in the same unit as the total', async () => {
    const buyer = await createUser(t, { email: `refund-${tag()}@example.test` });
    const product = await createProduct(t, { price: 2500 });
    const order = await placeOrder(buyer, [{ productId: product.id, quantity: 1 }]);
    const paid = await t.http.post(
      `/api/v1/orders/${order.id}/payments`,
      { paymentMethod: 'pm_card_visa' },
      { token: buyer.token },
    );
    expect(paid.status, JSON.stringify(paid.body)).toBe(201);
    const refund = await t.http.post(
      `/api/v1/admin/orders/${order.id}/refund`,
      { amount: 1000, reason: 'goodwill' },
      { token: staff.token },
    );
    expect(refund.status, JSON.stringify(refund.body)).toBe(200);
    const payments = await t.http.get(`/api/v1/orders/${order.id}/payments`, {
      token: buyer.token,
    });
    expect(payments.body[0].refundedAmount).toBe(1000);

    const [row] = await exportRows({ email: buyer.email });
    expect(row).toMatchObject({
      payment_status: 'partially_refunded',
      currency: 'USD',
      total: '25.00',
      refunded: '10.00',
    });
  });

  it('refuses bad filters like the list does', async () => {
    const queries: Record<string, string>[] = [
      { status: 'lost' },
      { from: 'yesterday' },
      { page: '2' },
    ];
    for (const query of queries) {
      const { response, text } = await exportCsv(query);
      expect(response.status).toBe(400);
      expect(JSON.parse(text).code).toBe('VALIDATION_FAILED');
    }
  });

  it('is for staff and admins: a customer gets 403, no token 401', async () => {
    const customer = await createUser(t);
    const refused = await exportCsv({}, customer.token);
    expect(refused.response.status).toBe(403);
    expect(refused.response.headers.get('content-type')).toContain('application/problem+json');
    expect(JSON.parse(refused.text).code).toBe('FORBIDDEN');
    const anonymous = await fetch(`${t.baseUrl}/api/v1/admin/orders/export.csv`);
    expect(anonymous.status).toBe(401);
    expect((await exportCsv({}, admin.token)).response.status).toBe(200);
  });

  it('exports thousands of orders across pages, each once, newest number first', async () => {
    const domain = `bulk-${tag()}.example`;
    const count = 1_234;
    const now = t.clock.now();
    // Written straight to the tables: placing 1 234 orders over HTTP would only make this slow.
    const rows = Array.from({ length: count }, (_, i) => ({
      id: newId('ord', now.getTime()),
      userId: 'usr_bulk',
      email: `buyer${i}@${domain}`,
      status: 'pending_payment' as const,
      subtotal: 100 + i,
      total: 100 + i,
      currency: 'USD',
      shippingAddress: address({ name: `Buyer ${i}` }),
      expiresAt: new Date(now.getTime() + 3_600_000),
      createdAt: now,
      updatedAt: now,
    }));
    for (let i = 0; i < rows.length; i += 400) {
      const chunk = rows.slice(i, i + 400);
      await t.ctx.db.insert(orders).values(chunk);
      await t.ctx.db.insert(orderLines).values(
        chunk.map((o) => ({
          id: newId('oln', now.getTime()),
          orderId: o.id,
          position: 0,
          productId: 'prd_bulk',
          variantId: 'var_bulk',
          variantTitle: '',
          sku: 'BULK-1',
          name: 'Bulk',
          unitPrice: o.subtotal,
          quantity: 1,
          subtotal: o.subtotal,
          total: o.subtotal,
        })),
      );
    }

    const exported = await exportRows({ email: domain });
    expect(exported).toHaveLength(count);
    const numbers = exported.map((r) => Number(r.number));
    expect(new Set(numbers).size).toBe(count);
    expect([...numbers].sort((a, b) => b - a)).toEqual(numbers);
    expect(new Set(exported.map((r) => r.id))).toEqual(new Set(rows.map((r) => r.id)));
    const sum = exported.reduce((s, r) => s + Math.round(Number(r.total) * 100), 0);
    expect(sum).toBe(rows.reduce((s, r) => s + r.total, 0));
    expect(exported.every((r) => r.items === 'BULK-1 x1')).toBe(true);
  });
});
