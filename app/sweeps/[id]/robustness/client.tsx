'use client';
import { useRouter } from 'next/navigation';
import { useMemo } from 'react';
import { Chart } from '@/app/components/Chart';
import { useLive, useSweep } from '@/app/components/data';
import type { ChartOption } from '@/app/components/echarts';
import type { AblationTable } from '@/lib/queries/table';
import { metricInfo } from '@/lib/views/metrics';
import { robustness } from '@/lib/views/robustness';
import { anyLive } from '@/lib/views/types';
import { robustnessOption } from '@/lib/views/robustness-chart';
import { RankTables } from './RankTables';

export const METRICS: [string, string][] = [
  ['eval/loss', 'final eval loss'],
  ['eval/loss:best', 'best eval loss'],
  ['train/loss', 'final train loss'],
  ['train/loss:roughness', 'train loss roughness (std around an 11-step moving average)'],
  ['eval/ppl', 'final eval perplexity'],
  ['tokens_per_s', 'tokens/s'],
  ['mem/peak_bytes', 'peak memory (MiB)'],
  ['wall_time', 'wall time (s)'],
];

/** No value (n = 0) or no spread (n = 1): an empty cell, shown as —, rather than NaN. */
const orDash = (v: number) => (Number.isFinite(v) ? v : null);

export function RobustnessClient({
  sweepId,
  sweepName,
  metric,
}: {
  sweepId: string;
  sweepName: string;
  metric: string;
}) {
  const router = useRouter();
  const sweep = useSweep(sweepId);
  const live = sweep.data ? anyLive(sweep.data.runs) : true;
  const path = `/api/sweeps/${sweepId}/table?metric=${encodeURIComponent(metric)}&format=json`;
  const q = useLive<AblationTable>(['robustness', sweepId, metric], path, live);
  const view = useMemo(() => {
    if (!q.data) return null;
    // Bytes are shown in MiB, as everywhere else.
    const info = metricInfo(q.data.metric.key);
    const label = info.scale === 1 ? q.data.metric.label : `${q.data.metric.label.replace(/\s*\(bytes\)/, '')} (MiB)`;
    const rows = [...q.data.cells, ...q.data.baselines].map((row) => ({
      ...row,
      values: row.values.map((v) => v * info.scale),
    }));
    const r = robustness(rows, q.data.metric.better);
    return { r, rows, label, option: robustnessOption(r, label) as ChartOption };
  }, [q.data]);
  const waiting = q.data ? [...q.data.cells, ...q.data.baselines].reduce((n, r) => n + r.excluded, 0) : 0;

  return (
    <>
      <div className="page-head">
        <div>
          <h2 className="view-title">
            Robustness over seeds <span className="muted">· {sweepName}</span>
          </h2>
        </div>
        <div className="page-actions">
          <label className="inline-field">
            Metric{' '}
            <select
              aria-label="Metric"
              value={metric}
              onChange={(e) =>
                router.replace(`/sweeps/${sweepId}/robustness?m=${encodeURIComponent(e.target.value)}`, {
                  scroll: false,
                })
              }
            >
              {(METRICS.some(([id]) => id === metric)
                ? METRICS
                : [[metric, metric] as [string, string], ...METRICS]
              ).map(([id, label]) => (
                <option key={id} value={id}>
                  {label}
                </option>
              ))}
            </select>
          </label>
        </div>
      </div>
      {q.isPending ? <p className="muted">Loading the sweep&apos;s final values…</p> : null}
      {q.isError ? (
        <p className="field-error" role="alert">
          Could not load the table: {q.error.message}. Try another metric, or check that the sweep exists.
        </p>
      ) : null}
      {view && view.r.configs.length === 0 ? <p className="muted">This sweep has no fine-tune runs.</p> : null}
      {view && view.r.configs.length > 0 ? (
        <>
          {waiting > 0 ? (
            <p className="muted" data-testid="waiting">
              {waiting} run(s) not finished yet: they join the statistics when they finish (this page refreshes itself).
            </p>
          ) : null}
          <p className={`verdict verdict-${view.r.verdict.replace(' ', '-')}`} data-testid="verdict">
            Ranking of configurations across seeds: <strong>{view.r.verdict}</strong>
            {Number.isFinite(view.r.meanKendall)
              ? ` (mean Kendall τ = ${view.r.meanKendall.toFixed(2)} over ${view.r.pairs.length} seed ` +
                `pair${view.r.pairs.length === 1 ? '' : 's'})`
              : ' (needs at least two seeds with values)'}
          </p>
          <Chart
            id="spread"
            title={`${view.label} per seed, by configuration`}
            caption={
              'One marker per seed; the dark bar is the mean over seeds. Colours: full = vermillion, ' +
              'LoRA = blue, LISA settings = the other Okabe–Ito colours.'
            }
            option={view.option}
            height={420}
            data={{
              columns: ['configuration', 'n', ...view.r.seeds.map((s) => `seed ${s}`), 'mean', 'std', 'CV'],
              rows: view.r.configs.map((c) => [
                c.label,
                c.stats.n,
                ...view.r.seeds.map((s) => c.bySeed[s] ?? null),
                ...[c.stats.mean, c.stats.std, c.stats.cv].map(orDash),
              ]),
            }}
          />
          <RankTables r={view.r} better={q.data?.metric.better ?? 'lower'} running={waiting > 0} />
        </>
      ) : null}
    </>
  );
}
