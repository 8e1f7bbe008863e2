import type { ZodType } from 'zod';
import { parseDecimalAmount } from '../../shared/money.js';
import { moneyInput } from '../../shared/schemas.js';
import {
  descriptionInput,
  MAX_OPTION_VALUES,
  MAX_STOCK_INPUT,
  MAX_VARIANTS,
  optionText,
  productNameInput,
  skuInput,
} from './catalog.schemas.js';
import {
  OPTION_NAME_COLUMNS,
  OPTION_VALUE_COLUMNS,
  PRODUCT_COLUMNS,
  type CsvRow,
  type ProductCsvColumn,
  type RowError,
} from './product-csv.js';
import type { ProductOption, VariantOptions } from './product.table.js';
import { variantTitle } from './variant-options.js';

/**
 * What an import file would change in the catalog, pure: the rows of a file against what the
 * catalog holds for the products and SKUs it names. Every bad row is reported with its row
 * number and why; the plan lists the writes the import makes when there is none.
 *
 * The rules, as the docs state them: a row belongs to the product its `product_sku` names and
 * is the variant its `sku` names (letter case aside). A product's columns come from its first
 * row; later rows repeat them or leave them empty. An empty cell keeps what the catalog has
 * (a new product or variant takes the default), except `description` and `categories` on a
 * product's first row, where empty means none. Options cannot be added, removed or renamed by
 * an import, and a variant keeps its option values; a new value of an option is appended to it.
 * Nothing is deleted: a product or variant the file leaves out stays as it is.
 */

/** A variant as the catalog holds it. */
export interface KnownVariant {
  id: string;
  sku: string;
  options: VariantOptions;
  price: number;
  stock: number;
  active: boolean;
  position: number;
}

/** A product the file names, as the catalog holds it. */
export interface KnownProduct {
  id: string;
  sku: string;
  name: string;
  description: string;
  active: boolean;
  archived: boolean;
  options: ProductOption[];
  price: number;
  /** Sorted. */
  categoryIds: string[];
  variants: KnownVariant[];
}

/** What the catalog holds for what a file names (see namesOf). */
export interface KnownCatalog {
  /** The products whose SKUs the file names in `product_sku`, by lower-case SKU. */
  products: ReadonlyMap<string, KnownProduct>;
  /** Every variant whose SKU the file names in `sku`, by lower-case SKU: its product's id and SKU. */
  variantOwners: ReadonlyMap<string, { productId: string; productSku: string }>;
  /** The categories whose slugs the file names, by slug: their ids. */
  categories: ReadonlyMap<string, string>;
}

/** A product's columns as the import writes them. */
export interface PlannedProduct {
  id: string;
  sku: string;
  name: string;
  description: string;
  active: boolean;
  options: ProductOption[];
  /** Its lowest active variant price (the lowest of all when none is active), as always. */
  price: number;
}

export interface PlannedVariant {
  id: string;
  productId: string;
  sku: string;
  title: string;
  options: VariantOptions;
  price: number;
  /** Opening stock, entered in the ledger. */
  stock: number;
  active: boolean;
  position: number;
}

/** An existing variant's new columns; `stock` only when the file sets another stock. */
export interface VariantChange {
  id: string;
  productId: string;
  sku: string;
  price: number;
  active: boolean;
  stock?: number;
}

export interface ImportPlan {
  /** Products the file creates, updates, and names without changing anything. */
  created: number;
  updated: number;
  unchanged: number;
  errors: RowError[];
  newProducts: PlannedProduct[];
  changedProducts: PlannedProduct[];
  /** Products whose categories become exactly these (new products with categories included). */
  categorySets: { productId: string; categoryIds: string[] }[];
  newVariants: PlannedVariant[];
  changedVariants: VariantChange[];
}

/** What the planner needs to know beside the file and the catalog. */
export interface PlanOptions {
  currency: string;
  newId: (prefix: 'prd' | 'var') => string;
}

const lower = (text: string) => text.toLowerCase();

/** Category slugs in a cell: separated by semicolons, commas, bars or spaces; any letter case. */
const slugsIn = (cell: string): string[] => [
  ...new Set(
    cell
      .split(/[\s,;|]+/)
      .filter((slug) => slug !== '')
      .map(lower),
  ),
];

const BOOLEANS: Record<string, boolean> = {
  true: true,
  false: false,
  yes: true,
  no: false,
  '1': true,
  '0': false,
};

const given = (cell: string | undefined): cell is string => cell !== undefined && cell !== '';

/** The lower-case SKUs and slugs a file names, for loading what the catalog holds of them. */
export function namesOf(rows: readonly CsvRow[]): {
  productSkus: string[];
  variantSkus: string[];
  slugs: string[];
} {
  const productSkus = new Set<string>();
  const variantSkus = new Set<string>();
  const slugs = new Set<string>();
  for (const { cells } of rows) {
    if (given(cells.product_sku)) productSkus.add(lower(cells.product_sku));
    if (given(cells.sku)) variantSkus.add(lower(cells.sku));
    if (given(cells.categories)) for (const slug of slugsIn(cells.categories)) slugs.add(slug);
  }
  return { productSkus: [...productSkus], variantSkus: [...variantSkus], slugs: [...slugs] };
}

/** A product's lowest active variant price, or the lowest of all when none is active. */
function productPrice(variants: readonly { price: number; active: boolean }[]): number {
  const active = variants.filter((v) => v.active).map((v) => v.price);
  const prices = active.length > 0 ? active : variants.map((v) => v.price);
  return prices.length > 0 ? Math.min(...prices) : 0;
}

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((item, i) => item === b[i]);

/** The errors of one product's rows, each naming its row and column. */
class RowErrors {
  readonly list: RowError[] = [];
  add(row: number, column: ProductCsvColumn | 'options', message: string): void {
    this.list.push({ row, message: `${column}: ${message}` });
  }
  /** A cell read with a schema of the API's, or undefined (and an error) when it fails it. */
  read<T>(row: number, column: ProductCsvColumn, schema: ZodType<T>, cell: string): T | undefined {
    const result = schema.safeParse(cell);
    if (result.success) return result.data;
    this.add(row, column, `"${cell}": ${result.error.issues[0]?.message ?? 'invalid'}`);
    return undefined;
  }
  bool(row: number, column: ProductCsvColumn, cell: string): boolean | undefined {
    const value = BOOLEANS[lower(cell)];
    if (value === undefined) this.add(row, column, `"${cell}" is not true or false`);
    return value;
  }
}

/** What one row says of its variant, read alone. */
interface VariantCells {
  sku: string | undefined;
  price: number | undefined;
  stock: number | undefined;
  active: boolean | undefined;
  /** Per option (1 to 3), trimmed; empty when not given. */
  values: string[];
}

function readVariantCells(row: CsvRow, currency: string, errors: RowErrors): VariantCells {
  const { cells } = row;
  let sku: string | undefined;
  if (given(cells.sku)) sku = errors.read(row.row, 'sku', skuInput, cells.sku);
  else errors.add(row.row, 'sku', "is required: the variant's SKU");
  let price: number | undefined;
  if (given(cells.price)) {
    const amount = parseDecimalAmount(cells.price, currency);
    if ('error' in amount) errors.add(row.row, 'price', amount.error);
    else if (!moneyInput.safeParse(amount.minor).success) {
      errors.add(row.row, 'price', `"${cells.price}" is more than the most a price may be`);
    } else price = amount.minor;
  }
  let stock: number | undefined;
  if (given(cells.stock)) {
    if (/^\d+$/.test(cells.stock) && Number(cells.stock) <= MAX_STOCK_INPUT) {
      stock = Number(cells.stock);
    } else {
      errors.add(
        row.row,
        'stock',
        `"${cells.stock}" is not a whole number from 0 to ${MAX_STOCK_INPUT}`,
      );
    }
  }
  const active = given(cells.variant_active)
    ? errors.bool(row.row, 'variant_active', cells.variant_active)
    : undefined;
  return {
    sku,
    price,
    stock,
    active,
    values: OPTION_VALUE_COLUMNS.map((column) => cells[column] ?? ''),
  };
}

/** Whether a later row's product cell says the same as the first row's. */
function sameProductCell(column: (typeof PRODUCT_COLUMNS)[number], a: string, b: string): boolean {
  if (column === 'active') return BOOLEANS[lower(a)] === BOOLEANS[lower(b)];
  if (column === 'categories') return sameList(slugsIn(a).sort(), slugsIn(b).sort());
  return a === b;
}

/** The whole file's state while it is planned: SKUs seen so far, and the plan being made. */
interface Planning {
  known: KnownCatalog;
  options: PlanOptions;
  /** Lower-case variant SKU → the row that first used it. */
  skuRows: Map<string, number>;
  plan: ImportPlan;
}

/**
 * The import of a file's rows (as readProductCsv read them) into the catalog as `known`
 * describes it: the writes to make, the counts, and every bad row. A product with a bad row is
 * left out of the writes; the import makes none unless `errors` is empty.
 */
export function planImport(
  rows: readonly CsvRow[],
  known: KnownCatalog,
  options: PlanOptions,
): ImportPlan {
  const plan: ImportPlan = {
    created: 0,
    updated: 0,
    unchanged: 0,
    errors: [],
    newProducts: [],
    changedProducts: [],
    categorySets: [],
    newVariants: [],
    changedVariants: [],
  };
  const groups = new Map<string, CsvRow[]>();
  for (const row of rows) {
    const key = lower(row.cells.product_sku ?? '');
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  const planning: Planning = { known, options, skuRows: new Map(), plan };
  for (const group of groups.values()) {
    const errors = new RowErrors();
    planProduct(planning, group, errors);
    plan.errors.push(...errors.list);
  }
  plan.errors.sort((a, b) => a.row - b.row);
  return plan;
}

/** A product's columns from its first row, against what the catalog has (`existing`). */
function readProductCells(
  first: CsvRow,
  existing: KnownProduct | undefined,
  planning: Planning,
  errors: RowErrors,
) {
  const { cells, row } = first;
  let name = existing?.name;
  if (given(cells.name)) name = errors.read(row, 'name', productNameInput, cells.name);
  else if (!existing) errors.add(row, 'name', 'is required for a new product');
  const description =
    cells.description === undefined
      ? (existing?.description ?? '')
      : errors.read(row, 'description', descriptionInput, cells.description);
  const active = given(cells.active)
    ? errors.bool(row, 'active', cells.active)
    : (existing?.active ?? true);
  let categoryIds = existing?.categoryIds ?? [];
  if (cells.categories !== undefined) {
    categoryIds = [];
    for (const slug of slugsIn(cells.categories)) {
      const id = planning.known.categories.get(slug);
      if (id === undefined) errors.add(row, 'categories', `no category has the slug "${slug}"`);
      else categoryIds.push(id);
    }
    categoryIds = [...new Set(categoryIds)].sort();
  }
  let optionNames = existing?.options.map((o) => o.name) ?? [];
  const before = errors.list.length;
  if (OPTION_NAME_COLUMNS.some((column) => cells[column] !== undefined)) {
    optionNames = [];
    let gap = false;
    for (const column of OPTION_NAME_COLUMNS) {
      const cell = cells[column] ?? '';
      if (cell === '') {
        gap = true;
        continue;
      }
      if (gap) {
        errors.add(row, column, 'an option is named after an empty option name column');
        continue;
      }
      const optionName = errors.read(row, column, optionText, cell);
      if (optionName === undefined) continue;
      if (optionNames.some((other) => lower(other) === lower(optionName))) {
        errors.add(row, column, `the option "${optionName}" is named twice`);
      }
      optionNames.push(optionName);
    }
    if (
      existing &&
      !sameList(
        optionNames,
        existing.options.map((o) => o.name),
      )
    ) {
      const names = existing.options.map((o) => o.name).join(', ') || 'none';
      errors.add(
        row,
        'options',
        `the product's options are ${names}; an import cannot add, remove or rename options (change them in the back office)`,
      );
    }
  }
  return {
    name,
    description,
    active,
    categoryIds,
    optionNames,
    optionsValid: errors.list.length === before,
  };
}

function planProduct(planning: Planning, group: CsvRow[], errors: RowErrors): void {
  const { known, options, plan } = planning;
  const first = group[0]!;
  const productSkuCell = first.cells.product_sku ?? '';
  if (productSkuCell === '') {
    for (const { row } of group) {
      errors.add(row, 'product_sku', "is required: the SKU of the row's product");
    }
    return;
  }
  const productSku = errors.read(first.row, 'product_sku', skuInput, productSkuCell);
  if (productSku === undefined) return;
  const existing = known.products.get(lower(productSku));
  if (existing?.archived) {
    errors.add(
      first.row,
      'product_sku',
      `${existing.sku} is an archived product: restore it in the back office first, or use another SKU`,
    );
    return;
  }
  const product = readProductCells(first, existing, planning, errors);
  for (const later of group.slice(1)) {
    for (const column of PRODUCT_COLUMNS) {
      const cell = later.cells[column];
      if (given(cell) && !sameProductCell(column, cell, first.cells[column] ?? '')) {
        errors.add(
          later.row,
          column,
          `differs from row ${first.row}, the product's first row (repeat it or leave it empty)`,
        );
      }
    }
  }
  // Without the product's options its rows' values mean nothing: stop at what is wrong there.
  if (!product.optionsValid) return;

  const names = product.optionNames;
  const hasOptions = names.length > 0;
  const values = names.map((_, i) => [...(existing?.options[i]?.values ?? [])]);
  const comboKey = (picked: readonly string[]) => JSON.stringify(picked.map(lower));
  const combos = new Map<string, string>();
  const existingBySku = new Map<string, KnownVariant>();
  for (const variant of existing?.variants ?? []) {
    existingBySku.set(lower(variant.sku), variant);
    combos.set(comboKey(names.map((n) => variant.options[n] ?? '')), `the variant ${variant.sku}`);
  }
  let position = Math.max(-1, ...(existing?.variants ?? []).map((v) => v.position)) + 1;
  const productId = existing?.id ?? options.newId('prd');
  const newVariants: PlannedVariant[] = [];
  const changed: VariantChange[] = [];
  const updatedStates = new Map<string, { price: number; active: boolean }>();

  if (!hasOptions && group.length > 1) {
    for (const later of group.slice(1)) {
      errors.add(
        later.row,
        'sku',
        'a product without options has exactly one variant: give the product options (option1_name, option1_value) to sell more than one',
      );
    }
    return;
  }

  for (const row of group) {
    const cells = readVariantCells(row, options.currency, errors);
    const sku = cells.sku;
    if (sku === undefined) continue;
    if (!hasOptions && sku !== productSku) {
      errors.add(
        row.row,
        'sku',
        `a product without options has one SKU: write the same as product_sku (${productSku})`,
      );
    }
    const seen = planning.skuRows.get(lower(sku));
    if (seen !== undefined) errors.add(row.row, 'sku', `${sku} is also on row ${seen}`);
    else planning.skuRows.set(lower(sku), row.row);
    const owner = known.variantOwners.get(lower(sku));
    if (owner && owner.productId !== existing?.id) {
      errors.add(row.row, 'sku', `${sku} is already a variant of the product ${owner.productSku}`);
      continue;
    }
    cells.values.forEach((value, i) => {
      if (i >= names.length && value !== '') {
        errors.add(
          row.row,
          OPTION_VALUE_COLUMNS[i]!,
          hasOptions
            ? `the product has ${names.length} option${names.length > 1 ? 's' : ''}`
            : 'the product has no options',
        );
      }
    });
    if (!hasOptions && cells.active === false) {
      errors.add(
        row.row,
        'variant_active',
        'a product without options has one variant, always active: set active to false to take the product off sale',
      );
    }
    const variant = existingBySku.get(lower(sku));
    if (variant) {
      names.forEach((optionName, i) => {
        const value = cells.values[i]!;
        if (value !== '' && value !== variant.options[optionName]) {
          errors.add(
            row.row,
            OPTION_VALUE_COLUMNS[i]!,
            `${variant.sku} is ${optionName} ${variant.options[optionName] ?? '(none)'}: an import cannot change a variant's options (add a new variant with its own SKU)`,
          );
        }
      });
      const price = cells.price ?? variant.price;
      const active = cells.active ?? variant.active;
      const stock =
        cells.stock !== undefined && cells.stock !== variant.stock ? cells.stock : undefined;
      updatedStates.set(variant.id, { price, active });
      if (
        sku !== variant.sku ||
        price !== variant.price ||
        active !== variant.active ||
        stock !== undefined
      ) {
        changed.push({
          id: variant.id,
          productId,
          sku,
          price,
          active,
          ...(stock === undefined ? {} : { stock }),
        });
      }
      continue;
    }
    if (cells.price === undefined) {
      if (!given(row.cells.price)) errors.add(row.row, 'price', 'is required for a new variant');
      continue;
    }
    const picked: string[] = [];
    names.forEach((optionName, i) => {
      const column = OPTION_VALUE_COLUMNS[i]!;
      const cell = cells.values[i]!;
      if (cell === '') {
        errors.add(row.row, column, `is required: the new variant's value of ${optionName}`);
        return;
      }
      const value = errors.read(row.row, column, optionText, cell);
      if (value === undefined) return;
      const spelled = values[i]!.find((v) => lower(v) === lower(value));
      if (spelled !== undefined && spelled !== value) {
        errors.add(
          row.row,
          column,
          `${optionName} has the value "${spelled}": write it the same way`,
        );
      } else if (spelled === undefined) {
        if (values[i]!.length >= MAX_OPTION_VALUES) {
          errors.add(
            row.row,
            column,
            `${optionName} has ${MAX_OPTION_VALUES} values, the most it may have`,
          );
        } else values[i]!.push(value);
      }
      picked.push(value);
    });
    if (picked.length !== names.length) continue;
    const key = comboKey(picked);
    const same = combos.get(key);
    if (same !== undefined) {
      errors.add(
        row.row,
        'options',
        `${picked.join(' / ')} is already ${same} (each combination at most once)`,
      );
      continue;
    }
    combos.set(key, `on row ${row.row}`);
    const variantOptions = Object.fromEntries(names.map((n, i) => [n, picked[i]!]));
    newVariants.push({
      id: options.newId('var'),
      productId,
      sku,
      title: '',
      options: variantOptions,
      price: cells.price,
      stock: cells.stock ?? 0,
      active: hasOptions ? (cells.active ?? true) : true,
      position: position++,
    });
  }
  const variantCount = (existing?.variants.length ?? 0) + newVariants.length;
  if (variantCount > MAX_VARIANTS) {
    errors.add(
      first.row,
      'sku',
      `the product would have ${variantCount} variants; a product has at most ${MAX_VARIANTS}`,
    );
  }
  if (errors.list.length > 0) return;

  const productOptions: ProductOption[] = names.map((name, i) => ({ name, values: values[i]! }));
  for (const variant of newVariants) variant.title = variantTitle(productOptions, variant.options);
  const planned: PlannedProduct = {
    id: productId,
    sku: productSku,
    name: product.name!,
    description: product.description!,
    active: product.active!,
    options: productOptions,
    price: productPrice([
      ...(existing?.variants ?? []).map((v) => updatedStates.get(v.id) ?? v),
      ...newVariants,
    ]),
  };
  plan.newVariants.push(...newVariants);
  plan.changedVariants.push(...changed);
  if (!existing) {
    plan.created++;
    plan.newProducts.push(planned);
    if (product.categoryIds.length > 0) {
      plan.categorySets.push({ productId, categoryIds: product.categoryIds });
    }
    return;
  }
  const categoriesChanged = !sameList(product.categoryIds, existing.categoryIds);
  if (categoriesChanged) plan.categorySets.push({ productId, categoryIds: product.categoryIds });
  const productChanged =
    planned.sku !== existing.sku ||
    planned.name !== existing.name ||
    planned.description !== existing.description ||
    planned.active !== existing.active ||
    planned.price !== existing.price ||
    productOptions.some((option, i) => !sameList(option.values, existing.options[i]!.values));
  if (productChanged || categoriesChanged || newVariants.length > 0 || changed.length > 0) {
    plan.updated++;
    plan.changedProducts.push(planned);
  } else plan.unchanged++;
}
