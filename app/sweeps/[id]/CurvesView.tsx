'use client';
/** View 3: live loss and eval curves grouped by configuration, mean with a seed band. URL: m, e, b, s, log, t. */
import { useMemo } from 'react';
import { Chart, type ChartPreview } from '@/app/components/Chart';
import { Controls, Empty, ErrorBox, Loading, Select, Toggle } from '@/app/components/Status';
import { useLive, useSweep } from '@/app/components/data';
import { useUrlState } from '@/app/components/url-state';
import { BAND_LABEL, BANDS, groupCurves, type BandKind, type MultiSeries } from '@/lib/views/bands';
import { curveChart } from '@/lib/views/charts/curves';
import { groupRuns, type ConfigGroup } from '@/lib/views/groups';
import { SweepRuns } from './SweepRuns';
import { COMMON_KEYS, metricInfo } from '@/lib/views/metrics';
import {
  CURVES_CHART_HEIGHT,
  CURVES_STATE,
  curvesDrawing,
  sweepSeriesKey,
  sweepSeriesPath,
} from '@/lib/views/page-state';
import { anyLive } from '@/lib/views/types';

const SMOOTHING = ['0', '0.3', '0.6', '0.8', '0.9', '0.95'];
const NO_ROWS = { columns: [], rows: [] };

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
  preview,
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
  preview?: ChartPreview;
}) {
  const q = useLive<MultiSeries>(sweepSeriesKey(sweepId, metric), sweepSeriesPath(sweepId, metric), live);
  const chart = useMemo(
    () =>
      q.data
        ? curveChart({ key: metric, curves: groupCurves(q.data, groups, band, smoothing), band, log, seeds })
        : null,
    [q.data, groups, metric, band, smoothing, log, seeds],
  );
  const captionOf = (note: string | null) =>
    `${metricInfo(metric).axis} vs training step; line = mean over seeds, band = ${BAND_LABEL[band]}` +
    `${note ? ` (${note})` : ''}${smoothing > 0 ? `; EMA smoothing ${smoothing}` : ''}.`;
  if (q.error) return <ErrorBox error={q.error} what={metric} />;
  if (!chart && preview) {
    // The series is on its way: the server's picture of this chart stands in for it.
    const props = { id, title: metric, caption: captionOf(preview.note), height: CURVES_CHART_HEIGHT };
    return <Chart {...props} option={null} data={NO_ROWS} preview={preview.svg} />;
  }
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
  return (
    <Chart
      id={id}
      title={metric}
      option={chart.option}
      data={chart.data}
      caption={captionOf(chart.note)}
      height={CURVES_CHART_HEIGHT}
      preview={preview?.svg}
    />
  );
}

/**
 * `previews`: the charts as the server drew them for this URL (app/components/page-data.ts), by chart id, shown
 * until ECharts has drawn them here.
 */
export function CurvesView({ id, previews }: { id: string; previews?: Record<string, ChartPreview> }) {
  const [st, set] = useUrlState(CURVES_STATE);
  const sweep = useSweep(id);
  // Both series are requested together with the sweep, not after it: their URLs do not depend on the run list,
  // and the charts' own reads (same keys) then find them in the cache.
  const polling = sweep.data ? anyLive(sweep.data.runs) : true;
  useLive<MultiSeries>(sweepSeriesKey(id, st.m), sweepSeriesPath(id, st.m), polling);
  useLive<MultiSeries>(sweepSeriesKey(id, st.e), sweepSeriesPath(id, st.e), polling);
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
  const drawing = curvesDrawing(st);
  const { band } = drawing;
  const keys = COMMON_KEYS.map((k): [string, string] => [k, k]);
  const common = { sweepId: id, groups, live, ...drawing };
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
      <CurveChart id="curves-train" metric={st.m} {...common} preview={previews?.['curves-train']} />
      <CurveChart id="curves-eval" metric={st.e} {...common} preview={previews?.['curves-eval']} />
      <SweepRuns groups={groups} runs={sweep.data.runs} />
    </section>
  );
}
