/** Bar charts of measured peak memory and throughput per method (plain ECharts options, palette per method). */
import { colorsFor } from './palette';
import type { MeasuredRow } from './memory';

function bars(rows: MeasuredRow[], values: (number | null)[], axisName: string): Record<string, unknown> {
  const colors = colorsFor(rows.map((r) => r.method));
  const presets = new Set(rows.map((r) => r.preset)).size > 1;
  return {
    animation: false,
    textStyle: { fontFamily: 'Liberation Sans, Helvetica, Arial, sans-serif' },
    tooltip: { trigger: 'axis' },
    grid: { left: 80, right: 20, top: 20, bottom: 70 },
    xAxis: { type: 'category', data: rows.map((r) => (presets ? `${r.label} (${r.preset})` : r.label)), axisLabel: { interval: 0, rotate: rows.length > 5 ? 25 : 0 }, name: 'method', nameLocation: 'middle', nameGap: 50 },
    yAxis: { type: 'value', name: axisName, nameLocation: 'middle', nameGap: 55 },
    series: [{ type: 'bar', barMaxWidth: 48, data: values.map((v, i) => ({ value: v, itemStyle: { color: colors[i] } })) }],
  };
}

const fin = (x: number, scale = 1) => (Number.isFinite(x) ? Math.round((x / scale) * 10) / 10 : null);

export const measuredMemoryOption = (rows: MeasuredRow[]) => bars(rows, rows.map((r) => fin(r.peakTensorBytes, 2 ** 20)), 'peak tensor memory (MiB)');
export const measuredSpeedOption = (rows: MeasuredRow[]) => bars(rows, rows.map((r) => fin(r.tokensPerS)), 'throughput (tokens/s)');
