'use client';
/** Run page panels: configuration, log tail and checkpoints. */
import type { ReactNode } from 'react';
import { formatQuantity, QUANTITY } from '@/lib/format';
import type { CheckpointRow, LogRow, RunLogs } from '@/lib/queries/run-details';
import { useLive } from '../data';
import { ErrorBox, Loading } from '../Status';

export function ConfigTable({ config }: { config: Record<string, unknown> }) {
  return (
    <table className="grid run-config" data-testid="run-config">
      <tbody>
        {Object.entries(config).map(([k, v]) => (
          <tr key={k}>
            <th>{k}</th>
            <td>
              <code>{typeof v === 'string' ? v : JSON.stringify(v)}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** GET /api/runs/:id/logs: the parts of lib/queries/run-details.ts RunLogs that the tail shows. */
type LogsJson = Pick<RunLogs, 'stderr'> & { events: Pick<LogRow, 'seq' | 'step' | 'level' | 'message'>[] };

export function LogTail({ runId, live }: { runId: string; live: boolean }) {
  const q = useLive<LogsJson>(['logs', runId], `/api/runs/${runId}/logs?limit=100&bytes=8192`, live);
  if (q.error) return <ErrorBox error={q.error} what="the log" />;
  if (!q.data) return <Loading what="the log" />;
  const text =
    q.data.stderr ||
    q.data.events.map((e) => `[${e.level}]${e.step !== null ? ` step ${e.step}` : ''} ${e.message}`).join('\n');
  return (
    <pre className="log-tail" data-testid="run-log">
      {text || 'Nothing logged yet.'}
    </pre>
  );
}

const STATE_TEXT: Record<CheckpointRow['state'], (folder: string | null, written: string) => ReactNode> = {
  latest: (f) => (
    <>
      <code>{f}/</code> (latest: resume starts here)
    </>
  ),
  kept: (f) => (
    <>
      <code>{f}/</code> (kept)
    </>
  ),
  superseded: () => 'superseded (replaced by a later save)',
  unknown: (_f, written) => (
    <>
      <code>{written}</code> (as the trainer reported it)
    </>
  ),
};

/** GET /api/runs/:id/checkpoints (lib/queries/run-details.ts CheckpointRow). */
interface CheckpointsJson {
  checkpoints: Pick<CheckpointRow, 'step' | 'path' | 'bytes' | 'createdAt' | 'state' | 'folder'>[];
}

export function Checkpoints({ runId, live }: { runId: string; live: boolean }) {
  const q = useLive<CheckpointsJson>(['checkpoints', runId], `/api/runs/${runId}/checkpoints`, live);
  if (q.error) return <ErrorBox error={q.error} what="checkpoints" />;
  if (!q.data) return <Loading what="checkpoints" />;
  if (q.data.checkpoints.length === 0)
    return (
      <p className="muted">
        No checkpoints yet (set <code>checkpoint_every</code> in the spec).
      </p>
    );
  return (
    <table className="grid" data-testid="run-checkpoints">
      <thead>
        <tr>
          <th className="num">step</th>
          <th>on disk</th>
          <th className="num">size</th>
          <th>written</th>
        </tr>
      </thead>
      <tbody>
        {q.data.checkpoints.map((c) => (
          <tr key={c.step} className={c.state === 'superseded' ? 'muted' : undefined} data-state={c.state}>
            <td className="num">{c.step}</td>
            <td title={`written to ${c.path}`}>{STATE_TEXT[c.state](c.folder, c.path)}</td>
            <td className="num">{formatQuantity(c.bytes, QUANTITY.memory)} MiB</td>
            <td>{c.createdAt.slice(0, 19).replace('T', ' ')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
