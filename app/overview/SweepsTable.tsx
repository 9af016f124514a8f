import { Link } from '@/app/components/link';
import { formatDuration } from '@/lib/format';
import type { LiveSweep } from '@/lib/views/overview';
import { Progress } from './Progress';

const STATUS_ORDER = ['running', 'queued', 'finished', 'diverged', 'failed', 'cancelled'];

export function SweepsTable({ sweeps }: { sweeps: LiveSweep[] }) {
  return (
    <table className="grid" data-testid="sweeps">
      <thead>
        <tr>
          <th>Name</th>
          <th className="num">Runs</th>
          <th>Status</th>
          <th>Progress (steps)</th>
          <th>ETA</th>
          <th>Created</th>
          <th>Views</th>
        </tr>
      </thead>
      <tbody>
        {sweeps.map((s) => {
          const statuses = Object.entries(s.counts).sort(
            ([a], [b]) => STATUS_ORDER.indexOf(a) - STATUS_ORDER.indexOf(b),
          );
          return (
            <tr key={s.id} data-testid={`sweep-${s.id}`}>
              <td>
                <Link href={`/sweeps/${s.id}`}>{s.name}</Link>
              </td>
              <td className="num" data-testid="sweep-runs">
                {s.total}
                {s.pretrain ? <span className="muted"> + {s.pretrain} pretrain</span> : null}
              </td>
              <td>
                {statuses.map(([status, n]) => (
                  <span key={status} className={`status status-${status}`} data-testid={`sweep-status-${status}`}>
                    {n} {status}
                  </span>
                ))}
              </td>
              <td>
                <Progress done={s.stepsDone} total={s.stepsTotal} />
              </td>
              <td>{s.etaMs === null ? '—' : formatDuration(s.etaMs)}</td>
              <td>{s.createdAt.slice(0, 16).replace('T', ' ')}</td>
              <td className="links">
                <Link href={`/sweeps/${s.id}/table`}>table</Link>
                {' · '}
                <Link href={`/sweeps/${s.id}/norms`}>norms</Link>
                {' · '}
                <Link href={`/sweeps/${s.id}/robustness`}>robustness</Link>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
