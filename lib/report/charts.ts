/**
 * ECharts options for the exported views (plain data, no formatter functions, so they render server-side
 * to SVG): labelled axes with units, Okabe–Ito colours per method, no animation.
 */
import { metricTitle, quantityOf, spreadParts } from '../format';
import type { AblationTable } from '../queries/table';

type Option = Record<string, unknown>;
const FONT = { fontFamily: 'Liberation Sans, Helvetica, Arial, sans-serif', fontSize: 12 };
const base = (): Option => ({ animation: false, textStyle: FONT, tooltip: { trigger: 'axis' } });

export interface Line {
  name: string;
  color: string;
  /** The line's dash pattern, as the page draws it (default solid). */
  dash?: 'solid' | 'dashed' | 'dotted';
  data: [number, number][];
}

export function curvesOption(lines: Line[], key: string): Option {
  return {
    ...base(),
    legend: { top: 0, type: 'plain' },
    grid: { left: 70, right: 24, top: 50, bottom: 50 },
    xAxis: { type: 'value', name: 'training step', nameLocation: 'middle', nameGap: 30, min: 'dataMin' },
    yAxis: {
      type: 'value',
      scale: true,
      name: key.includes('loss') ? `${key} (nats/token)` : key,
      nameLocation: 'middle',
      nameGap: 50,
    },
    series: lines.map((l) => ({
      name: l.name,
      type: 'line',
      showSymbol: false,
      lineStyle: { width: 2, color: l.color, type: l.dash ?? 'solid' },
      itemStyle: { color: l.color },
      data: l.data,
    })),
  };
}

export function normsOption(
  groups: string[],
  series: { name: string; color: string; dash?: 'solid' | 'dashed' | 'dotted'; data: (number | null)[] }[],
  quantity: string,
): Option {
  return {
    ...base(),
    legend: { top: 0 },
    grid: { left: 80, right: 24, top: 50, bottom: 60 },
    xAxis: {
      type: 'category',
      data: groups,
      name: 'layer group',
      nameLocation: 'middle',
      nameGap: 40,
      axisLabel: { interval: 0, rotate: groups.length > 10 ? 35 : 0 },
    },
    yAxis: { type: 'log', name: `mean ‖${quantity}‖₂ (log scale)`, nameLocation: 'middle', nameGap: 60 },
    series: series.map((s) => ({
      name: s.name,
      type: 'line',
      symbol: 'circle',
      symbolSize: 6,
      lineStyle: { width: 2, color: s.color, type: s.dash ?? 'solid' },
      itemStyle: { color: s.color },
      data: s.data,
    })),
  };
}

/** γ (rows) × K (columns) heat map of the mean; each cell labelled "mean ± std (n)". */
export function tableHeatmapOption(t: AblationTable): Option {
  const quantity = quantityOf(t.metric.key);
  const text = (c: AblationTable['cells'][number]) => {
    const p = spreadParts(c.stats, quantity);
    return p ? (p.std === null ? p.mean : `${p.mean} ± ${p.std}`) : '—';
  };
  const data = t.cells
    .filter((c) => c.gamma !== null && c.interval !== null)
    .map((c) => ({
      value: [
        t.intervals.indexOf(c.interval!),
        t.gammas.indexOf(c.gamma!),
        Number.isFinite(c.stats.mean) ? c.stats.mean * quantity.factor : '-',
      ],
      label: {
        show: true,
        formatter: `${text(c)}\n(n=${c.stats.n})${c.best ? ' ★' : ''}`,
        color: '#1d2433',
      },
    }));
  const means = t.cells.map((c) => c.stats.mean * quantity.factor).filter(Number.isFinite);
  const [min, max] = means.length ? [Math.min(...means), Math.max(...means)] : [0, 1];
  const steps = t.cells[0]?.steps ?? null;
  return {
    animation: false,
    textStyle: FONT,
    grid: { left: 80, right: 110, top: 20, bottom: 60 },
    xAxis: {
      type: 'category',
      data: t.intervals.map((k) => (steps ? `K=${k} (${Math.ceil(steps / k)} switches)` : `K=${k}`)),
      name: 'period K (steps between switches)',
      nameLocation: 'middle',
      nameGap: 35,
    },
    yAxis: {
      type: 'category',
      data: t.gammas.map((g) => `γ=${g}`),
      name: 'γ (active blocks)',
      nameLocation: 'middle',
      nameGap: 55,
    },
    visualMap: {
      min,
      max: max === min ? min + 1e-9 : max,
      calculable: false,
      orient: 'vertical',
      right: 10,
      top: 'center',
      inRange: { color: t.metric.better === 'lower' ? ['#0072B2', '#f7f7f7'] : ['#f7f7f7', '#0072B2'] },
      text: [metricTitle(t.metric), ''],
    },
    series: [{ type: 'heatmap', data, itemStyle: { borderColor: '#fff', borderWidth: 2 } }],
  };
}
