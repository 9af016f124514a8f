'use client';
/** View 3: live loss and eval curves grouped by configuration, mean with a seed band. URL: m, e, b, s, log, t. */
import { useMemo } from 'react';
import { Chart } from '@/app/components/Chart';
import { Controls, Empty, ErrorBox, Loading, Select, Toggle } from '@/app/components/Status';
import { useLive, useSweep } from '@/app/components/data';
import { useUrlState } from '@/app/components/url-state';
import { BAND_LABEL, BANDS, groupCurves, type BandKind, type MultiSeries } from '@/lib/views/bands';
import { curveChart } from '@/lib/views/charts/curves';
import { groupRuns, type ConfigGroup } from '@/lib/views/groups';
import { SweepRuns } from './SweepRuns';
import { COMMON_KEYS, metricInfo } from '@/lib/views/metrics';
import { anyLive } from '@/lib/views/types';

const DEFAULTS = { m: 'train/loss', e: 'eval/loss', b: 'std', s: '0', log: '0', t: '0' };
const SMOOTHING = ['0', '0.3', '0.6', '0.8', '0.9', '0.95'];

const seriesPath = (sweepId: string, metric: string) =>
  `/api/sweeps/${sweepId}/series?key=${encodeURIComponent(metric)}&points=300`;

function CurveChart({
  id,
  sweepId,
  metric,
  groups,
  live,
  band,
  smoothing,
  log,
  seeds,
}: {
  id: string;
  sweepId: string;
  metric: string;
  groups: ConfigGroup[];
  live: boolean;
  band: BandKind;
  smoothing: number;
  log: boolean;
  seeds: boolean;
}) {
  const q = useLive<MultiSeries>(['sweep-series', sweepId, metric], seriesPath(sweepId, metric), live);
  const chart = useMemo(
    () =>
      q.data
        ? curveChart({ key: metric, curves: groupCurves(q.data, groups, band, smoothing), band, log, seeds })
        : null,
    [q.data, groups, metric, band, smoothing, log, seeds],
  );
  if (q.error) return <ErrorBox error={q.error} what={metric} />;
  if (!chart) return <Loading what={metric} />;
  if (chart.data.rows.length === 0) {
    return (
      <Empty title={`No ${metric} yet`}>
        <p>
          {live
            ? 'Runs are starting; points appear within a few seconds.'
            : `No run of this sweep recorded ${metric}. Pick another metric above.`}
        </p>
      </Empty>
    );
  }
  const caption =
    `${metricInfo(metric).axis} vs training step; line = mean over seeds, band = ${BAND_LABEL[band]}` +
    `${chart.note ? ` (${chart.note})` : ''}${smoothing > 0 ? `; EMA smoothing ${smoothing}` : ''}.`;
  return <Chart id={id} title={metric} option={chart.option} data={chart.data} caption={caption} height={380} />;
}

export function CurvesView({ id }: { id: string }) {
  const [st, set] = useUrlState(DEFAULTS);
  const sweep = useSweep(id);
  // Both series are requested together with the sweep, not after it: their URLs do not depend on the run list,
  // and the charts' own reads (same keys) then find them in the cache.
  const polling = sweep.data ? anyLive(sweep.data.runs) : true;
  useLive<MultiSeries>(['sweep-series', id, st.m], seriesPath(id, st.m), polling);
  useLive<MultiSeries>(['sweep-series', id, st.e], seriesPath(id, st.e), polling);
  const groups = useMemo(() => groupRuns(sweep.data?.runs ?? []), [sweep.data]);
  if (sweep.error) return <ErrorBox error={sweep.error} what={`sweep ${id}`} />;
  if (!sweep.data) return <Loading what="the sweep" />;
  if (groups.length === 0)
    return (
      <Empty title="No fine-tuning runs in this sweep">
        <p>Create a sweep with a grid of γ and K from the home page.</p>
      </Empty>
    );
  const live = anyLive(sweep.data.runs);
  const band = (BANDS as readonly string[]).includes(st.b) ? (st.b as BandKind) : 'std';
  const keys = COMMON_KEYS.map((k): [string, string] => [k, k]);
  const common = {
    sweepId: id,
    groups,
    live,
    band,
    smoothing: Number(st.s) || 0,
    log: st.log === '1',
    seeds: st.t === '1',
  };
  return (
    <section>
      <Controls>
        <Select
          label="Training metric"
          value={st.m}
          options={keys}
          onChange={(m) => set({ m })}
          testId="curves-metric"
        />
        <Select label="Eval metric" value={st.e} options={keys} onChange={(e) => set({ e })} />
        <Select
          label="Band"
          value={band}
          options={BANDS.map((b): [string, string] => [b, BAND_LABEL[b]])}
          onChange={(b) => set({ b })}
          testId="curves-band"
        />
        <Select
          label="EMA smoothing"
          value={st.s}
          options={SMOOTHING.map((s): [string, string] => [s, s === '0' ? 'off' : s])}
          onChange={(s) => set({ s })}
        />
        <Toggle label="log y" checked={st.log === '1'} onChange={(v) => set({ log: v ? '1' : '0' })} />
        <Toggle
          label="per-seed traces"
          checked={st.t === '1'}
          onChange={(v) => set({ t: v ? '1' : '0' })}
          testId="curves-seeds"
        />
        {live ? <span className="status status-running">live</span> : null}
      </Controls>
      <CurveChart id="curves-train" metric={st.m} {...common} />
      <CurveChart id="curves-eval" metric={st.e} {...common} />
      <SweepRuns groups={groups} runs={sweep.data.runs} />
    </section>
  );
}
