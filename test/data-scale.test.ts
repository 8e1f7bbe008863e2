import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/db/client.js';
import { MAX_TOTAL } from '../src/db/page.js';
import {
  listProducts,
  type ProductFilter,
  type ProductSort,
} from '../src/modules/catalog/product.repository.js';
import { listOrders, type OrderFilter } from '../src/modules/orders/order.repository.js';
import { dropTestDatabase, openTestDatabase } from './helpers/test-app.js';

/**
 * The list queries that must not slow down as the data grows, checked by their plans rather
 * than by timing (bench/scale.ts times them on 100,000 products and 200,000 orders). Each
 * statement a list sends is EXPLAINed with sequential scans disabled: a plan that still has
 * no index for the list's filter and order fails, whatever the table's size.
 */

let database: Database;
let url: string | undefined;
beforeAll(async () => {
  ({ database, url } = await openTestDatabase());
  // Enough rows, analysed, that the planner's estimates are those of a real shop's tables.
  await database.db.execute(sql`
    insert into products (id, sku, name, description, price, active, created_at)
    select 'prd_' || lpad(i::text, 6, '0'), 'SKU-' || i,
           (array['Oak','Walnut','Steel','Linen'])[1 + i % 4] || ' thing ' || i, 'number ' || i,
           100 + (i * 7919) % 5000, i % 50 <> 0, now() - i * interval '1 minute'
    from generate_series(1, 3000) i`);
  // Each product one variant, holding its stock.
  await database.db.execute(sql`
    insert into product_variants (id, product_id, sku, title, price, stock, position)
    select 'var_' || lpad(i::text, 6, '0'), 'prd_' || lpad(i::text, 6, '0'), 'SKU-' || i, '',
           100 + (i * 7919) % 5000, i % 7, 0
    from generate_series(1, 3000) i`);
  await database.db.execute(sql`
    insert into orders (id, user_id, email, status, subtotal, total, currency, promo_code,
                        shipping_address, expires_at, created_at)
    select 'ord_' || lpad(i::text, 6, '0'), 'usr_' || (i % 300), 'customer' || (i % 300) || '@example.test',
           (array['pending_payment','paid','shipped','delivered'])[1 + i % 4], 2000, 2000, 'USD',
           case when i % 20 = 0 then 'SPRING' end, '{}'::jsonb, now(), now() - i * interval '1 hour'
    from generate_series(1, 3000) i`);
  await database.db.execute(sql`analyze products`);
  await database.db.execute(sql`analyze product_variants`);
  await database.db.execute(sql`analyze orders`);
});
afterAll(async () => {
  await database.close();
  await dropTestDatabase(url);
});

interface Statement {
  text: string;
  values: unknown[];
}

type Query = (text: string, values?: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>;

/** The statements `run` sends, captured at the driver. */
async function statementsOf(run: () => Promise<unknown>): Promise<Statement[]> {
  const target = (database.kind === 'postgres' ? database.pool : database.client) as unknown as {
    query: (...args: unknown[]) => unknown;
  };
  const original = target.query;
  const seen: Statement[] = [];
  target.query = function (this: unknown, first: unknown, second?: unknown, ...rest: unknown[]) {
    if (typeof first === 'string') seen.push({ text: first, values: (second as unknown[]) ?? [] });
    else if (first && typeof first === 'object' && 'text' in first) {
      const config = first as { text: string; values?: unknown[] };
      seen.push({ text: config.text, values: config.values ?? (second as unknown[]) ?? [] });
    }
    return original.call(this, first, second, ...rest);
  };
  try {
    await run();
  } finally {
    target.query = original;
  }
  return seen;
}

/** EXPLAIN of one statement, sequential scans off (inside a rolled-back transaction). */
async function planOf(statement: Statement): Promise<string> {
  const explain = async (query: Query) => {
    await query('set local enable_seqscan = off');
    const { rows } = await query(`explain ${statement.text}`, statement.values);
    return rows.map((row) => String(row['QUERY PLAN'])).join('\n');
  };
  if (database.kind === 'postgres') {
    const client = await database.pool.connect();
    try {
      await client.query('begin');
      return await explain((text, values) => client.query(text, values));
    } finally {
      await client.query('rollback');
      client.release();
    }
  }
  let plan = '';
  await database.client.transaction(async (tx) => {
    plan = await explain((text, values) => tx.query(text, values));
    await tx.rollback();
  });
  return plan;
}

async function plansOf(run: () => Promise<unknown>): Promise<string[]> {
  const statements = await statementsOf(run);
  expect(statements.length).toBeGreaterThan(0);
  return Promise.all(statements.map(planOf));
}

const page = { page: 1, pageSize: 20 };
const catalog = (filter: ProductFilter, sort: ProductSort) => () =>
  listProducts(database.db, { ...filter, active: true }, sort, page);
const orders = (filter: OrderFilter) => () => listOrders(database.db, filter, page);

async function trigram(): Promise<boolean> {
  if (database.kind !== 'postgres') return false;
  const { rows } = await database.pool.query(
    "select 1 from pg_extension where extname = 'pg_trgm'",
  );
  return rows.length > 0;
}

/** A plan that reads no whole table and, for a page, sorts no whole result. */
function expectFlat(plan: string, kind: 'page' | 'count') {
  expect(plan).not.toContain('Seq Scan');
  expect(plan).toMatch(/Index (Only )?Scan/);
  // A full sort reads every match first; an incremental one only orders ties.
  if (kind === 'page') expect(plan).not.toMatch(/(^|->\s+)Sort\s+\(/m);
  else expect(plan).toMatch(/Limit/);
}

describe('list plans that stay flat as the data grows', () => {
  it.each([
    ['-createdAt', /products_public_created_idx/],
    ['name', /products_public_name_idx/],
    ['price', /products_(public_)?price_idx/],
    ['-price', /products_(public_)?price_idx/],
  ] as const)('reads a catalog page sorted by %s in index order', async (sort, index) => {
    const [pagePlan, countPlan] = await plansOf(catalog({}, sort));
    expect(pagePlan).toMatch(index);
    expectFlat(pagePlan!, 'page');
    expectFlat(countPlan!, 'count');
  });

  it.each([
    ['a price range', { minPrice: 100, maxPrice: 200 }, 'price'],
    ['inStock', { inStock: true }, '-createdAt'],
  ] as const)('reads a catalog page filtered by %s from an index', async (_name, filter, sort) => {
    const [pagePlan, countPlan] = await plansOf(catalog(filter, sort));
    expectFlat(pagePlan!, 'page');
    expectFlat(countPlan!, 'count');
  });

  it.each([
    ['no filter', {}],
    ['status', { status: 'paid' }],
    ['a date range', { from: new Date(Date.now() - 7 * 86_400_000), to: new Date() }],
    ['promoCode', { promoCode: 'Spring' }],
  ] as const)('reads the order list by %s from an index', async (_name, filter) => {
    const [pagePlan, countPlan] = await plansOf(orders(filter));
    expectFlat(pagePlan!, 'page');
    expectFlat(countPlan!, 'count');
  });

  it("reads one customer's orders from the customer's index", async () => {
    // A customer's orders are few: the planner may sort them after the index lookup.
    const [pagePlan, countPlan] = await plansOf(orders({ userId: 'usr_1' }));
    expect(pagePlan).toContain('orders_user_idx');
    expect(pagePlan).not.toContain('Seq Scan');
    expectFlat(countPlan!, 'count');
  });

  it('reads a promo code from its lower() index', async () => {
    const [pagePlan] = await plansOf(orders({ promoCode: 'Spring' }));
    expect(pagePlan).toContain('orders_promo_code_idx');
  });

  it('counts a list only up to MAX_TOTAL', async () => {
    const statements = await statementsOf(orders({ status: 'paid' }));
    const count = statements.find((s) => /count\(/.test(s.text));
    expect(count?.text).toMatch(/limit \$\d+/);
    expect(count?.values).toContain(MAX_TOTAL);
  });

  it('serves substring search from trigram indexes where PostgreSQL offers pg_trgm', async (test) => {
    if (database.kind !== 'postgres' || !(await trigram())) {
      test.skip('no pg_trgm on this database (PGlite): substring search scans');
      return;
    }
    const [, productCount] = await statementsOf(catalog({ q: 'sku-1234' }, 'name'));
    const [, orderCount] = await statementsOf(orders({ email: 'customer17@' }));
    // Trigram indexes pay off on large tables only: plan on 60,000 more products, rolled back.
    const client = await database.pool.connect();
    try {
      await client.query('begin');
      await client.query(`
        insert into products (id, sku, name, description, price)
        select 'prd_x' || i, 'X-' || i, 'Extra ' || i, 'more ' || i, 100
        from generate_series(1, 60000) i`);
      await client.query('analyze products');
      await client.query('set local enable_seqscan = off');
      const plan = async (statement: Statement) =>
        (await client.query(`explain ${statement.text}`, statement.values)).rows
          .map((row: Record<string, string>) => row['QUERY PLAN'])
          .join('\n');
      expect(await plan(productCount!)).toMatch(/products_(name|description|sku)_trgm_idx/);
      expect(await plan(orderCount!)).toContain('orders_email_trgm_idx');
    } finally {
      await client.query('rollback');
      client.release();
    }
  });
});
