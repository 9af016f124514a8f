'use client';
/**
 * View 8: one run — config, backend, live status, curves, norms heat map, LISA timeline, log, checkpoints.
 * URL: q, n.
 */
import { Link } from '@/app/components/link';
import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { ApiError, apiSend } from '@/app/api-client';
import { Annotations } from '@/app/components/Annotations';
import { LisaTimeline } from '@/app/components/LisaTimeline';
import { NormHeatmap } from '@/app/components/NormHeatmap';
import { Checkpoints, ConfigTable, LogTail } from '@/app/components/runs/RunPanels';
import { RunCard } from '@/app/components/runs/RunCard';
import { RunSeries } from '@/app/components/runs/RunSeries';
import { Controls, ErrorBox, Loading, Select, Toggle } from '@/app/components/Status';
import { useRun, type RunJson } from '@/app/components/data';
import { useUrlState } from '@/app/components/url-state';
import { useCanEdit } from '@/app/viewer';
import { eta, formatDuration } from '@/lib/format';
import { methodConfig } from '@/lib/runs/configuration';
import { HEAT_QUANTITIES } from '@/lib/views/charts/heatmap';
import { anyLive } from '@/lib/views/types';

function Actions({ run }: { run: RunJson }) {
  const canEdit = useCanEdit();
  const client = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  if (!canEdit) return null;
  const act = async (what: 'cancel' | 'resume') => {
    setError(null);
    try {
      await apiSend(`/api/runs/${run.id}/${what}`);
      await client.invalidateQueries({ queryKey: ['run', run.id] });
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  };
  const live = anyLive([run]);
  const resumable = ['failed', 'cancelled', 'diverged'].includes(run.status);
  return (
    <span className="run-actions">
      {live ? (
        <button type="button" className="button button-danger" onClick={() => act('cancel')} data-testid="run-cancel">
          Cancel
        </button>
      ) : null}
      {resumable ? (
        <button
          type="button"
          className="button"
          onClick={() => act('resume')}
          data-testid="run-resume"
          title="Queue the run again; it continues from its last checkpoint"
        >
          {run.status === 'cancelled' || run.failureReason === 'timeout' ? 'Resume' : 'Retry'}
        </button>
      ) : null}
      {error ? (
        <span className="view-error-inline" role="alert">
          {error}
        </span>
      ) : null}
    </span>
  );
}

function Summary({ run }: { run: RunJson }) {
  const pct = run.totalSteps ? Math.min(100, (100 * (run.lastStep ?? 0)) / run.totalSteps) : 0;
  const left = run.status === 'running' ? eta(run.startedAt, run.lastStep, run.totalSteps) : null;
  return (
    <dl className="run-summary panel">
      <div>
        <dt>status</dt>
        <dd>
          <span className={`status status-${run.status}`} data-testid="run-status">
            {run.status}
          </span>
        </dd>
      </div>
      <div>
        <dt>progress</dt>
        <dd>
          <span className="progress">
            <span style={{ width: `${pct}%` }} />
          </span>{' '}
          {run.lastStep ?? 0}/{run.totalSteps ?? '?'}
          {left !== null ? ` · ${formatDuration(left)} left` : ''}
        </dd>
      </div>
      <div>
        <dt>backend</dt>
        <dd data-testid="run-backend">
          {run.backend ?? 'not started'} · {run.gpu ? 'GPU' : run.gpu === false ? 'CPU only (no GPU)' : 'GPU unknown'}
        </dd>
      </div>
      <div>
        <dt>method</dt>
        <dd>
          {run.kind}
          {run.seed !== null ? ` · seed ${run.seed}` : ''}
        </dd>
      </div>
      <div>
        <dt>attempts</dt>
        <dd
          data-testid="run-attempts"
          title={`${run.launches} launches in all (resumes included); ${run.attempts} since the last resume`}
        >
          {run.launches}
        </dd>
      </div>
      {run.note ? (
        <div>
          <dt>note</dt>
          <dd className="warn" data-testid="run-note">
            {run.note}
          </dd>
        </div>
      ) : null}
      {run.placement && run.placement.executor !== 'local' ? (
        <div>
          <dt>{run.placement.executor}</dt>
          <dd data-testid="run-placement">
            {run.placement.job
              ? `job ${run.placement.job.id} · ${run.placement.job.state}` +
                (run.placement.job.reason ? ` (${run.placement.job.reason})` : '')
              : run.status === 'queued'
                ? 'waiting to be submitted'
                : 'no job'}
            {run.placement.unreachable ? (
              <span className="bad"> · Slurm unreachable: {run.placement.unreachable}</span>
            ) : null}
          </dd>
        </div>
      ) : null}
      {run.failureReason ? (
        <div>
          <dt>failure</dt>
          <dd className="bad">
            {run.failureReason}: {run.failureMessage}
          </dd>
        </div>
      ) : null}
    </dl>
  );
}

export function RunView({ id }: { id: string }) {
  const [st, set] = useUrlState({ q: 'update', n: '0' });
  const q = useRun(id);
  if (q.error) return <ErrorBox error={q.error} what={`run ${id}`} />;
  if (!q.data) return <Loading what="the run" />;
  const run = q.data;
  const live = anyLive([run]);
  const me = [{ id: run.id, label: run.label }];
  return (
    <section>
      <header className="sweep-title">
        <h1>{run.label}</h1>
        {run.sweepId ? <Link href={`/sweeps/${run.sweepId}`}>sweep</Link> : null}
        <Link href={`/compare?runs=${run.id}`}>compare…</Link>
        <Actions run={run} />
      </header>
      <Summary run={run} />
      <RunCard run={run} />
      <Annotations target="run" id={run.id} value={run.annotations} queryKey={['run', run.id]} />
      <div className="two-col">
        <RunSeries id="run-train" runs={me} metric="train/loss" live={live} />
        <RunSeries id="run-eval" runs={me} metric="eval/loss" live={live} />
      </div>
      <h2>Layer norms</h2>
      <Controls>
        <Select
          label="Quantity"
          value={st.q}
          options={HEAT_QUANTITIES}
          onChange={(v) => set({ q: v })}
          testId="heatmap-quantity"
        />
        <Toggle
          label="per-row scale"
          checked={st.n === '1'}
          onChange={(v) => set({ n: v ? '1' : '0' })}
          testId="heatmap-per-row"
        />
      </Controls>
      <NormHeatmap runId={run.id} quantity={st.q} live={live} perRow={st.n === '1'} />
      {run.kind === 'lisa' ? (
        <>
          <h2>LISA timeline</h2>
          <LisaTimeline runId={run.id} live={live} />
        </>
      ) : null}
      <h2>Log</h2>
      <LogTail runId={run.id} live={live} />
      <h2>Checkpoints</h2>
      <Checkpoints runId={run.id} live={live} />
      <h2>Configuration</h2>
      <ConfigTable config={methodConfig(run.kind, run.config)} />
    </section>
  );
}
