import { useMutation } from '@tanstack/react-query';
import { api } from '../client';
import type { components } from '../schema.gen';
import { answer, byId, invalidatePaths, removeResource, type RequestBody } from './cache';

export type AdminCategory = components['schemas']['AdminCategory'];
export type AdminCategoryNode = components['schemas']['AdminCategoryNode'];
export type CategoryNode = components['schemas']['CategoryNode'];
type CategoryBody = RequestBody<'/api/v1/admin/categories', 'post'>;
type CategoryChanges = RequestBody<'/api/v1/admin/categories/{id}', 'patch'>;

/**
 * After the tree changed: both trees, and every product answer and list (a product lists its
 * categories' names, and a category filter's members follow a move).
 */
async function categoriesChanged(): Promise<void> {
  await invalidatePaths(
    '/api/v1/admin/categories',
    '/api/v1/categories',
    '/api/v1/admin/products',
    '/api/v1/admin/products/{id}',
    '/api/v1/products',
    '/api/v1/products/{id}',
  );
}

export function useCreateCategory() {
  return useMutation({
    mutationFn: async (body: CategoryBody) =>
      answer(await api.POST('/api/v1/admin/categories', { body })),
    onSuccess: categoriesChanged,
  });
}

/** Rename, re-slug or move a category. */
export function useUpdateCategory() {
  return useMutation({
    mutationFn: async ({ id, changes }: { id: string; changes: CategoryChanges }) =>
      answer(await api.PATCH('/api/v1/admin/categories/{id}', { ...byId(id), body: changes })),
    onSuccess: categoriesChanged,
  });
}

/** Deletes an empty category (the server refuses one with subcategories or products). */
export function useDeleteCategory() {
  return useMutation({
    mutationFn: async (id: string) => {
      await api.DELETE('/api/v1/admin/categories/{id}', byId(id));
    },
    onSuccess: async (_none, id) => {
      removeResource('/api/v1/admin/categories/{id}', id);
      await categoriesChanged();
    },
  });
}
