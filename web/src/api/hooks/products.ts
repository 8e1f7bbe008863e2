import { useMutation } from '@tanstack/react-query';
import { api, sessionFetch } from '../client';
import { isProblem, ProblemError } from '../problem';
import type { components } from '../schema.gen';
import {
  answer,
  byId,
  invalidatePaths,
  invalidateResource,
  setResource,
  type RequestBody,
} from './cache';

export type AdminProduct = components['schemas']['AdminProduct'];
export type ProductBody = RequestBody<'/api/v1/admin/products', 'post'>;
type ProductChanges = RequestBody<'/api/v1/admin/products/{id}', 'patch'>;

/** After a product changed: its detail (admin and shop), the lists and the dashboard's low stock. */
export async function productChanged(product: AdminProduct | { id: string }): Promise<void> {
  if ('sku' in product) setResource('/api/v1/admin/products/{id}', product.id, product);
  await Promise.all([
    invalidateResource(product.id, '/api/v1/admin/products/{id}', '/api/v1/products/{id}'),
    invalidatePaths('/api/v1/admin/products', '/api/v1/products', '/api/v1/admin/stats'),
  ]);
}

/** Stock moved on products we do not name (an order was cancelled or refunded with restock). */
export async function stockChanged(): Promise<void> {
  await invalidatePaths(
    '/api/v1/admin/products',
    '/api/v1/admin/products/{id}',
    '/api/v1/admin/products/{id}/stock-movements',
    '/api/v1/admin/variants/{id}/stock-movements',
    '/api/v1/products',
    '/api/v1/products/{id}',
  );
}

export function useCreateProduct() {
  return useMutation({
    mutationFn: async (body: ProductBody) =>
      answer(await api.POST('/api/v1/admin/products', { body })),
    onSuccess: productChanged,
  });
}

export function useUpdateProduct() {
  return useMutation({
    mutationFn: async ({ id, changes }: { id: string; changes: ProductChanges }) =>
      answer(await api.PATCH('/api/v1/admin/products/{id}', { ...byId(id), body: changes })),
    onSuccess: productChanged,
  });
}

/** Archive (DELETE) or restore (active again) a product. */
export function useArchiveProduct() {
  return useMutation({
    mutationFn: async ({ id, archive }: { id: string; archive: boolean }) => {
      if (archive) await api.DELETE('/api/v1/admin/products/{id}', byId(id));
      else await api.PATCH('/api/v1/admin/products/{id}', { ...byId(id), body: { active: true } });
      return { id };
    },
    onSuccess: productChanged,
  });
}

export function useUploadProductImage() {
  return useMutation({
    // Multipart through the session's fetch: the typed client sends JSON only.
    mutationFn: async ({ id, file }: { id: string; file: File }) => {
      const body = new FormData();
      body.append('file', file);
      const response = await sessionFetch(
        new Request(`/api/v1/admin/products/${encodeURIComponent(id)}/images`, {
          method: 'POST',
          body,
        }),
      );
      const json: unknown = await response.json().catch(() => undefined);
      if (!response.ok) {
        throw new ProblemError(
          isProblem(json)
            ? json
            : { title: 'The image was not uploaded', status: response.status, code: 'UNKNOWN' },
        );
      }
      return json as AdminProduct;
    },
    onSuccess: productChanged,
  });
}

export function useReorderProductImages() {
  return useMutation({
    mutationFn: async ({ id, imageIds }: { id: string; imageIds: string[] }) =>
      answer(
        await api.PUT('/api/v1/admin/products/{id}/images/order', {
          ...byId(id),
          body: { imageIds },
        }),
      ),
    onSuccess: productChanged,
  });
}

export function useDeleteProductImage() {
  return useMutation({
    mutationFn: async ({ id, imageId }: { id: string; imageId: string }) => {
      await api.DELETE('/api/v1/admin/products/{id}/images/{imageId}', {
        params: { path: { id, imageId } },
      });
      return { id };
    },
    onSuccess: productChanged,
  });
}

export function useAdjustStock() {
  return useMutation({
    mutationFn: async ({ id, delta, reason }: { id: string; delta: number; reason: string }) =>
      answer(
        await api.POST('/api/v1/admin/products/{id}/stock-adjustments', {
          ...byId(id),
          body: { delta, reason },
        }),
      ),
    onSuccess: async (movement, { id }) => {
      setResource<AdminProduct>('/api/v1/admin/products/{id}', id, (old) => ({
        ...old,
        stock: movement.stockAfter,
      }));
      await Promise.all([
        productChanged({ id }),
        invalidateResource(id, '/api/v1/admin/products/{id}/stock-movements'),
      ]);
    },
  });
}
