/**
 * Loss/eval curves of a sweep: per configuration a mean line, a shaded band (drawn as one polygon so it
 * follows any axis, log included) and, on demand, thin per-seed traces. Legend entries toggle all three.
 */
import { BAND_LABEL, type BandKind, type GroupCurve } from '../bands';
import { metricInfo } from '../metrics';
import type { DataTable } from '../types';
import { FONT, forAxis, grid, legend, valueAxis, type Option } from './common';

export interface CurveChartInput {
  key: string;
  curves: GroupCurve[];
  band: BandKind;
  log: boolean;
  seeds: boolean;
}

interface PolygonApi {
  coord(p: number[]): number[];
}

function bandSeries(c: GroupCurve, scale: number, log: boolean): Option | null {
  const upper: number[][] = [];
  const lower: number[][] = [];
  c.steps.forEach((x, i) => {
    const m = c.mean[i] * scale;
    let lo = c.lo[i] * scale;
    const hi = c.hi[i] * scale;
    if (!Number.isFinite(lo) || !Number.isFinite(hi) || !Number.isFinite(m)) return;
    if (log && lo <= 0) lo = m / 10;
    upper.push([x, hi]);
    lower.push([x, lo]);
  });
  if (upper.length < 2) return null;
  const polygon = [...upper, ...lower.reverse()];
  return {
    type: 'custom',
    name: c.group.label,
    color: c.group.style.color,
    silent: true,
    clip: true,
    z: 1,
    data: polygon,
    encode: { x: 0, y: 1 },
    tooltip: { show: false },
    renderItem: (params: { dataIndex: number }, api: PolygonApi) =>
      params.dataIndex === 0
        ? {
            type: 'polygon',
            shape: { points: polygon.map((p) => api.coord(p)) },
            style: { fill: c.group.style.color, opacity: 0.18 },
          }
        : null,
  };
}

/** Every y value the series draw (line points and band polygons), for fitting a log axis. */
function plotted(series: Option[]): number[] {
  const ys: number[] = [];
  for (const s of series) for (const p of s.data as (number | null)[][]) if (typeof p[1] === 'number') ys.push(p[1]);
  return ys;
}

export interface CurveChart {
  option: Option;
  data: DataTable;
  /** Set when some or all points have one seed, so no band: say so under the chart. */
  note: string | null;
}

export function curveChart({ key, curves, band, log, seeds }: CurveChartInput): CurveChart {
  const info = metricInfo(key);
  const s = info.scale;
  const series: Option[] = [];
  for (const c of curves) {
    const { color, dash } = c.group.style;
    if (band !== 'none') {
      const b = bandSeries(c, s, log);
      if (b) series.push(b);
    }
    if (seeds) {
      for (const t of c.seeds) {
        series.push({
          type: 'line',
          name: c.group.label,
          color,
          showSymbol: false,
          silent: true,
          z: 2,
          data: c.steps.map((x, i) => [x, forAxis(t.values[i] * s, log)]),
          lineStyle: { color, width: 0.8, opacity: 0.45, type: dash },
          itemStyle: { color },
          tooltip: { show: false },
          connectNulls: true,
        });
      }
    }
    series.push({
      type: 'line',
      name: c.group.label,
      color,
      z: 3,
      showSymbol: c.steps.length <= 30,
      symbolSize: 5,
      data: c.steps.map((x, i) => [x, forAxis(c.mean[i] * s, log)]),
      lineStyle: { color, width: 2, type: dash },
      itemStyle: { color },
      connectNulls: true,
    });
  }
  const option: Option = {
    animation: false,
    textStyle: FONT,
    grid: grid(),
    legend: legend(curves.map((c) => c.group.label)),
    tooltip: { trigger: 'axis', valueFormatter: (v: number) => (typeof v === 'number' ? v.toPrecision(4) : '—') },
    xAxis: { ...valueAxis('training step', { gap: 30 }), scale: false, min: 0, splitLine: { show: false } },
    yAxis: valueAxis(`${info.axis}${band === 'none' ? '' : ` — ${BAND_LABEL[band]}`}`, {
      log,
      values: plotted(series),
    }),
    series,
  };
  const rows: DataTable['rows'] = [];
  const shown = (v: number) => (band !== 'none' && Number.isFinite(v) ? v * s : null);
  for (const c of curves) {
    c.steps.forEach((x, i) => rows.push([c.group.label, x, c.mean[i] * s, shown(c.lo[i]), shown(c.hi[i]), c.n[i]]));
  }
  const columns = ['configuration', 'step', 'mean', 'band low', 'band high', 'seeds (n)'];
  return { option, data: { columns, rows }, note: spreadNote(curves, band) };
}

/** Where a band cannot be drawn because one seed has no spread, say so (instead of NaN bounds). */
function spreadNote(curves: readonly GroupCurve[], band: BandKind): string | null {
  if (band === 'none') return null;
  const ns = curves.flatMap((c) => c.n);
  if (ns.length === 0 || ns.every((n) => n > 1)) return null;
  return ns.every((n) => n <= 1) ? 'n = 1: no spread' : 'no band where n = 1 (no spread)';
}
