'use client';
/**
 * react-query hooks for the sweep and run views. While any run is queued or running they refetch every
 * 2 s, so live runs update without a reload; once everything has ended they stop polling, after one last
 * refetch when a run ends (app/components/live.ts). Every view reads through these hooks.
 */
import { useQueries, useQuery } from '@tanstack/react-query';
import { ApiError, apiGet } from '@/app/api-client';
import { liveInterval } from '@/lib/views/live';
import type { getSweep, RunRecord } from '@/lib/queries/runs';
import type { Placement } from '@/lib/scheduler/scheduler';
import type { SweepPlacement } from '@/lib/server/placement';
import { sweepKey, sweepPath } from '@/lib/views/page-state';
import { anyLive } from '@/lib/views/types';

export { LIVE_MS } from '@/lib/views/live';

/** GET /api/sweeps/:id: lib/queries/runs.ts getSweep's answer, as JSON. */
export type SweepJson = ReturnType<typeof getSweep> & { placement?: SweepPlacement };

/** GET /api/runs/:id (and each of a sweep's runs): lib/queries/runs.ts RunRecord, as JSON. */
export type RunJson = RunRecord & { placement?: Placement | null };

export function useSweep(id: string) {
  return useQuery({
    queryKey: sweepKey(id),
    queryFn: () => apiGet<SweepJson>(sweepPath(id)),
    refetchInterval: (q) => liveInterval(!q.state.data || anyLive(q.state.data.runs)),
    retry: notFoundIsFinal,
  });
}

const runQuery = (id: string) => ({
  queryKey: ['run', id],
  queryFn: () => apiGet<RunJson>(`/api/runs/${id}`),
  refetchInterval: (q: { state: { data?: RunJson } }) => liveInterval(!q.state.data || anyLive([q.state.data])),
  retry: notFoundIsFinal,
});

export function useRun(id: string) {
  return useQuery(runQuery(id));
}

/** Several runs (the compare view), each polling while live. */
export function useRuns(ids: string[]) {
  return useQueries({ queries: ids.map(runQuery) });
}

/** A 404 will not go away on retry; anything else gets react-query's usual three tries. */
function notFoundIsFinal(failures: number, error: unknown): boolean {
  return !(error instanceof ApiError && error.status === 404) && failures < 3;
}

/** A read of data that belongs to a run or a sweep: its key must name that id, so a run's end refetches it. */
export function useLive<T>(key: unknown[], path: string | null, live: boolean) {
  return useQuery({
    queryKey: key,
    queryFn: () => apiGet<T>(path!),
    enabled: path !== null,
    refetchInterval: liveInterval(live),
    placeholderData: (prev) => prev,
  });
}
