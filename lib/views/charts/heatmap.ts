/**
 * Layers × steps heat map of one run's norms. Colour is log10 of the norm (norms of different groups span
 * decades) on the viridis scale (perceptually uniform, colour-blind-safe); tooltips show the real value.
 */
import { layerName } from '../figure2';
import type { DataTable } from '../types';
import { FONT, type Option } from './common';
import { QUANTITY_AXIS } from './figure2';

export interface NormMatrixInput {
  groups: string[];
  columns: { fromStep: number; toStep: number }[];
  values: (number | null)[][];
}

const VIRIDIS = ['#440154', '#414487', '#2a788e', '#22a884', '#7ad151', '#fde725'];

export function heatmapChart(m: NormMatrixInput, quantity: string): { option: Option; data: DataTable } {
  const xs = m.columns.map((c) => String(c.toStep === c.fromStep ? c.fromStep : c.toStep));
  const ys = m.groups.map(layerName);
  const cells: [number, number, number, number][] = [];
  let lo = Infinity;
  let hi = -Infinity;
  m.values.forEach((row, g) =>
    row.forEach((v, c) => {
      if (v === null || !Number.isFinite(v) || v <= 0) return;
      const l = Math.log10(v);
      lo = Math.min(lo, l);
      hi = Math.max(hi, l);
      cells.push([c, g, l, v]);
    }),
  );
  if (!(lo <= hi)) [lo, hi] = [0, 1];
  if (lo === hi) hi = lo + 0.01;
  const option: Option = {
    animation: false,
    textStyle: FONT,
    grid: { left: 90, right: 110, top: 16, bottom: 56 },
    tooltip: {
      formatter: (p: { value: [number, number, number, number] }) =>
        `${ys[p.value[1]]}, step ≤ ${xs[p.value[0]]}<br/>${QUANTITY_AXIS[quantity] ?? quantity} = ${p.value[3].toPrecision(4)}`,
    },
    xAxis: {
      type: 'category', data: xs, name: 'training step', nameLocation: 'middle', nameGap: 32,
      nameTextStyle: { ...FONT, fontSize: 13 }, axisLabel: { ...FONT, fontSize: 11, hideOverlap: true }, splitArea: { show: false },
    },
    yAxis: { type: 'category', data: ys, inverse: true, axisLabel: { ...FONT, fontSize: 11, interval: 0 } },
    visualMap: {
      type: 'continuous', min: lo, max: hi, dimension: 2, calculable: false, orient: 'vertical', right: 8, top: 'middle',
      inRange: { color: VIRIDIS }, text: ['high', 'low'], textStyle: { ...FONT, fontSize: 11 },
      formatter: (v: number) => (10 ** v).toPrecision(3),
    },
    series: [{ type: 'heatmap', data: cells, progressive: 0 }],
  };
  const data: DataTable = { columns: ['layer group', ...xs.map((x) => `step ${x}`)], rows: m.values.map((row, g) => [ys[g], ...row]) };
  return { option, data };
}
