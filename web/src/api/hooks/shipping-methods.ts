import { useMutation } from '@tanstack/react-query';
import { api } from '../client';
import type { components } from '../schema.gen';
import {
  answer,
  byId,
  invalidatePaths,
  removeResource,
  setResource,
  type RequestBody,
} from './cache';

export type ShippingMethod = components['schemas']['ShippingMethod'];
export type ShippingMethodBody = RequestBody<'/api/v1/admin/shipping-methods', 'post'>;
type ShippingMethodChanges = RequestBody<'/api/v1/admin/shipping-methods/{id}', 'patch'>;

async function methodChanged(method: ShippingMethod): Promise<void> {
  setResource('/api/v1/admin/shipping-methods/{id}', method.id, method);
  await invalidatePaths('/api/v1/admin/shipping-methods');
}

export function useCreateShippingMethod() {
  return useMutation({
    mutationFn: async (body: ShippingMethodBody) =>
      answer(await api.POST('/api/v1/admin/shipping-methods', { body })),
    onSuccess: methodChanged,
  });
}

/** Changes a method (or (de)activates it): placed orders keep what they were charged. */
export function useUpdateShippingMethod() {
  return useMutation({
    mutationFn: async ({ id, changes }: { id: string; changes: ShippingMethodChanges }) =>
      answer(
        await api.PATCH('/api/v1/admin/shipping-methods/{id}', { ...byId(id), body: changes }),
      ),
    onSuccess: methodChanged,
  });
}

export function useDeleteShippingMethod() {
  return useMutation({
    mutationFn: async (id: string) => {
      await api.DELETE('/api/v1/admin/shipping-methods/{id}', byId(id));
    },
    onSuccess: async (_none, id) => {
      removeResource('/api/v1/admin/shipping-methods/{id}', id);
      await invalidatePaths('/api/v1/admin/shipping-methods');
    },
  });
}
