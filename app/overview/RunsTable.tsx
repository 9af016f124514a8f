import { Link } from '@/app/components/link';
import { formatDuration } from '@/lib/format';
import type { LiveRun } from '@/lib/views/overview';
import { Progress } from './Progress';

export function RunsTable({ runs }: { runs: LiveRun[] }) {
  return (
    <table className="grid" data-testid="runs">
      <thead>
        <tr>
          <th>Run</th>
          <th>Sweep</th>
          <th>Method</th>
          <th>Status</th>
          <th>Progress</th>
          <th>ETA</th>
          <th>Duration</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((r) => {
          const took = r.startedAt && r.finishedAt ? Date.parse(r.finishedAt) - Date.parse(r.startedAt) : null;
          return (
            <tr key={r.id} data-testid={`run-${r.id}`}>
              <td>
                <Link href={`/runs/${r.id}`}>{r.label}</Link>
              </td>
              <td>{r.sweepId ? <Link href={`/sweeps/${r.sweepId}`}>{r.sweepName ?? r.sweepId}</Link> : '—'}</td>
              <td>{r.kind}</td>
              <td>
                <span className={`status status-${r.status}`} data-testid="run-status">
                  {r.status}
                </span>
              </td>
              <td>
                <Progress done={r.lastStep ?? 0} total={r.totalSteps ?? 0} />
              </td>
              <td>{r.etaMs === null ? '—' : formatDuration(r.etaMs)}</td>
              <td>{took === null ? '—' : formatDuration(took)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
