'use client';
/** Layers × steps heat map of one run's norms (log colour scale). */
import { useMemo } from 'react';
import { Chart } from './Chart';
import { Empty, ErrorBox, Loading } from './Status';
import { useLive } from './data';
import { heatmapChart, type NormMatrixInput } from '@/lib/views/charts/heatmap';
import { QUANTITY_AXIS } from '@/lib/views/charts/figure2';

export function NormHeatmap({ runId, quantity, live, title }: { runId: string; quantity: string; live: boolean; title?: string }) {
  const q = useLive<NormMatrixInput>(['norm-matrix', runId, quantity], `/api/runs/${runId}/norms?quantity=${quantity}&agg=matrix&points=60`, live);
  const chart = useMemo(() => (q.data ? heatmapChart(q.data, quantity) : null), [q.data, quantity]);
  if (q.error) return <ErrorBox error={q.error} what="the norm matrix" />;
  if (!chart || !q.data) return <Loading what="layer norms" />;
  if (q.data.columns.length === 0) return <Empty title="No layer norms recorded yet"><p>The trainer logs them every <code>norms_every</code> steps; set it in the sweep spec’s <code>train</code> block.</p></Empty>;
  return (
    <Chart id="norm-heatmap" title={title ?? `Layer norms over training: ${QUANTITY_AXIS[quantity] ?? quantity}`} option={chart.option} data={chart.data}
      height={Math.max(220, 28 * q.data.groups.length + 80)} caption="Colour = norm on a log scale (viridis); rows in model order." />
  );
}
