import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  check,
  index,
  integer,
  pgTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { at, createdAt, id, updatedAt } from '../../db/columns.js';

export const products = pgTable(
  'products',
  {
    id: id(),
    sku: text('sku').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    /** Minor units of the shop currency. */
    price: integer('price').notNull(),
    /** Always equal to the sum of this product's stock movements. */
    stock: integer('stock').notNull().default(0),
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
    // The dashboard's low-stock list (stock below a threshold, lowest first): its first rows.
    index('products_low_stock_idx')
      .on(t.stock, t.name)
      .where(sql`${t.active} and ${t.archivedAt} is null`),
    check('products_price_check', sql`${t.price} >= 0`),
    check('products_stock_check', sql`${t.stock} >= 0`),
  ],
);

export const movementKinds = ['adjustment', 'reserve', 'release', 'restock'] as const;
export type MovementKind = (typeof movementKinds)[number];

/** The stock ledger: every change to a product's stock is one row here. */
export const stockMovements = pgTable(
  'stock_movements',
  {
    id: id(),
    /** Total order of the ledger, also within one millisecond. */
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    productId: text('product_id')
      .notNull()
      .references(() => products.id),
    kind: text('kind', { enum: movementKinds }).notNull(),
    delta: integer('delta').notNull(),
    /** The product's stock right after this movement, for auditing the ledger line by line. */
    stockAfter: integer('stock_after').notNull(),
    reason: text('reason'),
    orderId: text('order_id'),
    actorId: text('actor_id'),
    createdAt: createdAt(),
  },
  (t) => [
    index('stock_movements_product_idx').on(t.productId, t.seq),
    check('stock_movements_delta_check', sql`${t.delta} <> 0`),
    check(
      'stock_movements_kind_check',
      sql`${t.kind} in ('adjustment', 'reserve', 'release', 'restock')`,
    ),
  ],
);
