'use client';
import { useQuery } from '@tanstack/react-query';
import { Link } from '@/app/components/link';
import { apiGet } from '@/app/api-client';
import { useCanEdit } from '@/app/viewer';
import { LIVE_MS } from '@/lib/views/live';
import type { Overview } from '@/lib/views/overview';
import { EmptyState } from './EmptyState';
import { RunsTable } from './RunsTable';
import { SweepsTable } from './SweepsTable';

export const OVERVIEW_KEY = ['overview'] as const;

export function OverviewClient({ initial }: { initial: Overview }) {
  const canEdit = useCanEdit();
  const q = useQuery({
    queryKey: OVERVIEW_KEY,
    queryFn: () => apiGet<Overview>('/api/home'),
    initialData: initial,
    // Idle, it still looks every 10 s for sweeps and runs started elsewhere.
    refetchInterval: (query) => (query.state.data?.active ? LIVE_MS : 10_000),
  });
  const data = q.data;
  if (data.sweeps.length === 0 && data.runs.length === 0) return <EmptyState />;
  return (
    <>
      <div className="page-head">
        <h1>Sweeps &amp; runs</h1>
        <div className="page-actions">
          <span className="muted live-note" aria-live="polite">
            {q.isError
              ? 'Lost contact with the server; retrying…'
              : data.active
                ? `Live: updating every ${LIVE_MS / 1000} s`
                : 'Up to date'}
          </span>
          <Link className="button button-secondary" href="/memory">
            Memory &amp; speed
          </Link>
          {canEdit ? (
            <Link className="button" href="/sweeps/new">
              New sweep
            </Link>
          ) : null}
        </div>
      </div>
      <h2>Sweeps</h2>
      {data.sweeps.length === 0 ? (
        <p className="muted">No sweeps yet: runs below were started from the command line or over HTTP.</p>
      ) : (
        <SweepsTable sweeps={data.sweeps} />
      )}
      <h2>Recent runs</h2>
      {data.runs.length === 0 ? <p className="muted">No runs yet.</p> : <RunsTable runs={data.runs} />}
    </>
  );
}
