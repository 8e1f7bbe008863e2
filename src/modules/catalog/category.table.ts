import { sql } from 'drizzle-orm';
import {
  check,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';
import { createdAt, id, updatedAt } from '../../db/columns.js';
import { products } from './product.table.js';

/**
 * The category tree: each category names its parent (none for a top-level one), to any depth.
 * The database refuses a parent that does not exist or is deleted while it has children; the
 * service refuses a cycle (a move under the category's own descendant), with every change to the
 * tree taking turns on one advisory lock (categories.service.ts).
 */
export const categories = pgTable(
  'categories',
  {
    id: id(),
    name: text('name').notNull(),
    /** Stable: made from the name on create when none is given, changed only when asked. */
    slug: text('slug').notNull(),
    parentId: text('parent_id').references((): AnyPgColumn => categories.id),
    /** Order among siblings, lowest first; ties by id (creation order). */
    position: integer('position').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('categories_slug_key').on(t.slug),
    index('categories_parent_idx').on(t.parentId, t.position),
    check('categories_slug_check', sql`${t.slug} ~ '^[a-z0-9]+(-[a-z0-9]+)*$'`),
    check('categories_parent_check', sql`${t.parentId} <> ${t.id}`),
  ],
);

/**
 * Which categories a product is in (any number). The key serves a product's categories and the
 * catalog filter's probe from a product; the category-first index serves "the products of these
 * categories" and the "is it empty" check before a delete, which the foreign key backs.
 */
export const productCategories = pgTable(
  'product_categories',
  {
    productId: text('product_id')
      .notNull()
      .references(() => products.id, { onDelete: 'cascade' }),
    categoryId: text('category_id')
      .notNull()
      .references(() => categories.id),
  },
  (t) => [
    primaryKey({ columns: [t.productId, t.categoryId] }),
    index('product_categories_category_idx').on(t.categoryId, t.productId),
  ],
);
