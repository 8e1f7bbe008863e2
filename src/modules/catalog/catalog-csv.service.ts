import { performance } from 'node:perf_hooks';
import type { AppContext } from '../../app-context.js';
import type { Executor, Tx } from '../../db/client.js';
import { afterCommit, inTransaction } from '../../db/commit-events.js';
import { isForeignKeyViolation, isUniqueViolation } from '../../db/errors.js';
import { csvRow } from '../../shared/csv.js';
import { AppError } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { decimalAmount } from '../../shared/money.js';
import { actorIdOf, type ActorOrSystem } from '../auth/system-actor.js';
import { catalogChanged, stockChanged, STOCK_CHANGED } from './catalog-cache.js';
import * as repo from './catalog-csv.repository.js';
import {
  namesOf,
  planImport,
  type ImportPlan,
  type KnownCatalog,
  type KnownProduct,
} from './import-plan.js';
import {
  CATEGORY_SEPARATOR,
  PRODUCT_CSV_COLUMNS,
  readProductCsv,
  type CsvRow,
  type RowError,
} from './product-csv.js';

/**
 * The catalog as a CSV file and back (the format: product-csv.ts; the rules of an import:
 * import-plan.ts). An import is all or nothing: every row is checked against the catalog
 * first, and one bad row means nothing is written. A dry run answers what the import would do
 * without writing.
 */

type Ctx = Pick<AppContext, 'db' | 'clock' | 'config' | 'redis' | 'logger'>;

/** The ledger reason of every stock change an import makes. */
export const IMPORT_REASON = 'CSV import';

/** Rows per export query; nothing holds more than a page in memory. */
const EXPORT_PAGE_SIZE = 500;
/** The most row errors an answer lists; `errorCount` says how many there were. */
export const MAX_REPORTED_ERRORS = 1000;

/** What an import did, or (dry run) would do. */
export interface ImportReport {
  created: number;
  updated: number;
  unchanged: number;
  errors: RowError[];
  errorCount: number;
}

/** How long an import took, and how long it held the variants' row locks (PostgreSQL). */
export interface ImportTimings {
  rows: number;
  totalMs: number;
  /** From reading the file to the plan (parse, load, check), the products locked meanwhile. */
  planMs: number;
  /** From locking the changed variants to the COMMIT's answer: how long an order could wait. */
  variantLocksMs: number;
}

// --- export ---

function exportRows(page: Awaited<ReturnType<typeof repo.exportPage>>, currency: string): string {
  const slugsOf = new Map<string, string[]>();
  for (const { productId, slug } of page.slugs) {
    slugsOf.set(productId, [...(slugsOf.get(productId) ?? []), slug]);
  }
  const variantsOf = new Map<string, repo.CsvVariantRow[]>();
  for (const variant of page.variants) {
    variantsOf.set(variant.productId, [...(variantsOf.get(variant.productId) ?? []), variant]);
  }
  let text = '';
  for (const product of page.products) {
    const options = product.options.map((o) => o.name);
    for (const variant of variantsOf.get(product.id) ?? []) {
      text += csvRow([
        product.sku,
        product.name,
        product.description,
        String(product.active),
        (slugsOf.get(product.id) ?? []).join(CATEGORY_SEPARATOR),
        ...[0, 1, 2].flatMap((i) => {
          const name = options[i];
          return name === undefined ? ['', ''] : [name, variant.options[name] ?? ''];
        }),
        variant.sku,
        decimalAmount(variant.price, currency),
        variant.stock,
        String(variant.active),
      ]);
    }
  }
  return text;
}

/**
 * The catalog (every product that is not archived) as CSV, a page of products at a time, in
 * creation order: a header row, then one row per variant in the product's display order. The
 * first page is read before this resolves, so a database failure is still a problem response
 * rather than a cut-off file. Pages are separate reads: a product created during a long export
 * may or may not appear, but none appears twice.
 */
export async function exportCatalogCsv(ctx: Ctx): Promise<AsyncIterable<string>> {
  const currency = ctx.config.currency;
  const first = await repo.exportPage(ctx.db, undefined, EXPORT_PAGE_SIZE);
  return (async function* () {
    yield csvRow(PRODUCT_CSV_COLUMNS);
    let page = first;
    while (page.products.length > 0) {
      yield exportRows(page, currency);
      if (page.products.length < EXPORT_PAGE_SIZE) return;
      page = await repo.exportPage(
        ctx.db,
        page.products[page.products.length - 1]!.id,
        EXPORT_PAGE_SIZE,
      );
    }
  })();
}

// --- import ---

/** What the catalog holds for what the rows name, the products read by `readProducts`. */
async function knownCatalog(
  db: Executor,
  rows: readonly CsvRow[],
  readProducts: (skus: string[]) => Promise<repo.CsvProductRow[]>,
): Promise<KnownCatalog> {
  const names = namesOf(rows);
  const productRows = await readProducts(names.productSkus);
  const ids = productRows.map((p) => p.id);
  const variants = await repo.findVariantsOfProducts(db, ids);
  const links = await repo.findCategoryLinks(db, ids);
  const owners = await repo.findVariantOwners(db, names.variantSkus);
  const categories = await repo.findCategoriesBySlug(db, names.slugs);
  const variantsOf = new Map<string, KnownProduct['variants']>();
  for (const { productId, ...variant } of variants) {
    variantsOf.set(productId, [...(variantsOf.get(productId) ?? []), variant]);
  }
  const categoriesOf = new Map<string, string[]>();
  for (const { productId, categoryId } of links) {
    categoriesOf.set(productId, [...(categoriesOf.get(productId) ?? []), categoryId]);
  }
  return {
    products: new Map(
      productRows.map((p) => [
        p.sku.toLowerCase(),
        {
          id: p.id,
          sku: p.sku,
          name: p.name,
          description: p.description,
          active: p.active,
          archived: p.archivedAt !== null,
          options: p.options,
          price: p.price,
          categoryIds: (categoriesOf.get(p.id) ?? []).sort(),
          variants: variantsOf.get(p.id) ?? [],
        },
      ]),
    ),
    variantOwners: new Map(
      owners.map((o) => [
        o.sku.toLowerCase(),
        { productId: o.productId, productSku: o.productSku },
      ]),
    ),
    categories: new Map(categories.map((c) => [c.slug, c.id])),
  };
}

const reportOf = (plan: Pick<ImportPlan, 'created' | 'updated' | 'unchanged' | 'errors'>) => ({
  created: plan.created,
  updated: plan.updated,
  unchanged: plan.unchanged,
  errors: plan.errors.slice(0, MAX_REPORTED_ERRORS),
  errorCount: plan.errors.length,
});

/** 422 IMPORT_INVALID with the report: the rows and why, and what the rest would have done. */
function importInvalid(
  plan: Pick<ImportPlan, 'created' | 'updated' | 'unchanged' | 'errors'>,
): AppError {
  const report = reportOf(plan);
  const first = report.errors[0]!;
  return new AppError(
    'IMPORT_INVALID',
    `${report.errorCount} problem${report.errorCount === 1 ? '' : 's'} in the file (row ${first.row}: ${first.message}); nothing was imported`,
    { members: report },
  );
}

const NO_COUNTS = { created: 0, updated: 0, unchanged: 0 };

/**
 * Writes a plan with no errors, in the caller's transaction, products first: new products,
 * changed products, their categories and new variants (with their opening stock and its
 * ledger lines) touch no row an order locks. The variants that change are locked last, in id
 * order, so orders wait for them only from then to the COMMIT; each new stock is written with
 * the difference from the stock under the lock as a ledger adjustment. Answers when the
 * variant locks were taken (performance.now()).
 */
async function writePlan(
  tx: Tx,
  plan: ImportPlan,
  ref: { actorId: string; now: Date },
): Promise<number> {
  const { now } = ref;
  const movements = { reason: IMPORT_REASON, ...ref };
  await repo.insertProducts(tx, plan.newProducts, now);
  await repo.updateProducts(tx, plan.changedProducts, now);
  await repo.replaceCategoryLinks(tx, plan.categorySets);
  await repo.insertVariants(tx, plan.newVariants, now);
  await repo.insertAdjustments(
    tx,
    plan.newVariants
      .filter((v) => v.stock > 0)
      .map((v) => ({
        productId: v.productId,
        variantId: v.id,
        delta: v.stock,
        stockAfter: v.stock,
      })),
    movements,
  );
  const lockedAt = performance.now();
  const locked = await repo.lockVariantsById(
    tx,
    plan.changedVariants.map((v) => v.id),
  );
  const stockNow = new Map(locked.map((v) => [v.id, v.stock]));
  const changes = plan.changedVariants.map((change) => ({
    ...change,
    stock: change.stock ?? stockNow.get(change.id)!,
  }));
  await repo.updateVariants(tx, changes, now);
  await repo.insertAdjustments(
    tx,
    changes.flatMap((change) => {
      const delta = change.stock - stockNow.get(change.id)!;
      return delta === 0
        ? []
        : [{ productId: change.productId, variantId: change.id, delta, stockAfter: change.stock }];
    }),
    movements,
  );
  return lockedAt;
}

/** A file whose rows cannot even be read (bad header, broken quote): nothing to plan. */
function readRows(file: Buffer): CsvRow[] {
  const { rows, errors } = readProductCsv(file);
  if (errors.length > 0) throw importInvalid({ ...NO_COUNTS, errors });
  return rows;
}

/**
 * Imports a CSV file of the export's format. Every row is checked first, against the catalog
 * as it is under the locks of the products the file names; with any bad row nothing is written
 * and the answer is 422 IMPORT_INVALID listing each (`errors: [{row, message}]`). Otherwise
 * everything is written in one transaction (writePlan) and the catalog cache retired once it
 * has committed. `dryRun` checks the same way and writes nothing (no locks either): what it
 * answers is what the import would answer, unless the catalog changes in between.
 */
export async function importCatalog(
  ctx: Ctx,
  actor: ActorOrSystem,
  file: Buffer,
  options: { dryRun: boolean },
): Promise<{ report: ImportReport; timings: ImportTimings }> {
  const started = performance.now();
  const rows = readRows(file);
  const now = ctx.clock.now();
  const planOptions = {
    currency: ctx.config.currency,
    newId: (prefix: 'prd' | 'var') => newId(prefix, now.getTime()),
  };
  if (options.dryRun) {
    const known = await knownCatalog(ctx.db, rows, (skus) => repo.findProductsBySku(ctx.db, skus));
    const plan = planImport(rows, known, planOptions);
    if (plan.errors.length > 0) throw importInvalid(plan);
    const ms = performance.now() - started;
    return {
      report: reportOf(plan),
      timings: { rows: rows.length, totalMs: ms, planMs: ms, variantLocksMs: 0 },
    };
  }
  let planned = 0;
  let lockedAt = 0;
  let plan: ImportPlan;
  try {
    plan = await inTransaction(ctx.db, async (tx) => {
      const known = await knownCatalog(tx, rows, (skus) => repo.lockProductsBySku(tx, skus));
      const made = planImport(rows, known, planOptions);
      if (made.errors.length > 0) throw importInvalid(made);
      planned = performance.now();
      lockedAt = await writePlan(tx, made, { actorId: actorIdOf(actor), now });
      if (made.created + made.updated > 0) afterCommit(tx, STOCK_CHANGED, () => stockChanged(ctx));
      return made;
    });
  } catch (error) {
    throw importConflict(error);
  }
  const committed = performance.now();
  if (plan.created + plan.updated > 0) await catalogChanged(ctx);
  const timings: ImportTimings = {
    rows: rows.length,
    totalMs: committed - started,
    planMs: planned - started,
    variantLocksMs: plan.changedVariants.length > 0 ? committed - lockedAt : 0,
  };
  ctx.logger.info(
    { ...timings, created: plan.created, updated: plan.updated, unchanged: plan.unchanged },
    'catalog imported',
  );
  return { report: reportOf(plan), timings };
}

/**
 * What the database refused of a checked plan: a product or variant, or a category, that
 * another request created or deleted while the file was imported. Nothing was written.
 */
function importConflict(error: unknown): unknown {
  if (
    isUniqueViolation(error, 'products_sku_key') ||
    isUniqueViolation(error, 'product_variants_sku_key')
  ) {
    return new AppError(
      'SKU_TAKEN',
      'A product or variant created while the file was imported uses one of its SKUs; nothing was imported. Check the file again.',
    );
  }
  if (isForeignKeyViolation(error, 'product_categories_category_id_categories_id_fk')) {
    return new AppError(
      'CATEGORY_UNKNOWN',
      'A category the file names was deleted while it was imported; nothing was imported. Check the file again.',
    );
  }
  return error;
}
