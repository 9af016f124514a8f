'use client';
/** The run page's summary card (GET /api/runs/:id/card): the figures a run is judged by, at a glance. */
import { Link } from '@/app/components/link';
import { ErrorBox } from '@/app/components/Status';
import { useLive, type RunJson } from '@/app/components/data';
import { formatDuration, formatNumber } from '@/lib/format';
import type { RunCard as Card } from '@/lib/queries/run-card';
import { anyLive } from '@/lib/views/types';

const value = (v: number | null | undefined, digits = 4) =>
  v === null || v === undefined ? '—' : Number.isNaN(v) ? 'NaN' : formatNumber(v, digits);

export function RunCard({ run }: { run: RunJson }) {
  const q = useLive<Card>(['run', run.id, 'card'], `/api/runs/${run.id}/card`, anyLive([run]));
  if (q.error) return <ErrorBox error={q.error} what="the run's summary" />;
  const c = q.data;
  const item = (label: string, shown: string, sub: string | null, testId: string) => (
    <div>
      <dt>{label}</dt>
      <dd data-testid={testId}>
        {c ? shown : '…'}
        {c && sub ? <span className="sub">{sub}</span> : null}
      </dd>
    </div>
  );
  return (
    <dl className="run-card panel" data-testid="run-card" aria-label="Run summary">
      {item(
        'final eval loss',
        value(c?.finalEval?.value),
        c?.finalEval ? `step ${c.finalEval.step}` : null,
        'card-final',
      )}
      {item('best eval loss', value(c?.bestEval?.value), c?.bestEval ? `step ${c.bestEval.step}` : null, 'card-best')}
      {c?.finalAccuracy !== null && c?.finalAccuracy !== undefined
        ? item('final eval accuracy', `${value(100 * c.finalAccuracy, 3)} %`, null, 'card-accuracy')
        : null}
      {item('tokens/s', c?.tokensPerS == null ? '—' : Math.round(c.tokensPerS).toLocaleString('en'), null, 'card-tps')}
      {item('peak memory', c?.peakBytes == null ? '—' : `${(c.peakBytes / 2 ** 20).toFixed(1)} MiB`, null, 'card-mem')}
      {item(
        'wall time',
        c?.wallTimeS == null ? '—' : formatDuration(c.wallTimeS * 1000),
        run.status === 'running' ? 'so far' : null,
        'card-wall',
      )}
      {run.sweepId ? (
        <div>
          <dt>place in its sweep</dt>
          <dd data-testid="card-rank">
            {c?.rank ? (
              <>
                <Link href={`/sweeps/${run.sweepId}/table`}>
                  #{c.rank.position} of {c.rank.of}
                </Link>
                <span className="sub">
                  {c.rank.label}: {c.rank.metric} {value(c.rank.mean)} (n = {c.rank.n})
                </span>
              </>
            ) : (
              <span className="sub">{c ? (c.rankNote ?? '—') : '…'}</span>
            )}
          </dd>
        </div>
      ) : null}
    </dl>
  );
}
