import { useMutation } from '@tanstack/react-query';
import { api } from '../client';
import type { components } from '../schema.gen';
import { answer, byId, invalidateResource, setResource, type RequestBody } from './cache';
import { productChanged, type AdminProduct } from './products';

export type Variant = components['schemas']['Variant'];
export type VariantBody = RequestBody<'/api/v1/admin/products/{id}/variants', 'post'>;
export type VariantChanges = RequestBody<'/api/v1/admin/variants/{id}', 'patch'>;

/** A variant the server just answered, put into its product's cached answer. */
function putVariant(variant: Variant): void {
  setResource<AdminProduct>('/api/v1/admin/products/{id}', variant.productId, (product) => ({
    ...product,
    variants: product.variants.map((v) => (v.id === variant.id ? variant : v)),
  }));
}

/** One more combination of a product with options (a new value joins its option). */
export function useAddVariant() {
  return useMutation({
    mutationFn: async ({ productId, variant }: { productId: string; variant: VariantBody }) =>
      answer(
        await api.POST('/api/v1/admin/products/{id}/variants', {
          ...byId(productId),
          body: variant,
        }),
      ),
    // The product (its options, price and stock), the catalog, and the opening stock's movement.
    onSuccess: async (_variant, { productId }) => {
      await Promise.all([
        productChanged({ id: productId }),
        invalidateResource(productId, '/api/v1/admin/products/{id}/stock-movements'),
      ]);
    },
  });
}

/** A variant's SKU, price or active flag: inactive is how a variant leaves the shop. */
export function useUpdateVariant() {
  return useMutation({
    mutationFn: async ({ id, changes }: { id: string; changes: VariantChanges }) =>
      answer(await api.PATCH('/api/v1/admin/variants/{id}', { ...byId(id), body: changes })),
    onSuccess: async (variant) => {
      putVariant(variant);
      await productChanged({ id: variant.productId });
    },
  });
}

/** Adds or removes units of one variant, with the reason its ledger keeps. */
export function useAdjustVariantStock() {
  return useMutation({
    mutationFn: async ({ id, delta, reason }: { id: string; delta: number; reason: string }) =>
      answer(
        await api.POST('/api/v1/admin/variants/{id}/stock-adjustments', {
          ...byId(id),
          body: { delta, reason },
        }),
      ),
    onSuccess: async (movement, { id }) => {
      setResource<AdminProduct>('/api/v1/admin/products/{id}', movement.productId, (product) => ({
        ...product,
        stock: product.stock + movement.delta,
        variants: product.variants.map((v) =>
          v.id === id ? { ...v, stock: movement.stockAfter } : v,
        ),
      }));
      await Promise.all([
        productChanged({ id: movement.productId }),
        invalidateResource(id, '/api/v1/admin/variants/{id}/stock-movements'),
        invalidateResource(movement.productId, '/api/v1/admin/products/{id}/stock-movements'),
      ]);
    },
  });
}
