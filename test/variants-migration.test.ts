import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import { pino } from 'pino';
import { inject } from 'vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createContext, type RunningContext } from '../src/context.js';
import { migrationsFolder, openDatabase, queryRows, type Database } from '../src/db/client.js';
import { createAdmin, createUser, type TestUser } from './helpers/factories.js';
import { withDatabase } from './helpers/global-setup.js';
import { dropTestDatabase, HttpClient, type TestApp } from './helpers/test-app.js';

/**
 * The variants migration on a shop that existed before it: a database migrated to the last
 * migration before variants, filled through SQL as that schema's code wrote it (products with
 * their ledgers, an order with lines, a paid order with a pending refund that restocks), then
 * migrated to the end. Every product is then one variant with the product's sku, price and
 * stock, its ledger sums to it, and the old API calls answer as they did.
 */

const VARIANTS_MIGRATION = /_variants$/;

let dir: string;
let database: Database;
let url: string | undefined;
let ctx: RunningContext;
let t: TestApp;
let admin: TestUser;
let customer: TestUser;

/** The migrations folder as it was before variants: the journal cut before that migration. */
async function foldersBeforeVariants(): Promise<string> {
  const before = join(dir, 'migrations');
  await cp(migrationsFolder, before, { recursive: true });
  const journalPath = join(before, 'meta', '_journal.json');
  const journal = JSON.parse(await readFile(journalPath, 'utf8')) as {
    entries: { tag: string }[];
  };
  const cut = journal.entries.findIndex((e) => VARIANTS_MIGRATION.test(e.tag));
  expect(cut).toBeGreaterThan(0);
  journal.entries = journal.entries.slice(0, cut);
  await writeFile(journalPath, JSON.stringify(journal));
  return before;
}

async function openEmpty(): Promise<{ database: Database; url: string | undefined }> {
  const base = process.env.DATABASE_URL;
  if (!base) return { database: await openDatabase({}), url: undefined };
  const name = `ordo_t_${inject('runId')}_${process.pid}_variants_migration`;
  const adminClient = new pg.Client({ connectionString: base });
  await adminClient.connect();
  try {
    await adminClient.query(`create database ${name}`);
  } finally {
    await adminClient.end();
  }
  const dbUrl = withDatabase(base, name);
  return { database: await openDatabase({ databaseUrl: dbUrl, poolSize: 10 }), url: dbUrl };
}

// Before: two products with ledgers (one sold through an order), and a paid order with a
// refund still pending that will put 1 unit back.
const MUG = 'prd_01aaaaaaaaaaaaaaaaaaaaaaaa';
const TEA = 'prd_01bbbbbbbbbbbbbbbbbbbbbbbb';

async function fillTheOldShop(db: Database['db']) {
  await db.execute(sql`
    insert into users (id, email, password_hash, name, role)
    values ('usr_old', 'old@example.test', 'x', 'Old Customer', 'customer')`);
  await db.execute(sql`
    insert into products (id, sku, name, description, price, stock, active, created_at, updated_at)
    values (${MUG}, 'OLD-MUG', 'Old Mug', 'A mug', 1800, 7, true, now() - interval '2 days', now()),
           (${TEA}, 'OLD-TEA', 'Old Tea', 'Some tea', 900, 3, true, now() - interval '1 day', now())`);
  await db.execute(sql`
    insert into stock_movements (id, product_id, kind, delta, stock_after, reason, order_id, actor_id, created_at)
    values ('mov_1', ${MUG}, 'adjustment', 10, 10, 'opening stock', null, 'system', now() - interval '2 days'),
           ('mov_2', ${MUG}, 'reserve', -3, 7, null, 'ord_old1', 'usr_old', now() - interval '1 day'),
           ('mov_3', ${TEA}, 'adjustment', 5, 5, 'opening stock', null, 'system', now() - interval '1 day'),
           ('mov_4', ${TEA}, 'reserve', -2, 3, null, 'ord_old2', 'usr_old', now() - interval '1 hour')`);
  await db.execute(sql`
    insert into orders (id, number, user_id, email, status, payment_status, subtotal, discount, shipping, total,
                        currency, shipping_address, expires_at, created_at, updated_at)
    values ('ord_old1', 901, 'usr_old', 'old@example.test', 'pending_payment', 'unpaid', 5400, 0, 500, 5900, 'USD',
            '{"name":"A","line1":"1 Road","city":"Town","postalCode":"1","country":"GB"}', now() + interval '1 day',
            now() - interval '1 day', now() - interval '1 day'),
           ('ord_old2', 902, 'usr_old', 'old@example.test', 'paid', 'paid', 1800, 0, 500, 2300, 'USD',
            '{"name":"A","line1":"1 Road","city":"Town","postalCode":"1","country":"GB"}', now() + interval '1 day',
            now() - interval '1 hour', now() - interval '1 hour')`);
  await db.execute(sql`
    insert into order_lines (id, order_id, position, product_id, sku, name, unit_price, quantity, subtotal, discount, total)
    values ('oln_old1', 'ord_old1', 0, ${MUG}, 'OLD-MUG', 'Old Mug', 1800, 3, 5400, 0, 5400),
           ('oln_old2', 'ord_old2', 0, ${TEA}, 'OLD-TEA', 'Old Tea', 900, 2, 1800, 0, 1800)`);
  await db.execute(sql`
    insert into payments (id, order_id, provider, provider_payment_id, status, amount, refunded_amount, currency)
    values ('pay_old2', 'ord_old2', 'builtin', 'pi_old2', 'succeeded', 2300, 900, 'USD')`);
  await db.execute(sql`
    insert into refunds (id, payment_id, order_id, request_key, status, amount, reason, restock, restock_lines)
    values ('rf_old2', 'pay_old2', 'ord_old2', 'staff:old', 'pending', 900, 'damaged', true,
            ${JSON.stringify([{ productId: TEA, quantity: 1 }])}::jsonb)`);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ordo-variants-migration-'));
  ({ database, url } = await openEmpty());
  const before = await foldersBeforeVariants();
  if (database.kind === 'pglite')
    await migratePglite(database.db as never, { migrationsFolder: before });
  else await migratePg(database.db as never, { migrationsFolder: before });
  await fillTheOldShop(database.db);

  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    JWT_SECRET: 'test-secret-that-is-long-enough-for-hs256-0123456789',
    RATE_LIMIT_AUTH: '100000',
    MAX_UNPAID_ORDERS: '0',
    MAX_UNITS_PER_PRODUCT: '0',
    ...(url ? { DATABASE_URL: url } : {}),
  });
  // The rest of the migrations, variants among them, as a process starting on it runs them.
  ctx = await createContext(config, { database, logger: pino({ level: 'silent' }) });
  const app = await buildApp(ctx);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  t = { app, ctx, config, baseUrl, http: new HttpClient(baseUrl) } as unknown as TestApp;
  admin = await createAdmin(t);
  customer = await createUser(t);
}, 120_000);

afterAll(async () => {
  await t?.app.close();
  await ctx?.close();
  await database?.close();
  await dropTestDatabase(url);
  await rm(dir, { recursive: true, force: true });
});

const asAdmin = () => ({ token: admin.token });

async function variantRows() {
  return queryRows<{
    id: string;
    product_id: string;
    sku: string;
    title: string;
    price: number;
    stock: number;
    ledger: number;
  }>(
    ctx.db,
    sql`select v.id, v.product_id, v.sku, v.title, v.price, v.stock,
               (select coalesce(sum(delta), 0)::int from stock_movements m where m.variant_id = v.id) as ledger
          from product_variants v order by v.id`,
  );
}

describe('the variants migration on an existing shop', () => {
  it('makes every product one variant with its sku, price and stock, equal to its ledger', async () => {
    const rows = await variantRows();
    expect(
      rows.map((r) => ({
        ...r,
        price: Number(r.price),
        stock: Number(r.stock),
        ledger: Number(r.ledger),
      })),
    ).toEqual([
      {
        id: 'var_01aaaaaaaaaaaaaaaaaaaaaaaa',
        product_id: MUG,
        sku: 'OLD-MUG',
        title: '',
        price: 1800,
        stock: 7,
        ledger: 7,
      },
      {
        id: 'var_01bbbbbbbbbbbbbbbbbbbbbbbb',
        product_id: TEA,
        sku: 'OLD-TEA',
        title: '',
        price: 900,
        stock: 3,
        ledger: 3,
      },
    ]);
    const unnamed = await queryRows<{ n: number }>(
      ctx.db,
      sql`select (select count(*) from stock_movements where variant_id is null)
               + (select count(*) from order_lines where variant_id is null) as n`,
    );
    expect(Number(unnamed[0]!.n)).toBe(0);
  });

  it('answers the catalog list and a product as before, with the one variant beside', async () => {
    const list = await t.http.get('/api/v1/products?sort=name');
    expect(list.status).toBe(200);
    expect(
      list.body.items.map((p: { id: string; sku: string; price: number; stock: number }) => [
        p.id,
        p.sku,
        p.price,
        p.stock,
      ]),
    ).toEqual([
      [MUG, 'OLD-MUG', 1800, 7],
      [TEA, 'OLD-TEA', 900, 3],
    ]);
    const mug = await t.http.get(`/api/v1/products/${MUG}`);
    expect(mug.body).toMatchObject({ id: MUG, sku: 'OLD-MUG', price: 1800, stock: 7, options: [] });
    expect(mug.body.variants).toEqual([
      expect.objectContaining({
        id: 'var_01aaaaaaaaaaaaaaaaaaaaaaaa',
        sku: 'OLD-MUG',
        stock: 7,
        title: '',
      }),
    ]);
  });

  it('reads an old order with its lines naming their variant', async () => {
    const rows = await queryRows<{ variant_id: string; variant_title: string }>(
      ctx.db,
      sql`select variant_id, variant_title from order_lines where order_id = 'ord_old1'`,
    );
    expect(rows).toEqual([{ variant_id: 'var_01aaaaaaaaaaaaaaaaaaaaaaaa', variant_title: '' }]);
    const order = await t.http.get('/api/v1/admin/orders/ord_old1', asAdmin());
    expect(order.status).toBe(200);
    expect(order.body.lines).toEqual([
      expect.objectContaining({
        productId: MUG,
        variantId: 'var_01aaaaaaaaaaaaaaaaaaaaaaaa',
        variantTitle: '',
        quantity: 3,
      }),
    ]);
  });

  it("names the variant in a pending refund's restock lines", async () => {
    const [row] = await queryRows<{ restock_lines: unknown }>(
      ctx.db,
      sql`select restock_lines from refunds where id = 'rf_old2'`,
    );
    expect(row!.restock_lines).toEqual([
      { productId: TEA, variantId: 'var_01bbbbbbbbbbbbbbbbbbbbbbbb', quantity: 1 },
    ]);
  });

  it('places an order by productId, adjusts stock and lists movements as before', async () => {
    const placed = await t.http.post(
      '/api/v1/orders',
      {
        items: [{ productId: MUG, quantity: 2 }],
        shippingAddress: {
          name: 'A',
          line1: '1 Road',
          city: 'Town',
          postalCode: '1',
          country: 'GB',
        },
      },
      { token: customer.token },
    );
    expect(placed.status).toBe(201);
    expect(placed.body.lines).toEqual([
      expect.objectContaining({ productId: MUG, sku: 'OLD-MUG', unitPrice: 1800, quantity: 2 }),
    ]);
    const adjusted = await t.http.post(
      `/api/v1/admin/products/${TEA}/stock-adjustments`,
      { delta: 4, reason: 'found a box' },
      asAdmin(),
    );
    expect(adjusted.status).toBe(201);
    expect(adjusted.body).toMatchObject({ productId: TEA, delta: 4, stockAfter: 7 });
    const movements = await t.http.get(`/api/v1/admin/products/${MUG}/stock-movements`, asAdmin());
    expect(movements.status).toBe(200);
    expect(
      movements.body.items.map((m: { kind: string; delta: number }) => [m.kind, m.delta]),
    ).toEqual([
      ['reserve', -2],
      ['reserve', -3],
      ['adjustment', 10],
    ]);
    const rows = await variantRows();
    expect(rows.map((r) => [Number(r.stock), Number(r.ledger)])).toEqual([
      [5, 5],
      [7, 7],
    ]);
    const shown = await t.http.get(`/api/v1/admin/products/${MUG}`, asAdmin());
    expect(shown.body.stock).toBe(5);
  });
});
