import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Executor, Tx } from '../../db/client.js';
import { imageVariants, productImages } from './product-image.table.js';

export type ProductImageRow = typeof productImages.$inferSelect;

/** An image with the sizes of its variants (never their bytes). */
export interface ImageWithVariants extends ProductImageRow {
  variants: { width: number; height: number }[];
}

/**
 * The images of every product in `productIds`, in display order, with their variant sizes:
 * one query however many products a page holds. Bytes stay in the database.
 */
export async function listImages(
  db: Executor,
  productIds: readonly string[],
): Promise<ImageWithVariants[]> {
  if (productIds.length === 0) return [];
  const rows = await db
    .select({
      image: productImages,
      width: imageVariants.width,
      height: imageVariants.height,
    })
    .from(productImages)
    .innerJoin(imageVariants, eq(imageVariants.imageId, productImages.id))
    .where(inArray(productImages.productId, [...productIds]))
    .orderBy(
      asc(productImages.productId),
      asc(productImages.position),
      asc(productImages.id),
      asc(imageVariants.width),
    );
  const byId = new Map<string, ImageWithVariants>();
  for (const { image, width, height } of rows) {
    let entry = byId.get(image.id);
    if (!entry) byId.set(image.id, (entry = { ...image, variants: [] }));
    entry.variants.push({ width, height });
  }
  return [...byId.values()];
}

export async function listImageIds(tx: Tx, productId: string): Promise<string[]> {
  const rows = await tx
    .select({ id: productImages.id })
    .from(productImages)
    .where(eq(productImages.productId, productId));
  return rows.map((r) => r.id);
}

/** The position after the product's last image. The caller holds the product's row lock. */
export async function nextPosition(tx: Tx, productId: string): Promise<number> {
  const [row] = await tx
    .select({ next: sql<number>`coalesce(max(${productImages.position}) + 1, 0)::int` })
    .from(productImages)
    .where(eq(productImages.productId, productId));
  return Number(row?.next ?? 0);
}

export async function insertImage(
  tx: Tx,
  image: typeof productImages.$inferInsert,
  variants: { width: number; height: number; bytes: Buffer }[],
): Promise<void> {
  await tx.insert(productImages).values(image);
  await tx.insert(imageVariants).values(variants.map((v) => ({ imageId: image.id, ...v })));
}

/** Deletes one image of a product (its variants go with it). False when there was none. */
export async function deleteImage(tx: Tx, productId: string, imageId: string): Promise<boolean> {
  const deleted = await tx
    .delete(productImages)
    .where(and(eq(productImages.id, imageId), eq(productImages.productId, productId)))
    .returning({ id: productImages.id });
  return deleted.length > 0;
}

export async function setPosition(tx: Tx, imageId: string, position: number): Promise<void> {
  await tx.update(productImages).set({ position }).where(eq(productImages.id, imageId));
}

/** The bytes served at `/images/{hash}-{width}.webp`, or undefined. */
export async function findVariantBytes(
  db: Executor,
  hash: string,
  width: number,
): Promise<Buffer | undefined> {
  const [row] = await db
    .select({ bytes: imageVariants.bytes })
    .from(imageVariants)
    .innerJoin(productImages, eq(productImages.id, imageVariants.imageId))
    .where(and(eq(productImages.hash, hash), eq(imageVariants.width, width)))
    .limit(1);
  return row?.bytes;
}
