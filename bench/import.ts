/**
 * The catalog CSV import at 10,000 rows, timed on the embedded database (PGlite) and, with
 * DATABASE_URL, on PostgreSQL:
 *
 *   npm run bench:import                                                  # PGlite only
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:import
 *
 * The file: 2,000 products with a Size option (4 variants each) and 2,000 without options,
 * 10,000 rows, in 10 categories, every variant with stock. Timed, in order on one database:
 * the dry run of the file against an empty catalog, its import (everything created), the
 * export of the catalog, the import of that export (nothing changes), and an import that
 * changes every variant's price and stock (10,000 variants locked and 10,000 ledger lines). On
 * PostgreSQL, during that last import, another connection updates one of its variants every
 * 2 ms as an order would (`update ... set stock = stock where id = $1`): the variant with the
 * lowest id, which the import locks first, so its longest wait is the longest an order can be
 * held up by an import. Calls the service as the route does, without
 * HTTP (the upload of a 1 MB file is not what is measured). Results go to
 * bench/results/import.json and import.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import pg from 'pg';
import { pino } from 'pino';
import type { AppContext } from '../src/app-context.js';
import type { Config } from '../src/config.js';
import { migrateDatabase, openDatabase, queryRows, type Database } from '../src/db/client.js';
import { SYSTEM_ACTOR } from '../src/modules/auth/system-actor.js';
import { createCategory } from '../src/modules/catalog/categories.service.js';
import {
  exportCatalogCsv,
  importCatalog,
  type ImportTimings,
} from '../src/modules/catalog/catalog-csv.service.js';
import { PRODUCT_CSV_COLUMNS } from '../src/modules/catalog/product-csv.js';
import { systemClock } from '../src/shared/clock.js';
import { csvRow, parseCsv } from '../src/shared/csv.js';
import { sql } from 'drizzle-orm';

const PRODUCTS_WITH_OPTIONS = 2_000;
const SIZES = ['S', 'M', 'L', 'XL'];
const PLAIN_PRODUCTS = 2_000;
const CATEGORIES = 10;

type Ctx = Pick<AppContext, 'db' | 'clock' | 'config' | 'redis' | 'logger'>;

function catalogFile(): string {
  let text = csvRow(PRODUCT_CSV_COLUMNS);
  const row = (cells: Partial<Record<(typeof PRODUCT_CSV_COLUMNS)[number], string>>) =>
    csvRow(PRODUCT_CSV_COLUMNS.map((c) => cells[c] ?? ''));
  for (let i = 0; i < PRODUCTS_WITH_OPTIONS; i++) {
    for (const [j, size] of SIZES.entries()) {
      text += row({
        product_sku: `TEE-${i}`,
        name: `Tee ${i}, cotton`,
        description: `A tee, number ${i}.\nMachine washable.`,
        active: 'true',
        categories: `bench-${i % CATEGORIES}`,
        option1_name: 'Size',
        option1_value: size,
        sku: `TEE-${i}-${size}`,
        price: `${10 + (i % 50)}.${String(j * 25).padStart(2, '0')}`,
        stock: String(1 + ((i + j) % 40)),
        variant_active: 'true',
      });
    }
  }
  for (let i = 0; i < PLAIN_PRODUCTS; i++) {
    text += row({
      product_sku: `MUG-${i}`,
      name: `Mug "${i}"`,
      description: 'Stoneware',
      active: 'true',
      // Sorted, as the export writes them.
      categories: [`bench-${i % CATEGORIES}`, `bench-${(i + 1) % CATEGORIES}`].sort().join('; '),
      sku: `MUG-${i}`,
      price: `${5 + (i % 20)}.99`,
      stock: String(i % 100),
      variant_active: 'true',
    });
  }
  return text;
}

/** The export with every price up by one and every stock up by two. */
function everyVariantChanged(exported: string): string {
  const { records } = parseCsv(exported);
  const [header, ...rows] = records;
  const price = header!.fields.indexOf('price');
  const stock = header!.fields.indexOf('stock');
  return (
    csvRow(header!.fields) +
    rows
      .map(({ fields }) => {
        const next = [...fields];
        next[price] = (Number(fields[price]) + 1).toFixed(2);
        next[stock] = String(Number(fields[stock]) + 2);
        return csvRow(next);
      })
      .join('')
  );
}

async function collect(rows: AsyncIterable<string>): Promise<string> {
  let text = '';
  for await (const chunk of rows) text += chunk;
  return text;
}

interface Step {
  step: string;
  ms: number;
  variantLocksMs?: number;
  created?: number;
  updated?: number;
  unchanged?: number;
  orderWaitMaxMs?: number;
  orderWaits?: number;
}

/**
 * While `during` runs, updates one variant every 2 ms on its own connection, as an order's
 * reservation would, and answers the longest of those updates and how many ran.
 */
async function orderProbe<T>(
  url: string,
  variantId: string,
  during: () => Promise<T>,
): Promise<{ result: T; maxMs: number; count: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let running = true;
  let maxMs = 0;
  let count = 0;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      await client.query('update product_variants set stock = stock where id = $1', [variantId]);
      maxMs = Math.max(maxMs, performance.now() - started);
      count++;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  })();
  try {
    const result = await during();
    // The update in flight may be the one that waited: count it too.
    running = false;
    await loop;
    return { result, maxMs, count };
  } finally {
    running = false;
    await loop;
    await client.end();
  }
}

async function run(database: Database, url: string | undefined): Promise<Step[]> {
  await migrateDatabase(database);
  const ctx: Ctx = {
    db: database.db,
    clock: systemClock,
    config: { currency: 'USD' } as Config,
    redis: undefined,
    logger: pino({ level: 'silent' }),
  };
  for (let i = 0; i < CATEGORIES; i++) {
    await createCategory(ctx, { name: `Bench ${i}`, slug: `bench-${i}` });
  }
  const steps: Step[] = [];
  const file = Buffer.from(catalogFile());
  const timed = async (
    step: string,
    bytes: Buffer,
    dryRun: boolean,
  ): Promise<{ timings: ImportTimings }> => {
    const { report, timings } = await importCatalog(ctx, SYSTEM_ACTOR, bytes, { dryRun });
    steps.push({
      step,
      ms: timings.totalMs,
      variantLocksMs: timings.variantLocksMs,
      created: report.created,
      updated: report.updated,
      unchanged: report.unchanged,
    });
    console.log(
      `${step.padEnd(48)} ${(timings.totalMs / 1000).toFixed(2)} s  (variant locks ${timings.variantLocksMs.toFixed(0)} ms)  created ${report.created} updated ${report.updated} unchanged ${report.unchanged}`,
    );
    return { timings };
  };
  console.log(`file: ${file.length} bytes, ${file.toString().split('\r\n').length - 2} rows`);
  await timed('dry run, 10,000 new rows', file, true);
  await timed('import, 10,000 new rows', file, false);

  const started = performance.now();
  const exported = await collect(await exportCatalogCsv(ctx));
  steps.push({ step: 'export, 10,000 rows', ms: performance.now() - started });
  console.log(`export, 10,000 rows: ${((performance.now() - started) / 1000).toFixed(2)} s`);
  if (exported !== file.toString()) {
    // Same rows, maybe in another order of creation within a millisecond: compare as sets.
    const a = new Set(exported.split('\r\n'));
    const b = file.toString().split('\r\n');
    if (b.some((line) => !a.has(line)))
      throw new Error('the export differs from the imported file');
  }

  await timed('import of the export (nothing changes)', Buffer.from(exported), false);
  const changed = Buffer.from(everyVariantChanged(exported));
  await timed('dry run, every variant changed', changed, true);
  if (url) {
    const [variant] = await queryRows<{ id: string }>(
      database.db,
      sql`select id from product_variants order by id limit 1`,
    );
    const probe = await orderProbe(url, variant!.id, () =>
      timed('import, every variant changed (price and stock)', changed, false),
    );
    steps.at(-1)!.orderWaitMaxMs = probe.maxMs;
    steps.at(-1)!.orderWaits = probe.count;
    console.log(
      `  an order's update of a variant during it: ${probe.count} runs, the longest ${probe.maxMs.toFixed(0)} ms`,
    );
  } else {
    await timed('import, every variant changed (price and stock)', changed, false);
  }
  const [ledger] = await queryRows<{ off: number }>(
    database.db,
    sql`select count(*)::int as off from (
          select v.id from product_variants v left join stock_movements m on m.variant_id = v.id
           group by v.id, v.stock having v.stock <> coalesce(sum(m.delta), 0)) x`,
  );
  if (ledger!.off !== 0) throw new Error(`${ledger!.off} variants differ from their ledger`);
  return steps;
}

async function main() {
  const results: Record<string, Step[]> = {};
  console.log('== embedded (PGlite, in memory)');
  const embedded = await openDatabase({});
  try {
    results.embedded = await run(embedded, undefined);
  } finally {
    await embedded.close();
  }
  const base = process.env.DATABASE_URL;
  if (base) {
    const name = `ordo_import_bench_${process.pid}`;
    const admin = async (text: string) => {
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      try {
        await client.query(text);
      } finally {
        await client.end();
      }
    };
    await admin(`create database ${name}`);
    const u = new URL(base);
    u.pathname = `/${name}`;
    console.log('== PostgreSQL');
    const database = await openDatabase({ databaseUrl: u.toString(), poolSize: 4 });
    try {
      results.postgres = await run(database, u.toString());
    } finally {
      await database.close();
      await admin(`drop database if exists ${name} with (force)`);
    }
  }
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/import.json', `${JSON.stringify(results, null, 2)}\n`);
  const lines = [
    '| database | step | time | variant locks held | longest order wait |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const [kind, steps] of Object.entries(results)) {
    for (const s of steps) {
      lines.push(
        `| ${kind} | ${s.step} | ${(s.ms / 1000).toFixed(2)} s | ${s.variantLocksMs === undefined ? '' : `${s.variantLocksMs.toFixed(0)} ms`} | ${s.orderWaitMaxMs === undefined ? '' : `${s.orderWaitMaxMs.toFixed(0)} ms (${s.orderWaits} updates)`} |`,
      );
    }
  }
  writeFileSync('bench/results/import.md', `${lines.join('\n')}\n`);
  console.log(lines.join('\n'));
}

await main();
