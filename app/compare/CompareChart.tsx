'use client';
/** The compare view's chart: every chosen metric of every chosen run in one chart (lib/views/compare). */
import { useQueries } from '@tanstack/react-query';
import { useMemo } from 'react';
import { apiGet } from '@/app/api-client';
import { Chart } from '@/app/components/Chart';
import { Empty, ErrorBox, Loading } from '@/app/components/Status';
import { FONT, forAxis, grid, legend, valueAxis } from '@/lib/views/charts/common';
import { axisNames, compareLines } from '@/lib/views/compare';
import { ema } from '@/lib/views/ema';
import { liveInterval } from '@/lib/views/live';
import { metricInfo } from '@/lib/views/metrics';
import type { Bucket, RunInfo } from '@/lib/views/types';

export function CompareChart(props: {
  runs: RunInfo[];
  metrics: string[];
  live: boolean;
  smoothing: number;
  log: boolean;
}) {
  const { runs, metrics, live, smoothing, log } = props;
  const lines = useMemo(() => compareLines(runs, metrics), [runs, metrics]);
  const results = useQueries({
    queries: lines.map((l) => ({
      queryKey: ['run-series', l.runId, l.metric],
      queryFn: () =>
        apiGet<{ buckets: Bucket[] }>(`/api/runs/${l.runId}/series?key=${encodeURIComponent(l.metric)}&points=400`),
      refetchInterval: liveInterval(live),
    })),
  });
  const error = results.find((r) => r.error)?.error;
  const ready = results.every((r) => r.data);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `results` is new each render; update times key it
  const chart = useMemo(() => {
    if (!ready) return null;
    const drawn = lines.map((l, i) => {
      const b = results[i].data!.buckets;
      const info = metricInfo(l.metric);
      return {
        l,
        xs: b.map((x) => x.lastStep),
        ys: ema(
          b.map((x) => x.mean * info.scale),
          smoothing,
        ),
      };
    });
    const [left, right] = axisNames(lines);
    const axis = (index: 0 | 1, name: string) =>
      valueAxis(name, { log, values: drawn.filter((d) => d.l.axis === index).flatMap((d) => d.ys) });
    const option = {
      animation: false,
      textStyle: FONT,
      grid: grid({ right: right ? 80 : 24 }),
      legend: legend(lines.map((l) => l.name)),
      tooltip: { trigger: 'axis' },
      xAxis: { ...valueAxis('training step', { gap: 30 }), scale: false, min: 0, splitLine: { show: false } },
      yAxis: right ? [axis(0, left), { ...axis(1, right), splitLine: { show: false } }] : axis(0, left),
      series: drawn.map(({ l, xs, ys }) => ({
        type: 'line',
        name: l.name,
        color: l.color,
        yAxisIndex: right ? l.axis : 0,
        showSymbol: xs.length <= 30,
        symbolSize: 5,
        connectNulls: true,
        data: xs.map((x, j) => [x, forAxis(ys[j], log)]),
        lineStyle: { color: l.color, width: 1.8, type: l.dash },
        itemStyle: { color: l.color },
      })),
    };
    const rows = drawn.flatMap((d) => d.xs.map((x, j) => [d.l.name, x, d.ys[j]] as (string | number)[]));
    return { option, data: { columns: ['line', 'step', 'value'], rows } };
  }, [ready, results.map((r) => r.dataUpdatedAt).join(','), lines, smoothing, log]);
  const title = metrics.join(', ');
  if (error) return <ErrorBox error={error} what={title} />;
  if (!chart) return <Loading what={title} />;
  if (chart.data.rows.length === 0)
    return (
      <Empty title={`No ${title} recorded`}>
        <p>{live ? 'Points appear within a few seconds of the first step.' : 'Choose another metric.'}</p>
      </Empty>
    );
  return (
    <Chart
      id="compare"
      title={title}
      option={chart.option}
      data={chart.data}
      height={420}
      caption={
        `${metrics.join(', ')} vs training step; colour: the run's configuration as on the sweep pages, ` +
        `dash: seed${metrics.length > 1 ? ' and metric' : ''}${smoothing ? `; EMA ${smoothing}` : ''}.`
      }
    />
  );
}
