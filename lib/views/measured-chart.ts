/**
 * Bar charts of measured peak memory and throughput: one bar per comparable group (method at one preset and
 * batch × seq, optionally one sweep) at the mean, one dot per run so n and spread show; MiB throughout.
 */
import { colorsFor } from './palette';
import type { MeasuredRow, Spread } from './measured';

export function rowLabel(r: MeasuredRow): string {
  return `${r.label} · ${r.preset} ${r.shape}${r.sweep ? ` · ${r.sweep}` : ''} (n=${r.n})`;
}

type Pick = (r: MeasuredRow) => Spread;

function bars(rows: MeasuredRow[], pick: Pick, axisName: string, digits: number): Record<string, unknown> {
  const colors = colorsFor(rows.map((r) => r.method));
  const round = (v: number) => Math.round(v * 10 ** digits) / 10 ** digits;
  return {
    animation: false,
    textStyle: { fontFamily: 'Liberation Sans, Helvetica, Arial, sans-serif' },
    tooltip: { trigger: 'item' },
    grid: { left: 80, right: 20, top: 20, bottom: 110 },
    xAxis: {
      type: 'category',
      data: rows.map(rowLabel),
      axisLabel: { interval: 0, rotate: rows.length > 3 ? 25 : 0 },
      name: 'method · preset batch × seq',
      nameLocation: 'middle',
      nameGap: 90,
    },
    yAxis: { type: 'value', name: axisName, nameLocation: 'middle', nameGap: 55 },
    series: [
      {
        type: 'bar',
        name: 'mean',
        barMaxWidth: 48,
        data: rows.map((r, i) => {
          const s = pick(r);
          return { value: s.n > 0 ? round(s.mean) : null, itemStyle: { color: colors[i], opacity: 0.75 } };
        }),
      },
      {
        type: 'scatter',
        name: 'runs',
        symbolSize: 7,
        itemStyle: { color: '#1d2329' },
        data: rows.flatMap((r, i) => pick(r).values.map((v) => [i, round(v)])),
      },
    ],
  };
}

export const measuredMemoryOption = (rows: MeasuredRow[]) =>
  bars(rows, (r) => r.tensorMiB, 'peak tensor memory (MiB)', 1);
export const measuredSpeedOption = (rows: MeasuredRow[]) => bars(rows, (r) => r.tokensPerS, 'throughput (tokens/s)', 0);
