/**
 * Data scale: the catalog list, search and category filter, the admin order list with each filter, a
 * customer's order history and the admin dashboard (its stats, and its low-stock list
 * alone), timed on a small database and on a large one (100,000 products with 320,000
 * variants, 200,000 orders) in the same run, with EXPLAIN (ANALYZE, BUFFERS) of each query on the large. Orders come at
 * one shop's pace (one every 20 minutes, a third of them paid, some refunded in part), so
 * the large database is the small one with years more history: the dashboard's last 30 days
 * hold about as many orders in both, and what it costs beyond them grows with the tables.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:scale [-- --quick]
 *
 * Creates (and drops afterwards) two databases next to DATABASE_URL's, loads them with
 * set-based SQL (generate_series) and times the repository/service calls the routes make,
 * without HTTP: what grows with the data is the database's work. A catalog read served from
 * the catalog cache costs the same at any size; these are the cache misses. Results go to
 * bench/results/scale.json and scale.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import pg from 'pg';
import { pino } from 'pino';
import { migrateDatabase, openDatabase, type Database } from '../src/db/client.js';
import type { AppContext } from '../src/app-context.js';
import type { Config } from '../src/config.js';
import { shopStats } from '../src/modules/admin/stats.js';
import type { Actor } from '../src/modules/auth/auth.service.js';
import { listCatalog } from '../src/modules/catalog/catalog.service.js';
import { systemClock } from '../src/shared/clock.js';
import {
  listProducts,
  type ProductFilter,
  type ProductSort,
} from '../src/modules/catalog/product.repository.js';
import { listAllOrders, listOwnOrders } from '../src/modules/orders/orders.service.js';
import type { OrderFilter } from '../src/modules/orders/order.repository.js';

const quick = process.argv.includes('--quick');
const base = process.env.DATABASE_URL;
if (!base) {
  console.error('bench:scale needs DATABASE_URL (PostgreSQL)');
  process.exit(2);
}

const SIZES = {
  small: { products: 1_000, orders: 2_000, customers: 200 },
  large: quick
    ? { products: 20_000, orders: 40_000, customers: 4_000 }
    : { products: 100_000, orders: 200_000, customers: 20_000 },
};
const ITERATIONS = quick ? 15 : 40;

const withDatabase = (url: string, name: string) => {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
};

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Products, customers' orders with one line and one history entry each, one order every 20
 * minutes back from now, and a payment for each paid one (every tenth refunded in part):
 * set-based, in seconds.
 */
async function load(url: string, size: (typeof SIZES)['small']) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`
      insert into products (id, sku, name, description, price, options, active, archived_at, created_at, updated_at)
      select 'prd_' || lpad(i::text, 9, '0'),
             'SKU-' || i,
             (array['Oak','Walnut','Steel','Linen','Wool','Ceramic','Glass','Copper'])[1 + i % 8] || ' ' ||
             (array['Red','Slate','Sand','Forest','Ink','Ivory','Amber','Teal'])[1 + (i / 8) % 8] || ' ' ||
             (array['Mug','Lamp','Chair','Blanket','Bowl','Shelf','Clock','Vase','Desk'])[1 + (i / 64) % 9] || ' ' || i,
             'A sturdy thing, number ' || i,
             100 + (i * 7919) % 50000,
             case i % 5 when 0 then '[]'::jsonb
                        when 1 then '[{"name":"Size","values":["S","M","L"]},{"name":"Colour","values":["Red","Blue"]}]'
                        else '[{"name":"Size","values":["S","M","L"]}]' end,
             i % 50 <> 0,
             case when i % 100 = 0 then now() else null end,
             now() - (i % 1000) * interval '1 hour' - i * interval '1 millisecond',
             now()
      from generate_series(1, ${size.products}) i`);
    // Variants: a fifth of the products have none (one variant, as before options), a fifth
    // Size × Colour (6), the rest Size (3): 3.2 per product. The first variant has the
    // product's price (its lowest), each next one 1.00 more; some are out of stock.
    await client.query(`
      with combos(kind, pos, title, opts) as (values
        (0, 0, '', '{}'::jsonb),
        (1, 0, 'S / Red', '{"Size":"S","Colour":"Red"}'), (1, 1, 'S / Blue', '{"Size":"S","Colour":"Blue"}'),
        (1, 2, 'M / Red', '{"Size":"M","Colour":"Red"}'), (1, 3, 'M / Blue', '{"Size":"M","Colour":"Blue"}'),
        (1, 4, 'L / Red', '{"Size":"L","Colour":"Red"}'), (1, 5, 'L / Blue', '{"Size":"L","Colour":"Blue"}'),
        (2, 0, 'S', '{"Size":"S"}'), (2, 1, 'M', '{"Size":"M"}'), (2, 2, 'L', '{"Size":"L"}'))
      insert into product_variants (id, product_id, sku, title, options, price, stock, position, created_at, updated_at)
      select 'var_' || lpad(i::text, 9, '0') || case when c.kind = 0 then '' else '_' || c.pos end,
             'prd_' || lpad(i::text, 9, '0'),
             'SKU-' || i || case when c.kind = 0 then '' else '-' || c.pos end, c.title, c.opts,
             100 + (i * 7919) % 50000 + c.pos * 100,
             case when (i + c.pos) % 10 = 0 then 0 else ((i + c.pos) * 31) % 200 end,
             c.pos, now(), now()
      from generate_series(1, ${size.products}) i
      join combos c on c.kind = case i % 5 when 0 then 0 when 1 then 1 else 2 end`);
    await client.query(`
      insert into users (id, email, password_hash, name, role)
      select 'usr_' || lpad(i::text, 9, '0'), 'customer' || i || '@example.test', 'x', 'Customer ' || i, 'customer'
      from generate_series(1, ${size.customers}) i`);
    await client.query(`
      insert into orders (id, number, user_id, email, status, payment_status, subtotal, discount, shipping, total,
                          currency, promo_code, shipping_address, expires_at, created_at, updated_at)
      select 'ord_' || lpad(i::text, 9, '0'), 100000 + i,
             'usr_' || lpad((1 + i % ${size.customers})::text, 9, '0'),
             'customer' || (1 + i % ${size.customers}) || '@example.test',
             (array['pending_payment','paid','shipped','delivered','cancelled','expired'])[1 + i % 6],
             case when i % 6 not between 1 and 3 then 'unpaid'
                  when i % 60 = 1 then 'partially_refunded' else 'paid' end,
             2000, 0, 500, 2500, 'USD',
             case when i % 20 = 0 then (array['SPRING10','WELCOME','VIP'])[1 + (i / 20) % 3] else null end,
             '{"name":"A","line1":"1 Road","city":"Town","postalCode":"1","country":"GB"}'::jsonb,
             now() + interval '30 minutes',
             now() - i * interval '20 minutes', now()
      from generate_series(1, ${size.orders}) i`);
    await client.query(`
      insert into payments (id, order_id, provider, provider_payment_id, status, amount,
                            refunded_amount, currency, created_at, updated_at)
      select 'pay_' || lpad(i::text, 9, '0'), 'ord_' || lpad(i::text, 9, '0'), 'stripe', 'pi_' || i,
             case when i % 60 = 1 then 'partially_refunded' else 'succeeded' end, 2500,
             case when i % 60 = 1 then 500 else 0 end, 'USD',
             now() - i * interval '20 minutes', now() - i * interval '20 minutes'
      from generate_series(1, ${size.orders}) i
      where i % 6 between 1 and 3`);
    await client.query(`
      insert into order_lines (id, order_id, position, product_id, variant_id, variant_title, sku, name, unit_price, quantity, subtotal, discount, total)
      select 'oln_' || lpad(i::text, 9, '0'), 'ord_' || lpad(i::text, 9, '0'), 0,
             'prd_' || lpad((1 + i % ${size.products})::text, 9, '0'),
             'var_' || lpad((1 + i % ${size.products})::text, 9, '0')
               || case when (1 + i % ${size.products}) % 5 = 0 then '' else '_0' end,
             '', 'SKU', 'Thing', 2000, 1, 2000, 0, 2000
      from generate_series(1, ${size.orders}) i`);
    await client.query(`
      insert into order_history (order_id, from_status, to_status, actor_role, created_at)
      select 'ord_' || lpad(i::text, 9, '0'), null, 'pending_payment', 'customer', now()
      from generate_series(1, ${size.orders}) i`);
    // A category tree (5 top, 20 middle, 100 leaf categories): each product in one leaf, and
    // every third also in its leaf's top category, so a top category's subtree holds a fifth of
    // the products, a third of them twice (the filter must list them once), and a leaf 1 %.
    await client.query(`
      insert into categories (id, name, slug, parent_id, position)
      select 'cat_t' || t, 'Top ' || t, 'top-' || t, null, t from generate_series(1, 5) t
      union all
      select 'cat_m' || t || '_' || m, 'Mid ' || t || '.' || m, 'mid-' || t || '-' || m, 'cat_t' || t, m
        from generate_series(1, 5) t, generate_series(1, 4) m`);
    await client.query(`
      insert into categories (id, name, slug, parent_id, position)
      select 'cat_l' || t || '_' || m || '_' || l, 'Leaf ' || t || '.' || m || '.' || l,
             'leaf-' || t || '-' || m || '-' || l, 'cat_m' || t || '_' || m, l
        from generate_series(1, 5) t, generate_series(1, 4) m, generate_series(1, 5) l`);
    await client.query(`
      insert into product_categories (product_id, category_id)
      select 'prd_' || lpad(i::text, 9, '0'),
             'cat_l' || (1 + (i % 100) / 20) || '_' || (1 + (i % 20) / 5) || '_' || (1 + i % 5)
        from generate_series(1, ${size.products}) i
      union all
      select 'prd_' || lpad(i::text, 9, '0'), 'cat_t' || (1 + (i % 100) / 20)
        from generate_series(1, ${size.products}) i where i % 3 = 0`);
    await client.query('vacuum analyze');
  } finally {
    await client.end();
  }
}

interface Case {
  name: string;
  run: (database: Database) => Promise<unknown>;
}

const staff = { userId: 'usr_bench', role: 'admin' } as unknown as Actor;
const customer = { userId: 'usr_000000007', role: 'customer' } as unknown as Actor;
const page = { page: 1, pageSize: 20 };
const catalog =
  (filter: ProductFilter, sort: ProductSort): Case['run'] =>
  (d) =>
    listProducts(d.db, { ...filter, active: true }, sort, page);
const adminOrders =
  (filter: OrderFilter): Case['run'] =>
  (d) =>
    listAllOrders({ db: d.db, clock: systemClock }, staff, filter, page);
const days = (n: number) => new Date(Date.now() - n * 86_400_000);

// The catalog as the route serves it: from the catalog cache (in memory here), with stock
// and updatedAt read fresh for the page.
const cachedCatalog =
  (filter: Omit<ProductFilter, 'active' | 'includeArchived'>, sort: ProductSort): Case['run'] =>
  (d) =>
    listCatalog(
      {
        db: d.db,
        redis: undefined,
        clock: systemClock,
        logger: pino({ level: 'silent' }),
        config: { currency: 'USD' } as Config,
      },
      filter,
      sort,
      page,
    );

// The dashboard as its route loads it. The dead-job count is pg-boss's, not this data's.
const dashboard: Case['run'] = (d) =>
  shopStats(
    {
      db: d.db,
      clock: systemClock,
      config: { currency: 'USD' } as Config,
      jobs: { listTroubled: async () => ({ total: 0 }) } as unknown as AppContext['jobs'],
    },
    5,
  );

/** The first statement `run` sends that matches `pattern`, replayed alone. */
const oneStatement = (run: Case['run'], pattern: RegExp): Case['run'] => {
  const found = new WeakMap<Database, { text: string; values: unknown[] }>();
  return async (d) => {
    let statement = found.get(d);
    if (!statement) {
      statement = (await statementsOf(d, run)).find((s) => pattern.test(s.text));
      if (!statement || d.kind !== 'postgres') throw new Error(`no statement matches ${pattern}`);
      found.set(d, statement);
    }
    if (d.kind === 'postgres') await d.pool.query(statement.text, statement.values);
  };
};

const CASES: Case[] = [
  { name: 'catalog (cached): default list', run: cachedCatalog({}, '-createdAt') },
  { name: 'catalog (cached): q common word', run: cachedCatalog({ q: 'walnut' }, '-createdAt') },
  { name: 'catalog: default (-createdAt)', run: catalog({}, '-createdAt') },
  { name: 'catalog: sort name', run: catalog({}, 'name') },
  { name: 'catalog: sort price', run: catalog({}, 'price') },
  { name: 'catalog: sort -price', run: catalog({}, '-price') },
  { name: 'catalog: price range', run: catalog({ minPrice: 1000, maxPrice: 2000 }, 'price') },
  { name: 'catalog: inStock', run: catalog({ inStock: true }, '-createdAt') },
  { name: 'catalog: q common word', run: catalog({ q: 'walnut' }, '-createdAt') },
  { name: 'catalog: q common, sort price', run: catalog({ q: 'lamp' }, 'price') },
  { name: 'catalog: q rare (one sku)', run: catalog({ q: 'sku-777' }, '-createdAt') },
  { name: 'catalog (cached): category', run: cachedCatalog({ category: 'top-1' }, '-createdAt') },
  { name: 'catalog: category, top (20 %)', run: catalog({ category: 'top-1' }, '-createdAt') },
  { name: 'catalog: category, top, sort price', run: catalog({ category: 'top-2' }, 'price') },
  { name: 'catalog: category, leaf (1 %)', run: catalog({ category: 'leaf-1-1-2' }, 'name') },
  {
    name: 'catalog: category + q common',
    run: catalog({ category: 'top-3', q: 'walnut' }, '-createdAt'),
  },
  { name: 'orders: admin, no filter', run: adminOrders({}) },
  { name: 'orders: status', run: adminOrders({ status: 'paid' }) },
  { name: 'orders: email substring (one customer)', run: adminOrders({ email: 'customer17@' }) },
  { name: 'orders: date range (7 days)', run: adminOrders({ from: days(7), to: days(0) }) },
  { name: 'orders: promoCode', run: adminOrders({ promoCode: 'vip' }) },
  {
    name: "orders: a customer's history",
    run: (d) => listOwnOrders({ db: d.db, clock: systemClock }, customer, {}, page),
  },
  { name: 'dashboard: stats (as loaded)', run: dashboard },
  {
    name: 'dashboard: low stock (below 5)',
    run: oneStatement(dashboard, /\bfrom "?product_variants"?\s/),
  },
];

async function time(database: Database, run: Case['run']) {
  for (let i = 0; i < 3; i++) await run(database);
  const samples: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const start = process.hrtime.bigint();
    await run(database);
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
  return { p50: at(0.5), p95: at(0.95) };
}

/** The statements one call sends, for EXPLAIN. */
async function statementsOf(database: Database, run: Case['run']) {
  if (database.kind !== 'postgres') return [];
  const pool = database.pool as pg.Pool & { query: (...args: unknown[]) => unknown };
  const original = pool.query.bind(pool);
  const seen: { text: string; values: unknown[] }[] = [];
  pool.query = ((config: unknown, values?: unknown) => {
    if (typeof config === 'object' && config && 'text' in config) {
      const c = config as { text: string; values?: unknown[] };
      seen.push({ text: c.text, values: c.values ?? (values as unknown[]) ?? [] });
    } else if (typeof config === 'string')
      seen.push({ text: config, values: (values as unknown[]) ?? [] });
    return original(config as never, values as never);
  }) as typeof pool.query;
  try {
    await run(database);
  } finally {
    pool.query = original;
  }
  return seen;
}

async function main() {
  const names = {
    small: `ordo_scale_small_${process.pid}`,
    large: `ordo_scale_large_${process.pid}`,
  };
  const results: Record<string, Record<string, { p50: number; p95: number }>> = {};
  const plans: { case: string; sql: string; plan: string }[] = [];
  const databases: Partial<Record<keyof typeof SIZES, Database>> = {};
  try {
    for (const size of ['small', 'large'] as const) {
      await admin((c) => c.query(`drop database if exists ${names[size]} with (force)`));
      await admin((c) => c.query(`create database ${names[size]}`));
      const url = withDatabase(base!, names[size]);
      const database = await openDatabase({ databaseUrl: url, poolSize: 4 });
      databases[size] = database;
      await migrateDatabase(database);
      const started = Date.now();
      await load(url, SIZES[size]);
      console.log(
        `${size}: loaded ${JSON.stringify(SIZES[size])} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
    }
    // Alternate small and large per case, so load on the shared machine hits both alike.
    for (const c of CASES) {
      results[c.name] = {};
      for (const size of ['small', 'large'] as const)
        results[c.name]![size] = await time(databases[size]!, c.run);
      const r = results[c.name]!;
      console.log(
        `${c.name.padEnd(42)} small p50 ${r.small!.p50.toFixed(2)} ms  large p50 ${r.large!.p50.toFixed(2)} ms  ratio ${(r.large!.p50 / r.small!.p50).toFixed(2)}`,
      );
    }
    const large = databases.large!;
    if (large.kind === 'postgres') {
      for (const c of CASES) {
        for (const statement of await statementsOf(large, c.run)) {
          const { rows } = await large.pool.query(
            `explain (analyze, buffers) ${statement.text}`,
            statement.values,
          );
          plans.push({
            case: c.name,
            sql: statement.text,
            plan: rows.map((row: Record<string, string>) => row['QUERY PLAN']).join('\n'),
          });
        }
      }
    }
  } finally {
    for (const database of Object.values(databases)) await database?.close();
    for (const name of Object.values(names))
      await admin((c) => c.query(`drop database if exists ${name} with (force)`));
  }

  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  const rows = Object.entries(results).map(([name, r]) => ({
    name,
    smallP50: r.small!.p50,
    largeP50: r.large!.p50,
    smallP95: r.small!.p95,
    largeP95: r.large!.p95,
    ratio: r.large!.p50 / r.small!.p50,
  }));
  writeFileSync(
    new URL('./results/scale.json', import.meta.url),
    JSON.stringify({ sizes: SIZES, iterations: ITERATIONS, rows, plans }, null, 2),
  );
  const fmt = (n: number) => n.toFixed(2);
  const md = [
    `Small: ${SIZES.small.products} products, ${SIZES.small.orders} orders. Large: ${SIZES.large.products} products, ${SIZES.large.orders} orders. ${ITERATIONS} runs each, page size 20, milliseconds.`,
    '',
    '| query | small p50 | large p50 | small p95 | large p95 | large / small (p50) |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${fmt(r.smallP50)} | ${fmt(r.largeP50)} | ${fmt(r.smallP95)} | ${fmt(r.largeP95)} | ${fmt(r.ratio)} |`,
    ),
    '',
    ...plans.flatMap((p) => [
      `### ${p.case}`,
      '',
      '```sql',
      p.sql,
      '```',
      '',
      '```',
      p.plan,
      '```',
      '',
    ]),
  ].join('\n');
  writeFileSync(new URL('./results/scale.md', import.meta.url), md);
  console.log('wrote bench/results/scale.json and scale.md');
}

await main();
