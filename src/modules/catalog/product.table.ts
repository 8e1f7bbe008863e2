import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { at, createdAt, id, updatedAt } from '../../db/columns.js';
import { productImages } from './product-image.table.js';

/** One of a product's options and the values it offers, in display order (Size: S, M, L). */
export interface ProductOption {
  name: string;
  values: string[];
}

/** A variant's value for each of its product's options, by option name ({Size: "M"}). */
export type VariantOptions = Record<string, string>;

export const products = pgTable(
  'products',
  {
    id: id(),
    sku: text('sku').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    /** 0 to 3 options; none means the product has exactly one variant (docs/adr/0007). */
    options: jsonb('options').$type<ProductOption[]>().notNull().default([]),
    /**
     * Minor units of the shop currency: the lowest price of the product's active variants,
     * written with every change of a variant's price or active flag (the catalog's sorts and
     * price filters read it). An order prices from the variant, never from here.
     */
    price: integer('price').notNull(),
    // No stock here: a product's stock is the sum of its variants' (read with them), so an
    // order writes the variants it takes and never its product's row (docs/adr/0007).
    active: boolean('active').notNull().default(true),
    /** Archived products leave the catalog and admin lists but stay for what references them. */
    archivedAt: at('archived_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('products_sku_key').on(sql`lower(${t.sku})`),
    index('products_created_at_idx').on(t.createdAt),
    index('products_price_idx').on(t.price),
    // The public catalog's sorts, over the products it shows: a page is the first rows of one
    // of these, however many products there are (see "Data scale" in docs/ARCHITECTURE.md).
    index('products_public_name_idx')
      .on(t.name, t.id)
      .where(sql`${t.active} and ${t.archivedAt} is null`),
    index('products_public_price_idx')
      .on(t.price, t.id)
      .where(sql`${t.active} and ${t.archivedAt} is null`),
    index('products_public_created_idx')
      .on(t.createdAt, t.id)
      .where(sql`${t.active} and ${t.archivedAt} is null`),
    check('products_price_check', sql`${t.price} >= 0`),
  ],
);

/**
 * What is sold: one row per combination of the product's option values the shop sells, each
 * with its own SKU, price and stock. A product without options has exactly one, whose SKU,
 * price and stock are the product's own. The stock here is the truth: the ledger's movements
 * of a variant sum to it.
 */
export const productVariants = pgTable(
  'product_variants',
  {
    id: id(),
    productId: text('product_id')
      .notNull()
      .references(() => products.id),
    sku: text('sku').notNull(),
    /** The option values joined by " / " in the options' order ("M / Red"); empty without options. */
    title: text('title').notNull(),
    options: jsonb('options').$type<VariantOptions>().notNull().default({}),
    /** Minor units of the shop currency. */
    price: integer('price').notNull(),
    /** Always equal to the sum of this variant's stock movements. */
    stock: integer('stock').notNull().default(0),
    active: boolean('active').notNull().default(true),
    imageId: text('image_id').references(() => productImages.id, { onDelete: 'set null' }),
    /** Display order within the product, lowest first. */
    position: integer('position').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('product_variants_sku_key').on(sql`lower(${t.sku})`),
    // Each combination at most once per product, whatever races to add it.
    uniqueIndex('product_variants_options_key').on(t.productId, t.options),
    index('product_variants_product_idx').on(t.productId, t.position),
    // No index names `stock`: every order updates it, and an index on it (even partial) makes
    // each of those updates write a new entry in every index of the table instead of a HOT
    // update within the page. The dashboard's low-stock list scans the table instead (0011).
    check('product_variants_price_check', sql`${t.price} >= 0`),
    check('product_variants_stock_check', sql`${t.stock} >= 0`),
  ],
);

export const movementKinds = ['adjustment', 'reserve', 'release', 'restock'] as const;
export type MovementKind = (typeof movementKinds)[number];

/** The stock ledger: every change to a variant's stock is one row here. */
export const stockMovements = pgTable(
  'stock_movements',
  {
    id: id(),
    /** Total order of the ledger, also within one millisecond. */
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    /**
     * The variant's product, for a product's history in one index scan. No foreign key of its
     * own: the variant's stands for it, and one here would take a KEY SHARE lock on the
     * product's row in every order, which orders for a product's variants would all share.
     */
    productId: text('product_id').notNull(),
    variantId: text('variant_id')
      .notNull()
      .references(() => productVariants.id),
    kind: text('kind', { enum: movementKinds }).notNull(),
    delta: integer('delta').notNull(),
    /** The variant's stock right after this movement, for auditing the ledger line by line. */
    stockAfter: integer('stock_after').notNull(),
    reason: text('reason'),
    orderId: text('order_id'),
    actorId: text('actor_id'),
    createdAt: createdAt(),
  },
  (t) => [
    index('stock_movements_product_idx').on(t.productId, t.seq),
    index('stock_movements_variant_idx').on(t.variantId, t.seq),
    check('stock_movements_delta_check', sql`${t.delta} <> 0`),
    check(
      'stock_movements_kind_check',
      sql`${t.kind} in ('adjustment', 'reserve', 'release', 'restock')`,
    ),
  ],
);
