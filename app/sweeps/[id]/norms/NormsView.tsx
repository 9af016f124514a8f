'use client';
/**
 * View 5: the paper's Figure 2 (methods overlaid), a layers × steps heat map and the LISA timeline.
 * URL: q, a, t, r, h, n, l.
 */
import { useMemo } from 'react';
import { Chart } from '@/app/components/Chart';
import { LisaTimeline } from '@/app/components/LisaTimeline';
import { NormHeatmap } from '@/app/components/NormHeatmap';
import { Controls, Empty, ErrorBox, Loading, Select, Toggle } from '@/app/components/Status';
import { useLive, useSweep } from '@/app/components/data';
import { useUrlState } from '@/app/components/url-state';
import { figure2Chart, QUANTITY_AXIS } from '@/lib/views/charts/figure2';
import { HEAT_QUANTITIES } from '@/lib/views/charts/heatmap';
import { figure2, type RunNorms } from '@/lib/views/figure2';
import { groupRuns } from '@/lib/views/groups';
import {
  FIGURE2_CHART_HEIGHT,
  NORMS_STATE,
  normsAggregation,
  normsAggregationLabel,
  sweepNormsKey,
  sweepNormsPath,
} from '@/lib/views/page-state';
import { anyLive } from '@/lib/views/types';

const QUANTITIES: [string, string][] = [
  ['trainable', 'trainable parameters'],
  ['weight', 'effective weight W₀+ΔW'],
  ['update', 'update ‖ΔW‖'],
];
const AGGS: [string, string][] = [
  ['mean', 'mean over steps'],
  ['step', 'at step t'],
  ['last', 'at the last step'],
];

/** `preview`: the Figure-2 chart as the server drew it for this URL (app/components/page-data.ts). */
export function NormsView({ id, preview }: { id: string; preview?: string }) {
  const [st, set] = useUrlState(NORMS_STATE);
  const sweep = useSweep(id);
  const groups = useMemo(() => groupRuns(sweep.data?.runs ?? []), [sweep.data]);
  const live = sweep.data ? anyLive(sweep.data.runs) : true;
  const agg = normsAggregation(st);
  const norms = useLive<{ runs: RunNorms[] }>(sweepNormsKey(id, st), sweepNormsPath(id, st), live);
  const chart = useMemo(() => {
    if (!norms.data) return null;
    return figure2Chart(figure2(norms.data.runs, groups), st.q, normsAggregationLabel({ a: agg, t: st.t }));
  }, [norms.data, groups, st.q, agg, st.t]);

  if (sweep.error) return <ErrorBox error={sweep.error} what={`sweep ${id}`} />;
  if (!sweep.data) return <Loading what="the sweep" />;
  const runs = groups.flatMap((g) => g.runs.map((r) => ({ r, g })));
  const runOptions = runs.map(({ r, g }): [string, string] => [r.id, `${g.label} · seed ${r.seed ?? '?'}`]);
  const lisaRuns = runs.filter(({ r }) => r.kind === 'lisa');
  const heatRun = st.r || runs[0]?.r.id || '';
  const lisaRun = st.l || lisaRuns[0]?.r.id || '';
  const lisaLabel = runOptions.find(([v]) => v === lisaRun)?.[1];
  const maxStep = Math.max(0, ...sweep.data.runs.filter((r) => r.kind !== 'pretrain').map((r) => r.totalSteps ?? 0));

  return (
    <section>
      <Controls>
        <Select
          label="Quantity"
          value={st.q}
          options={QUANTITIES}
          onChange={(q) => set({ q })}
          testId="norms-quantity"
        />
        <Select
          label="Aggregation"
          value={st.a}
          options={AGGS}
          onChange={(a) => set({ a, t: a === 'step' ? st.t || String(Math.floor(maxStep / 2)) : '' })}
          testId="norms-agg"
        />
        {st.a === 'step' ? (
          <label className="view-field">
            <span>step t</span>
            <input
              type="number"
              min={0}
              max={maxStep}
              value={st.t}
              onChange={(e) => set({ t: e.target.value })}
              style={{ width: '6rem' }}
            />
          </label>
        ) : null}
        {live ? <span className="status status-running">live</span> : null}
      </Controls>
      {norms.error ? (
        <ErrorBox error={norms.error} what="layer norms" />
      ) : !chart ? (
        <Loading what="layer norms" />
      ) : chart.data.rows.length === 0 ? (
        <Empty title="No layer norms yet">
          <p>
            {live
              ? 'They appear after the first logged step.'
              : 'Set train.norms_every in the sweep spec to record them.'}
          </p>
        </Empty>
      ) : (
        <Chart
          id="figure2"
          title={`Layer-wise ${QUANTITY_AXIS[st.q] ?? st.q} per method (paper Fig. 2)`}
          option={chart.option}
          data={chart.data}
          height={FIGURE2_CHART_HEIGHT}
          preview={preview}
          caption={
            'L2 norm over each layer group’s parameters, seeds averaged; log axis. For LoRA, ‘trainable’ ' +
            'is the adapters only — compare with ‘update’ before reading the paper’s skew as a LoRA property.'
          }
        />
      )}
      <h2>One run over training</h2>
      <Controls>
        <Select label="Run" value={heatRun} options={runOptions} onChange={(r) => set({ r })} testId="norms-run" />
        <Select
          label="Quantity"
          value={st.h}
          options={HEAT_QUANTITIES}
          onChange={(h) => set({ h })}
          testId="heatmap-quantity"
        />
        <Toggle
          label="per-row scale"
          checked={st.n === '1'}
          onChange={(v) => set({ n: v ? '1' : '0' })}
          testId="heatmap-per-row"
        />
      </Controls>
      {heatRun ? <NormHeatmap runId={heatRun} quantity={st.h} live={live} perRow={st.n === '1'} /> : null}
      <h2>LISA timeline</h2>
      {lisaRuns.length === 0 ? (
        <Empty title="No LISA runs in this sweep" />
      ) : (
        <>
          <Controls>
            <Select
              label="LISA run"
              value={lisaRun}
              options={runOptions.filter(([v]) => lisaRuns.some(({ r }) => r.id === v))}
              onChange={(l) => set({ l })}
            />
          </Controls>
          <LisaTimeline runId={lisaRun} live={live} label={lisaLabel} />
        </>
      )}
    </section>
  );
}
