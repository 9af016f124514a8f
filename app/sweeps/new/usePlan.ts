'use client';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { ApiError, apiSend } from '@/app/api-client';
import type { DryRun } from '@/lib/sweep/dry-run';

export interface Problem {
  path: string;
  message: string;
}

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

/** The debounced dry run of `yaml`: the plan, or the spec's problems (400), or another error. */
export function usePlan(yaml: string, enabled: boolean) {
  const debounced = useDebounced(yaml, 350);
  const q = useQuery({
    queryKey: ['dry-run', debounced],
    queryFn: async (): Promise<{ plan: DryRun | null; problems: Problem[] }> => {
      try {
        const plan = await apiSend<DryRun>('/api/sweeps?dryRun=1', {
          body: debounced,
          contentType: 'application/yaml',
        });
        return { plan, problems: [] };
      } catch (e) {
        if (e instanceof ApiError && e.status === 400)
          return { plan: null, problems: e.problems?.length ? e.problems : [{ path: '', message: e.message }] };
        throw e;
      }
    },
    enabled: enabled && debounced.trim().length > 0,
    placeholderData: keepPreviousData,
    retry: false,
    staleTime: 60_000,
  });
  return { ...q, pending: debounced !== yaml || q.isFetching };
}
