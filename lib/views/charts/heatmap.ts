/**
 * Layers × steps heat map of one run's norms. Colour is log10 of the norm (norms of different groups span
 * decades) on the viridis scale (perceptually uniform, colour-blind-safe), with the norms at both ends of the
 * colour bar; or, per row, each norm over its group's largest (linear, 0–1), which shows how each group
 * moves even when groups differ by decades. Tooltips show the real value.
 */
import { formatNumber } from '../../format';
import { layerName } from '../figure2';
import type { DataTable } from '../types';
import type { NormMatrix } from '../../queries/norms';
import { FONT, type Option } from './common';
import { QUANTITY_AXIS } from './figure2';

/** GET /api/runs/:id/norms?agg=matrix: the parts of lib/queries/norms.ts NormMatrix that the heat map reads. */
export type NormMatrixInput = Pick<NormMatrix, 'groups' | 'columns' | 'values'>;

export interface HeatmapOptions {
  /** Colour each row by its norm over the row's largest, instead of the norm on one log scale. */
  perRow?: boolean;
}

/** Heat map quantities, the default first: ‖ΔW‖ moves where W₀+ΔW looks constant (W₀ dominates). */
export const HEAT_QUANTITIES: [string, string][] = [
  ['update', 'update ‖ΔW‖'],
  ['weight', 'effective weight W₀+ΔW'],
  ['trainable', 'trainable parameters'],
  ['grad', 'gradient'],
];

const VIRIDIS = ['#440154', '#414487', '#2a788e', '#22a884', '#7ad151', '#fde725'];

const usable = (v: number | null): v is number => v !== null && Number.isFinite(v) && v > 0;

export interface HeatmapChart {
  option: Option;
  data: DataTable;
  /** Says which colour scale is on. */
  caption: string;
}

export function heatmapChart(m: NormMatrixInput, quantity: string, opts: HeatmapOptions = {}): HeatmapChart {
  const xs = m.columns.map((c) => String(c.toStep === c.fromStep ? c.fromStep : c.toStep));
  const ys = m.groups.map(layerName);
  const cells: [number, number, number, number][] = [];
  let lo = Infinity;
  let hi = -Infinity;
  m.values.forEach((row, g) => {
    const rowMax = Math.max(0, ...row.filter(usable));
    row.forEach((v, c) => {
      if (!usable(v)) return;
      const colour = opts.perRow ? v / rowMax : Math.log10(v);
      lo = Math.min(lo, colour);
      hi = Math.max(hi, colour);
      cells.push([c, g, colour, v]);
    });
  });
  if (opts.perRow) [lo, hi] = [0, 1];
  if (!(lo <= hi)) [lo, hi] = [0, 1];
  if (lo === hi) hi = lo + 0.01;
  const name = QUANTITY_AXIS[quantity] ?? quantity;
  const end = (v: number) => (opts.perRow ? String(v) : formatNumber(10 ** v, 3));
  const option: Option = {
    animation: false,
    textStyle: FONT,
    grid: { left: 90, right: 110, top: 16, bottom: 56 },
    tooltip: {
      formatter: (p: { value: [number, number, number, number] }) =>
        `${ys[p.value[1]]}, step ≤ ${xs[p.value[0]]}<br/>${name} = ${p.value[3].toPrecision(4)}` +
        (opts.perRow ? ` (${(100 * p.value[2]).toFixed(0)}% of the row's largest)` : ''),
    },
    xAxis: {
      type: 'category',
      data: xs,
      name: 'training step',
      nameLocation: 'middle',
      nameGap: 32,
      nameTextStyle: { ...FONT, fontSize: 13 },
      axisLabel: { ...FONT, fontSize: 11, hideOverlap: true },
      splitArea: { show: false },
    },
    yAxis: { type: 'category', data: ys, inverse: true, axisLabel: { ...FONT, fontSize: 11, interval: 0 } },
    visualMap: {
      type: 'continuous',
      min: lo,
      max: hi,
      dimension: 2,
      calculable: false,
      orient: 'vertical',
      right: 8,
      top: 'middle',
      inRange: { color: VIRIDIS },
      text: [end(hi), end(lo)],
      textStyle: { ...FONT, fontSize: 11 },
      formatter: (v: number) => end(v),
    },
    series: [{ type: 'heatmap', data: cells, progressive: 0 }],
  };
  const data: DataTable = {
    columns: ['layer group', ...xs.map((x) => `step ${x}`)],
    rows: m.values.map((row, g) => [ys[g], ...row]),
  };
  const caption = opts.perRow
    ? `Colour = ${name} per row: each group's norm over its own largest (0–1, linear); rows in model order.`
    : `Colour = ${name} on a log scale (viridis), one scale for all rows; rows in model order.`;
  return { option, data, caption };
}
