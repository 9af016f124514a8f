'use client';
/** Layers × steps heat map of one run's norms: one log colour scale, or each row over its own largest. */
import { useMemo } from 'react';
import { Chart } from './Chart';
import { Empty, ErrorBox, Loading } from './Status';
import { useLive } from './data';
import { heatmapChart, type NormMatrixInput } from '@/lib/views/charts/heatmap';
import { QUANTITY_AXIS } from '@/lib/views/charts/figure2';

export function NormHeatmap({
  runId,
  quantity,
  live,
  title,
  perRow = false,
}: {
  runId: string;
  quantity: string;
  live: boolean;
  title?: string;
  perRow?: boolean;
}) {
  const q = useLive<NormMatrixInput>(
    ['norm-matrix', runId, quantity],
    `/api/runs/${runId}/norms?quantity=${quantity}&agg=matrix&points=60`,
    live,
  );
  const chart = useMemo(() => (q.data ? heatmapChart(q.data, quantity, { perRow }) : null), [q.data, quantity, perRow]);
  if (q.error) return <ErrorBox error={q.error} what="the norm matrix" />;
  if (!chart || !q.data) return <Loading what="layer norms" />;
  if (q.data.columns.length === 0)
    return (
      <Empty title="No layer norms recorded yet">
        <p>
          The trainer logs them every <code>norms_every</code> steps; set it in the sweep spec’s <code>train</code>{' '}
          block.
        </p>
      </Empty>
    );
  return (
    <Chart
      id="norm-heatmap"
      title={title ?? `Layer norms over training: ${QUANTITY_AXIS[quantity] ?? quantity}`}
      option={chart.option}
      data={chart.data}
      height={Math.max(220, 28 * q.data.groups.length + 80)}
      caption={chart.caption}
    />
  );
}
