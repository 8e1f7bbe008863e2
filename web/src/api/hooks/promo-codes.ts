import { useMutation } from '@tanstack/react-query';
import { api } from '../client';
import type { components } from '../schema.gen';
import {
  answer,
  byId,
  invalidatePaths,
  invalidateResource,
  removeResource,
  setResource,
  type RequestBody,
} from './cache';

export type PromoCode = components['schemas']['PromoCode'];
type PromoBody = RequestBody<'/api/v1/admin/promo-codes', 'post'>;
type PromoChanges = RequestBody<'/api/v1/admin/promo-codes/{id}', 'patch'>;

async function promoChanged(promo: PromoCode): Promise<void> {
  setResource('/api/v1/admin/promo-codes/{id}', promo.id, promo);
  await Promise.all([
    invalidateResource(promo.id, '/api/v1/admin/promo-codes/{id}'),
    invalidatePaths('/api/v1/admin/promo-codes'),
  ]);
}

export function useCreatePromoCode() {
  return useMutation({
    mutationFn: async (body: PromoBody) =>
      answer(await api.POST('/api/v1/admin/promo-codes', { body })),
    onSuccess: promoChanged,
  });
}

export function useUpdatePromoCode() {
  return useMutation({
    mutationFn: async ({ id, changes }: { id: string; changes: PromoChanges }) =>
      answer(await api.PATCH('/api/v1/admin/promo-codes/{id}', { ...byId(id), body: changes })),
    onSuccess: promoChanged,
  });
}

/** Deletes a promo code no order has used (the server refuses otherwise). */
export function useDeletePromoCode() {
  return useMutation({
    mutationFn: async (id: string) => {
      await api.DELETE('/api/v1/admin/promo-codes/{id}', byId(id));
    },
    onSuccess: async (_none, id) => {
      removeResource('/api/v1/admin/promo-codes/{id}', id);
      await invalidatePaths('/api/v1/admin/promo-codes');
    },
  });
}
