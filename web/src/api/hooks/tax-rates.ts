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

export type TaxRate = components['schemas']['TaxRate'];
export type TaxRateBody = RequestBody<'/api/v1/admin/tax-rates', 'post'>;
type TaxRateChanges = RequestBody<'/api/v1/admin/tax-rates/{id}', 'patch'>;

async function rateChanged(rate: TaxRate): Promise<void> {
  setResource('/api/v1/admin/tax-rates/{id}', rate.id, rate);
  await invalidatePaths('/api/v1/admin/tax-rates');
}

export function useCreateTaxRate() {
  return useMutation({
    mutationFn: async (body: TaxRateBody) =>
      answer(await api.POST('/api/v1/admin/tax-rates', { body })),
    onSuccess: rateChanged,
  });
}

/** Changes a rate: orders placed before keep the rate they were charged. */
export function useUpdateTaxRate() {
  return useMutation({
    mutationFn: async ({ id, changes }: { id: string; changes: TaxRateChanges }) =>
      answer(await api.PATCH('/api/v1/admin/tax-rates/{id}', { ...byId(id), body: changes })),
    onSuccess: rateChanged,
  });
}

export function useDeleteTaxRate() {
  return useMutation({
    mutationFn: async (id: string) => {
      await api.DELETE('/api/v1/admin/tax-rates/{id}', byId(id));
    },
    onSuccess: async (_none, id) => {
      removeResource('/api/v1/admin/tax-rates/{id}', id);
      await invalidatePaths('/api/v1/admin/tax-rates');
    },
  });
}
