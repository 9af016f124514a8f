'use client';
/** Overlaid series of a few runs (the run page's charts and the compare view). */
import { useMemo } from 'react';
import { useQueries } from '@tanstack/react-query';
import { apiGet } from '@/app/api-client';
import { Chart } from '../Chart';
import { Empty, ErrorBox, Loading } from '../Status';
import { FONT, forAxis, grid, legend, valueAxis } from '@/lib/views/charts/common';
import { ema } from '@/lib/views/ema';
import { liveInterval } from '@/lib/views/live';
import { metricInfo } from '@/lib/views/metrics';
import { runColour } from '@/lib/views/palette';
import type { Bucket } from '@/lib/views/types';

export interface SeriesRun {
  id: string;
  label: string;
}

export function RunSeries({
  id,
  runs,
  metric,
  live,
  smoothing = 0,
  log = false,
  height = 300,
}: {
  id: string;
  runs: SeriesRun[];
  metric: string;
  live: boolean;
  smoothing?: number;
  log?: boolean;
  height?: number;
}) {
  const results = useQueries({
    queries: runs.map((r) => ({
      queryKey: ['run-series', r.id, metric],
      queryFn: () =>
        apiGet<{ buckets: Bucket[] }>(`/api/runs/${r.id}/series?key=${encodeURIComponent(metric)}&points=400`),
      refetchInterval: liveInterval(live),
    })),
  });
  const error = results.find((r) => r.error)?.error;
  const ready = results.every((r) => r.data);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `results` is new each render; update times key it
  const chart = useMemo(() => {
    if (!ready) return null;
    const info = metricInfo(metric);
    const lines = runs.map((r, i) => {
      const b = results[i].data!.buckets;
      const ys = ema(
        b.map((x) => x.mean * info.scale),
        smoothing,
      );
      return { r, xs: b.map((x) => x.lastStep), ys, colour: runColour(i) };
    });
    const option = {
      animation: false,
      textStyle: FONT,
      grid: grid(),
      legend: legend(runs.map((r) => r.label)),
      tooltip: { trigger: 'axis' },
      xAxis: { ...valueAxis('training step', { gap: 30 }), scale: false, min: 0, splitLine: { show: false } },
      yAxis: valueAxis(info.axis, { log, values: lines.flatMap((l) => l.ys) }),
      series: lines.map((l) => ({
        type: 'line',
        name: l.r.label,
        color: l.colour,
        showSymbol: l.xs.length <= 30,
        symbolSize: 5,
        connectNulls: true,
        data: l.xs.map((x, j) => [x, forAxis(l.ys[j], log)]),
        lineStyle: { color: l.colour, width: 1.8 },
        itemStyle: { color: l.colour },
      })),
    };
    const rows = lines.flatMap((l) => l.xs.map((x, j) => [l.r.label, x, l.ys[j]] as (string | number)[]));
    return { option, data: { columns: ['run', 'step', metric], rows } };
  }, [ready, results.map((r) => r.dataUpdatedAt).join(','), metric, smoothing, log, runs]);
  if (error) return <ErrorBox error={error} what={metric} />;
  if (!chart) return <Loading what={metric} />;
  if (chart.data.rows.length === 0)
    return (
      <Empty title={`No ${metric} recorded`}>
        <p>{live ? 'Points appear within a few seconds of the first step.' : 'Choose another metric.'}</p>
      </Empty>
    );
  return (
    <Chart
      id={id}
      title={metric}
      option={chart.option}
      data={chart.data}
      height={height}
      caption={`${metricInfo(metric).axis} vs training step${smoothing ? `; EMA ${smoothing}` : ''}.`}
    />
  );
}
