'use client';
/**
 * react-query hooks for the sweep and run views. While any run is queued or running they refetch every
 * 2 s, so live runs update without a reload; once everything has ended they stop polling.
 */
import { useQuery } from '@tanstack/react-query';
import { apiGet } from '@/app/api-client';
import { anyLive, type RunInfo } from '@/lib/views/types';

export const LIVE_MS = 2000;

export interface SweepJson {
  id: string;
  name: string;
  createdAt: string;
  runs: RunJson[];
}

export interface RunJson extends RunInfo {
  lastStep: number | null;
  totalSteps: number | null;
  backend: string | null;
  gpu: boolean | null;
  summary: Record<string, number> | null;
  latest: Record<string, { step: number; value: number }>;
  periods: number;
  startedAt: string | null;
  finishedAt: string | null;
  failureReason: string | null;
  failureMessage: string | null;
  dir: string | null;
  attempts: number;
  sweepId: string | null;
  createdAt: string;
}

export function useSweep(id: string) {
  return useQuery({
    queryKey: ['sweep', id],
    queryFn: () => apiGet<SweepJson>(`/api/sweeps/${id}`),
    refetchInterval: (q) => (q.state.data && !anyLive(q.state.data.runs) ? false : LIVE_MS),
  });
}

export function useRun(id: string) {
  return useQuery({
    queryKey: ['run', id],
    queryFn: () => apiGet<RunJson>(`/api/runs/${id}`),
    refetchInterval: (q) => (q.state.data && !anyLive([q.state.data]) ? false : LIVE_MS),
  });
}

/** A read that refetches every 2 s while `live`. */
export function useLive<T>(key: unknown[], path: string | null, live: boolean) {
  return useQuery({
    queryKey: key,
    queryFn: () => apiGet<T>(path!),
    enabled: path !== null,
    refetchInterval: live ? LIVE_MS : false,
    placeholderData: (prev) => prev,
  });
}
