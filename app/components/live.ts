/**
 * The one live-update mechanism every view uses (see lib/views/live.ts): the status queries (`['run', id]`,
 * `['sweep', id]`) poll while live; this watcher sees each status that ends and refetches, once, every open
 * query whose key names that run or its sweep (series, logs, checkpoints, norms, periods, tables).
 */
import type { QueryClient, QueryKey } from '@tanstack/react-query';
import { endScope, RunEndWatch, type RunState } from '@/lib/views/live';

/** The runs a status query's data reports, and the sweep it belongs to. */
function statusOf(key: QueryKey, data: unknown): { runs: RunState[]; sweepId: string | null } | null {
  if (key.length !== 2 || typeof key[1] !== 'string' || !data || typeof data !== 'object') return null;
  if (key[0] === 'run') return { runs: [data as RunState], sweepId: (data as RunState).sweepId ?? null };
  if (key[0] === 'sweep') return { runs: (data as { runs?: RunState[] }).runs ?? [], sweepId: key[1] };
  return null;
}

/** Subscribes `client` to run endings; returns the unsubscribe function. */
export function refetchWhenRunsEnd(client: QueryClient): () => void {
  const watch = new RunEndWatch();
  return client.getQueryCache().subscribe((event) => {
    if (event.type !== 'updated' || event.action.type !== 'success') return;
    const status = statusOf(event.query.queryKey, event.action.data);
    if (!status) return;
    const scope = endScope(watch.observe(status.runs), status.sweepId);
    if (scope.size === 0) return;
    const source = event.query;
    queueMicrotask(() => {
      const named = (k: unknown) => typeof k === 'string' && scope.has(k);
      void client.invalidateQueries({ predicate: (q) => q !== source && q.queryKey.some(named) });
    });
  });
}
