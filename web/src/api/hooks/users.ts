import { useMutation } from '@tanstack/react-query';
import { api, queryClient } from '../client';
import type { User } from '../types';
import { answer, byId, invalidatePaths } from './cache';

/** An admin changes an account's role; the account lists show the new role at once. */
export function useChangeRole() {
  return useMutation({
    mutationFn: async ({ id, role }: { id: string; role: User['role'] }) =>
      answer(await api.PATCH('/api/v1/admin/users/{id}', { ...byId(id), body: { role } })),
    onSuccess: async (user) => {
      queryClient.setQueriesData<{ items: User[] }>(
        { queryKey: ['get', '/api/v1/admin/users'] },
        (page) => page && { ...page, items: page.items.map((u) => (u.id === user.id ? user : u)) },
      );
      await invalidatePaths('/api/v1/admin/users');
    },
  });
}
