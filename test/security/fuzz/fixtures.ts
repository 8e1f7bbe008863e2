import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import sharp from 'sharp';
import { queryRows } from '../../../src/db/client.js';
import { addProductImage } from '../../../src/modules/catalog/product-images.js';
import { createAdmin, createProduct, createUser } from '../../helpers/factories.js';
import type { TestApp } from '../../helpers/test-app.js';
import { waitFor } from '../../helpers/wait.js';
import type { Operation } from './openapi.js';
import type { FuzzWorld } from './requests.js';

const ADDRESS = {
  name: 'Fuzz Tester',
  line1: '1 Test Street',
  city: 'Testville',
  postalCode: '12345',
  country: 'US',
};

/**
 * Objects for the fuzzer to aim at, so requests reach the handlers and not only the 404:
 * products (one with images), categories, promo codes, orders in several states with payments, jobs,
 * the customer's saved addresses, and a user whose role the fuzzer may change (never one of its own actors, whose tokens a
 * role change would end).
 */
export async function createWorld(t: TestApp): Promise<FuzzWorld> {
  const [customer, staff, admin, victim] = await Promise.all([
    createUser(t),
    createUser(t, { role: 'staff' }),
    createAdmin(t),
    createUser(t),
  ]);
  const spare = await t.http.post('/api/v1/auth/login', {
    email: victim.email,
    password: victim.password,
  });
  const products = [];
  for (let i = 0; i < 6; i++) products.push(await createProduct(t, { stock: 10_000 }));
  const png = (background: string) =>
    sharp({ create: { width: 48, height: 32, channels: 3, background } })
      .png()
      .toBuffer();
  const image = new Uint8Array(await png('#3060c0'));
  const withImages = products[0]!;
  await addProductImage(t.ctx, withImages.id, Buffer.from(image));
  await addProductImage(t.ctx, withImages.id, await png('#c03060'));
  const shown = (
    await t.http.get(`/api/v1/admin/products/${withImages.id}`, { token: admin.token })
  ).body;
  const imageIds: string[] = shown.images.map((i: { id: string }) => i.id);
  const imageFiles: string[] = shown.images.flatMap((i: { variants: { url: string }[] }) =>
    i.variants.map((v) => v.url.replace('/images/', '')),
  );

  const promos = [];
  for (const body of [
    { code: `FUZZFIX${Date.now().toString(36)}`, type: 'fixed', amountOff: 100 },
    { code: `FUZZPCT${Date.now().toString(36)}`, type: 'percentage', percentOff: 12.5 },
  ]) {
    const res = await t.http.post('/api/v1/admin/promo-codes', body, { token: admin.token });
    if (res.status !== 201) throw new Error(`promo: ${JSON.stringify(res.body)}`);
    promos.push(res.body as { id: string; code: string });
  }

  // A small tree (top > child > grandchild, and another top), with products in two of them.
  const categories: { id: string; slug: string }[] = [];
  for (const [name, parent] of [
    ['Fuzz top', undefined],
    ['Fuzz child', 0],
    ['Fuzz grandchild', 1],
    ['Fuzz other', undefined],
  ] as const) {
    const res = await t.http.post(
      '/api/v1/admin/categories',
      { name, ...(parent === undefined ? {} : { parentId: categories[parent]!.id }) },
      { token: admin.token },
    );
    if (res.status !== 201) throw new Error(`category: ${JSON.stringify(res.body)}`);
    categories.push(res.body as { id: string; slug: string });
  }
  for (const [i, product] of products.slice(0, 2).entries()) {
    await t.http.patch(
      `/api/v1/admin/products/${product.id}`,
      { categoryIds: [categories[i + 1]!.id] },
      { token: admin.token },
    );
  }
  const categoryIds = categories.map((c) => c.id);

  const orders: string[] = [];
  for (let i = 0; i < 5; i++) {
    const res = await t.http.post(
      '/api/v1/orders',
      {
        items: [{ productId: products[i % products.length]!.id, quantity: 1 }],
        shippingAddress: ADDRESS,
        ...(i === 1 ? { promoCode: promos[0]!.code } : {}),
      },
      { token: customer.token },
    );
    if (res.status !== 201) throw new Error(`order: ${JSON.stringify(res.body)}`);
    orders.push(res.body.id);
  }
  // Two paid (one of them shipped), one with a declined payment, two unpaid.
  for (const [i, method] of [
    [0, 'pm_card_visa'],
    [1, 'pm_card_visa'],
    [2, 'pm_card_chargeDeclined'],
  ] as const) {
    await t.http.post(
      `/api/v1/orders/${orders[i]}/payments`,
      { paymentMethod: method },
      { token: customer.token },
    );
  }
  await waitFor(
    async () =>
      (await t.http.get(`/api/v1/orders/${orders[1]}`, { token: customer.token })).body.status ===
      'paid',
    { what: 'the fixture order paid' },
  );
  await t.http.post(
    `/api/v1/admin/orders/${orders[1]}/ship`,
    { carrier: 'UPS', trackingNumber: '1Z' },
    { token: admin.token },
  );
  // The customer's address book: a default and another.
  const addressIds: string[] = [];
  for (const address of [ADDRESS, { ...ADDRESS, line1: '2 Other Street', region: 'US-CA' }]) {
    const res = await t.http.post('/api/v1/me/addresses', address, { token: customer.token });
    if (res.status !== 201) throw new Error(`address: ${JSON.stringify(res.body)}`);
    addressIds.push(res.body.id);
  }
  const jobs = (
    await queryRows<{ id: string }>(t.ctx.db, sql`select id::text as id from pgboss.job limit 5`)
  ).map((r) => r.id);

  const productIds = products.map((p) => p.id);
  const emails = [customer.email, staff.email, admin.email, victim.email];
  const pick = <T>(values: readonly T[]) => fc.constantFrom(...values);
  const pools: [RegExp, readonly string[]][] = [
    [/^\/api\/v1\/admin\/users\/\{id\}/, [victim.user.id]],
    [/^\/api\/v1\/(admin\/)?products\/\{id\}/, productIds],
    [/^\/api\/v1\/admin\/variants\/\{id\}/, products.flatMap((p) => p.variants.map((v) => v.id))],
    [/^\/api\/v1\/(admin\/)?orders\/\{id\}/, orders],
    [/^\/api\/v1\/admin\/promo-codes\/\{id\}/, promos.map((p) => p.id)],
    [/^\/api\/v1\/admin\/categories\/\{id\}/, categoryIds],
    [/^\/api\/v1\/me\/addresses\/\{id\}/, addressIds],
    [
      /^\/api\/v1\/admin\/jobs\/\{id\}/,
      jobs.length ? jobs : ['00000000-0000-0000-0000-000000000000'],
    ],
  ];
  return {
    tokens: { customer: customer.token, staff: staff.token, admin: admin.token },
    image,
    hints: {
      productId: pick(productIds),
      variantId: pick(products.flatMap((p) => p.variants.map((v) => v.id))),
      promoCode: pick(promos.map((p) => p.code)),
      email: fc.oneof(
        pick(emails),
        fc.stringMatching(/^[a-z0-9]{1,12}$/).map((s) => `fuzz-${s}@example.test`),
      ),
      // Never pm_card_processing: it settles later, on its own, in the middle of a batch.
      paymentMethod: pick([
        'pm_card_visa',
        'pm_card_chargeDeclined',
        'pm_card_chargeDeclinedInsufficientFunds',
      ]),
      imageIds: fc.oneof(fc.constant(imageIds), fc.shuffledSubarray(imageIds)),
      country: pick(['US', 'DE', 'fr']),
      region: pick(['US-CA', 'us-ny', 'DE-BY']),
      shippingAddressId: pick(addressIds),
      // The actors' password: logins succeed, and a password change (which ends only the
      // other sessions) may too.
      password: fc.constant(customer.password),
      currentPassword: fc.constant(customer.password),
      // A session of its own, which refresh may rotate and logout may end.
      refreshToken: fc.constant(spare.body.refreshToken as string),
      orderId: pick(orders),
      categoryIds: fc.shuffledSubarray(categoryIds),
      parentId: pick(categoryIds),
      category: pick(categories.map((c) => c.slug)),
      userId: pick([customer.user.id, victim.user.id]),
    },
    pathValues(op: Operation, param: string) {
      if (param === 'imageId') return pick(imageIds);
      if (param === 'file') return pick(imageFiles);
      if (param === 'provider') return pick(['builtin', 'stripe']);
      const pool = pools.find(([re]) => re.test(op.path))?.[1];
      if (!pool)
        throw new Error(`${op.id}: no realistic value for {${param}}; add one to fixtures.ts`);
      return pick(pool);
    },
  };
}
