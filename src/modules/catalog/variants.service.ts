import type { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { inTransaction } from '../../db/commit-events.js';
import { AppError, notFound } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { actorIdOf, type ActorOrSystem } from '../auth/system-actor.js';
import { catalogChanged } from './catalog-cache.js';
import { skuError, toVariant, type Variant } from './catalog.service.js';
import type { variantBody, variantPatchBody } from './catalog.schemas.js';
import { listImageIds } from './product-image.repository.js';
import * as products from './product.repository.js';
import { moveStock } from './stock.service.js';
import { optionsWithVariant, orderedOptions, variantTitle } from './variant-options.js';
import * as repo from './variant.repository.js';

/**
 * A product's variants after it was created: one more variant (a new combination, maybe with
 * a new option value), and a variant's own changes (sku, price, active, image). Stock moves
 * through the ledger (stock.service.ts). Every change bumps the catalog version once it has
 * committed, so no process serves the old price.
 */

type Ctx = Pick<AppContext, 'db' | 'clock' | 'config' | 'redis' | 'logger'>;

export type VariantInput = z.output<typeof variantBody>;
export type VariantChanges = z.output<typeof variantPatchBody>;

/**
 * Adds a variant to a product with options: its combination must be new (422
 * VARIANT_OPTIONS_INVALID), and a value an option does not offer yet is added to the option.
 * Under the product's row lock, so two additions of one combination cannot both pass (the
 * unique index on the combination stands behind it too). Its opening stock is a ledger entry.
 */
export async function addVariant(
  ctx: Ctx,
  actor: ActorOrSystem,
  productId: string,
  input: VariantInput,
): Promise<Variant> {
  const now = ctx.clock.now();
  try {
    const variant = await inTransaction(ctx.db, async (tx) => {
      const product = await products.lockProduct(tx, productId);
      if (!product) throw notFound('Product');
      const existing = await repo.findVariantsOf(tx, [productId]);
      const options = optionsWithVariant(
        product.options,
        existing.map((v) => v.options),
        input.options,
      );
      const [created] = await repo.insertVariants(tx, [
        {
          id: newId('var', now.getTime()),
          productId,
          sku: input.sku,
          title: variantTitle(options, input.options),
          options: orderedOptions(options, input.options),
          price: input.price,
          stock: 0,
          active: input.active ?? true,
          position: await repo.nextVariantPosition(tx, productId),
          createdAt: now,
          updatedAt: now,
        },
      ]);
      await products.updateProduct(tx, productId, { options, updatedAt: now });
      await repo.refreshProductPrice(tx, productId, now);
      const opening = input.stock ?? 0;
      if (opening === 0) return created!;
      const movement = await moveStock(ctx, tx, {
        variantId: created!.id,
        kind: 'adjustment',
        delta: opening,
        reason: 'opening stock',
        actorId: actorIdOf(actor),
        now,
      });
      return { ...created!, stock: movement.stockAfter };
    });
    await catalogChanged(ctx);
    return toVariant(variant);
  } catch (error) {
    throw skuError(error, input.sku);
  }
}

/**
 * Changes a variant's sku, price, active flag or image, under the product's row lock and then
 * the variant's (the order every variant write takes). The product's price follows its
 * variants in the same transaction; for a product without options its sku is the variant's.
 */
export async function updateVariant(
  ctx: Ctx,
  variantId: string,
  changes: VariantChanges,
): Promise<Variant> {
  const now = ctx.clock.now();
  try {
    const variant = await inTransaction(ctx.db, async (tx) => {
      const found = await repo.findVariant(tx, variantId);
      if (!found) throw notFound('Variant');
      const product = await products.lockProduct(tx, found.productId);
      const current = await repo.lockVariant(tx, variantId);
      if (!product || !current) throw notFound('Variant');
      if (changes.imageId) {
        if (!(await listImageIds(tx, product.id)).includes(changes.imageId)) {
          throw new AppError('VALIDATION_FAILED', "imageId must be one of the product's images", {
            errors: [{ path: 'body.imageId', message: "not one of the product's images" }],
          });
        }
      }
      const updated = await repo.updateVariant(tx, variantId, { ...changes, updatedAt: now });
      if (changes.sku !== undefined && product.options.length === 0) {
        await products.updateProduct(tx, product.id, { sku: changes.sku, updatedAt: now });
      }
      if (changes.price !== undefined || changes.active !== undefined) {
        await repo.refreshProductPrice(tx, product.id, now);
      }
      return updated!;
    });
    await catalogChanged(ctx);
    return toVariant(variant);
  } catch (error) {
    throw skuError(error, changes.sku ?? '');
  }
}
