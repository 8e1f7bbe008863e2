import { useMutation } from '@tanstack/react-query';
import { $api, api } from '../client';
import { useSession } from '../session';
import { answer, byId, invalidatePaths, type RequestBody } from './cache';

type AddressBody = RequestBody<'/api/v1/me/addresses', 'post'>;
type AddressPatch = RequestBody<'/api/v1/me/addresses/{id}', 'patch'>;

/** The signed-in customer's saved addresses (the default first); none asked for signed out. */
export function useAddresses() {
  const session = useSession();
  return $api.useQuery(
    'get',
    '/api/v1/me/addresses',
    { params: { query: { pageSize: 100 } } },
    { enabled: session.status === 'signed-in' },
  );
}

/** Saves an address; a new default changes another entry too, so the whole book is read again. */
export function useSaveAddress() {
  return useMutation({
    mutationFn: async (body: AddressBody) =>
      answer(await api.POST('/api/v1/me/addresses', { body })),
    onSuccess: () => invalidatePaths('/api/v1/me/addresses'),
  });
}

export function useUpdateAddress() {
  return useMutation({
    mutationFn: async ({ id, body }: { id: string; body: AddressPatch }) =>
      answer(await api.PATCH('/api/v1/me/addresses/{id}', { ...byId(id), body })),
    onSuccess: () => invalidatePaths('/api/v1/me/addresses'),
  });
}

export function useDeleteAddress() {
  return useMutation({
    mutationFn: async (id: string) => {
      await api.DELETE('/api/v1/me/addresses/{id}', byId(id));
    },
    onSuccess: () => invalidatePaths('/api/v1/me/addresses'),
  });
}
