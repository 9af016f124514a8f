import Link from 'next/link';
import { eta, formatDuration } from '@/lib/format';
import { listRecentRuns, listSweeps } from '@/lib/queries/home';
import { getContext } from '@/lib/server/context';

export const dynamic = 'force-dynamic';

export default function HomePage() {
  const { db } = getContext().conn;
  const sweeps = listSweeps(db);
  const runs = listRecentRuns(db);

  if (sweeps.length === 0 && runs.length === 0) return <EmptyState />;

  return (
    <>
      <h1>Sweeps &amp; runs</h1>
      <h2>Sweeps</h2>
      {sweeps.length === 0 ? (
        <p className="muted">No sweeps yet.</p>
      ) : (
        <table className="grid" data-testid="sweeps">
          <thead>
            <tr><th>Name</th><th className="num">Runs</th><th>Status</th><th>Created</th></tr>
          </thead>
          <tbody>
            {sweeps.map((s) => (
              <tr key={s.id}>
                <td>{s.name}</td>
                <td className="num">{s.total}</td>
                <td>
                  {Object.entries(s.counts).map(([status, n]) => (
                    <span key={status} className={`status status-${status}`} style={{ marginRight: 4 }}>
                      {n} {status}
                    </span>
                  ))}
                </td>
                <td>{s.createdAt.slice(0, 16).replace('T', ' ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Recent runs</h2>
      <table className="grid" data-testid="runs">
        <thead>
          <tr><th>Run</th><th>Method</th><th>Status</th><th>Progress</th><th>ETA</th></tr>
        </thead>
        <tbody>
          {runs.map((r) => {
            const pct = r.totalSteps ? Math.min(100, (100 * (r.lastStep ?? 0)) / r.totalSteps) : 0;
            const left = r.status === 'running' ? eta(r.startedAt, r.lastStep, r.totalSteps) : null;
            return (
              <tr key={r.id}>
                <td>{r.label}</td>
                <td>{r.kind}</td>
                <td><span className={`status status-${r.status}`}>{r.status}</span></td>
                <td>
                  <span className="progress" aria-label={`${pct.toFixed(0)}%`}><span style={{ width: `${pct}%` }} /></span>{' '}
                  <span className="muted">{r.lastStep ?? 0}/{r.totalSteps ?? '?'}</span>
                </td>
                <td>{left === null ? '—' : formatDuration(left)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}

function EmptyState() {
  return (
    <section className="panel empty" data-testid="empty-state">
      <h1>Welcome to LayerLab</h1>
      <p>
        There are no sweeps or runs in this data home yet. LayerLab plans γ × K ablations of LISA against full
        fine-tuning and LoRA, runs the trainer for each configuration, and shows the paper&apos;s views.
      </p>
      <h2>Start here</h2>
      <ol>
        <li>
          Train a tiny base model and a LISA fine-tune from the command line to see the trainer at work:
          <pre>{`npm run train -- --preset nano --stage pretrain --steps 200 --out runs/base
npm run train -- --preset nano --base runs/base --method lisa --gamma 1 --interval 5 --steps 60 --out runs/lisa`}</pre>
        </li>
        <li>
          Plan a sweep by sending a spec (see <code>docs/sweep-spec.md</code>) to <code>POST /api/sweeps</code>; its
          runs appear here with their status and progress.
        </li>
      </ol>
      <p className="muted">
        Check this machine&apos;s trainer backends at <Link href="/api/health">/api/health</Link>.
      </p>
    </section>
  );
}
