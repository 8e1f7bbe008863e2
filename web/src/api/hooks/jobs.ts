import { useMutation } from '@tanstack/react-query';
import { api } from '../client';
import { byId, invalidatePaths } from './cache';

/** Runs a failed job again now: it leaves the failed list and the dashboard's count. */
export function useRetryJob() {
  return useMutation({
    mutationFn: async (id: string) => {
      await api.POST('/api/v1/admin/jobs/{id}/retry', byId(id));
    },
    onSuccess: () => invalidatePaths('/api/v1/admin/jobs', '/api/v1/admin/stats'),
  });
}
