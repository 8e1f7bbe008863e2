import { useMutation } from '@tanstack/react-query';
import { api } from '../client';
import type { components } from '../schema.gen';
import { byId, invalidatePaths } from './cache';

export type Job = components['schemas']['Job'];

/** Runs a failed job again now: it leaves the failed list and the dashboard's count. */
export function useRetryJob() {
  return useMutation({
    mutationFn: async (job: Job): Promise<Job> => {
      await api.POST('/api/v1/admin/jobs/{id}/retry', byId(job.id));
      return job;
    },
    onSuccess: () => invalidatePaths('/api/v1/admin/jobs', '/api/v1/admin/stats'),
  });
}
