import type { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import type { Executor } from '../../db/client.js';
import { AppError, notFound } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { processImage, type ProcessedImage } from './image-processing.js';
import type { productImageSchema } from './catalog.schemas.js';
import * as repo from './product-image.repository.js';
import { catalogChanged } from './catalog-cache.js';
import { findProduct, lockProduct, updateProduct } from './product.repository.js';

type Ctx = Pick<AppContext, 'db' | 'clock' | 'config' | 'redis' | 'logger'>;

/** A product image as the API shows it: `url`, `width` and `height` are its widest variant. */
export type ProductImage = z.output<typeof productImageSchema>;

/** The width product lists show (`imageUrl`): the widest variant up to this, else the narrowest. */
const LIST_WIDTH = 640;

export const imagePath = (hash: string, width: number) => `/images/${hash}-${width}.webp`;

function toProductImage(row: repo.ImageWithVariants): ProductImage {
  const variants = row.variants.map((v) => ({ url: imagePath(row.hash, v.width), ...v }));
  const widest = variants[variants.length - 1]!;
  return { id: row.id, position: row.position, ...widest, variants };
}

/** The URL a list shows for a product's first image, or null without images. */
export function listImageUrl(images: readonly ProductImage[]): string | null {
  const first = images[0];
  if (!first) return null;
  const fitting = first.variants.filter((v) => v.width <= LIST_WIDTH);
  return (fitting[fitting.length - 1] ?? first.variants[0]!).url;
}

/** The images of each product in `productIds`, in display order: one query for a whole page. */
export async function imagesByProduct(
  db: Executor,
  productIds: readonly string[],
): Promise<Map<string, ProductImage[]>> {
  const byProduct = new Map<string, ProductImage[]>();
  for (const row of await repo.listImages(db, productIds)) {
    const list = byProduct.get(row.productId) ?? [];
    list.push(toProductImage(row));
    byProduct.set(row.productId, list);
  }
  return byProduct;
}

/**
 * Adds an image after the product's others. The bytes are checked and rendered (the CPU-heavy
 * part) before any transaction opens; then the image and its variants are stored at once.
 */
export async function addProductImage(ctx: Ctx, productId: string, bytes: Buffer): Promise<string> {
  // Refuse an unknown product before spending a core on its image.
  if (!(await findProduct(ctx.db, productId))) throw notFound('Product');
  return storeImage(ctx, productId, await processImage(bytes));
}

/** Stores an image already rendered (the seed renders its images side by side first). */
export async function storeImage(
  ctx: Ctx,
  productId: string,
  image: ProcessedImage,
): Promise<string> {
  const now = ctx.clock.now();
  const id = newId('img', now.getTime());
  const widest = image.variants[0]!;
  await ctx.db.transaction(async (tx) => {
    // The product's row lock orders concurrent uploads, so positions never collide.
    if (!(await lockProduct(tx, productId))) throw notFound('Product');
    const position = await repo.nextPosition(tx, productId);
    await repo.insertImage(
      tx,
      {
        id,
        productId,
        hash: image.hash,
        position,
        width: widest.width,
        height: widest.height,
        createdAt: now,
      },
      image.variants,
    );
    await updateProduct(tx, productId, { updatedAt: now });
  });
  await catalogChanged(ctx);
  return id;
}

export async function deleteProductImage(
  ctx: Ctx,
  productId: string,
  imageId: string,
): Promise<void> {
  const now = ctx.clock.now();
  await ctx.db.transaction(async (tx) => {
    if (!(await lockProduct(tx, productId))) throw notFound('Product');
    if (!(await repo.deleteImage(tx, productId, imageId))) throw notFound('Image');
    await updateProduct(tx, productId, { updatedAt: now });
  });
  await catalogChanged(ctx);
}

/** Sets the display order: `imageIds` must name each of the product's images exactly once. */
export async function orderProductImages(
  ctx: Ctx,
  productId: string,
  imageIds: readonly string[],
): Promise<void> {
  const now = ctx.clock.now();
  await ctx.db.transaction(async (tx) => {
    if (!(await lockProduct(tx, productId))) throw notFound('Product');
    const current = new Set(await repo.listImageIds(tx, productId));
    const given = new Set(imageIds);
    if (
      given.size !== imageIds.length ||
      given.size !== current.size ||
      imageIds.some((id) => !current.has(id))
    ) {
      throw new AppError(
        'VALIDATION_FAILED',
        "imageIds must list each of the product's images exactly once",
        { errors: [{ path: 'body.imageIds', message: `expected the ${current.size} image ids` }] },
      );
    }
    for (const [position, id] of imageIds.entries()) await repo.setPosition(tx, id, position);
    await updateProduct(tx, productId, { updatedAt: now });
  });
  await catalogChanged(ctx);
}

/** The WebP bytes behind an image URL, or 404. A read only: nothing is rendered here. */
export async function readImageVariant(
  ctx: Pick<AppContext, 'db'>,
  hash: string,
  width: number,
): Promise<Buffer> {
  const bytes = await repo.findVariantBytes(ctx.db, hash, width);
  if (!bytes) throw notFound('Image');
  return bytes;
}
