import { sql } from 'drizzle-orm';
import { check, customType, index, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { createdAt, id } from '../../db/columns.js';
import { products } from './product.table.js';

/** Binary data. `pg` reads bytea as a Buffer, PGlite as a Uint8Array: both become a Buffer. */
const bytea = customType<{ data: Buffer; driverData: Uint8Array }>({
  dataType: () => 'bytea',
  toDriver: (value) => value,
  fromDriver: (value) => Buffer.from(value.buffer, value.byteOffset, value.byteLength),
});

/** An uploaded product image, in the product's display order. Its bytes are its variants. */
export const productImages = pgTable(
  'product_images',
  {
    id: id(),
    productId: text('product_id')
      .notNull()
      .references(() => products.id, { onDelete: 'cascade' }),
    /** Content hash of the variants: the image's URLs are `/images/{hash}-{width}.webp`. */
    hash: text('hash').notNull(),
    /** Display order within the product, lowest first; ties by id. */
    position: integer('position').notNull(),
    /** Size of the largest variant (after auto-orientation). */
    width: integer('width').notNull(),
    height: integer('height').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('product_images_product_idx').on(t.productId, t.position),
    index('product_images_hash_idx').on(t.hash),
  ],
);

/** The WebP renditions of an image, one per width: what `/images/...` serves. */
export const imageVariants = pgTable(
  'image_variants',
  {
    imageId: text('image_id')
      .notNull()
      .references(() => productImages.id, { onDelete: 'cascade' }),
    width: integer('width').notNull(),
    height: integer('height').notNull(),
    bytes: bytea('bytes').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.imageId, t.width] }),
    check('image_variants_size_check', sql`${t.width} > 0 and ${t.height} > 0`),
  ],
);
