/**
 * LISA timeline (units × periods, drawn cells filled), draw counts per unit, and for importance sampling the
 * scores behind each draw (units × periods, colour = the score over that draw's largest). A unit is a block, or a
 * module when the run drew modules.
 */
import { formatNumber } from '../../format';
import type { Timeline } from '../timeline';
import type { DataTable } from '../types';
import { FONT, grid, valueAxis, type Option } from './common';
import { OKABE_ITO } from '../palette';

const VIRIDIS = ['#440154', '#414487', '#2a788e', '#22a884', '#7ad151', '#fde725'];

/** Pixels per row of the unit × period charts: modules are many, so their rows are thinner. */
export function rowHeight(t: Timeline): number {
  return t.granularity === 'module' ? 12 : 26;
}

function periodAxis(xs: string[]): Option {
  return {
    type: 'category',
    data: xs,
    name: 'period start (training step)',
    nameLocation: 'middle',
    nameGap: 32,
    nameTextStyle: { ...FONT, fontSize: 13 },
    axisLabel: { ...FONT, fontSize: 11, hideOverlap: true },
  };
}

function unitAxis(t: Timeline): Option {
  const fontSize = t.granularity === 'module' ? 9 : 11;
  return { type: 'category', data: t.units, inverse: true, axisLabel: { ...FONT, fontSize, interval: 0 } };
}

const left = (t: Timeline) => (t.granularity === 'module' ? 110 : 80);

export function timelineChart(t: Timeline): { option: Option; data: DataTable } {
  const xs = t.periods.map((p) => String(p.step));
  const cells: [number, number, number][] = [];
  t.periods.forEach((_, x) => {
    const on = new Set(t.drawn[x]);
    for (let u = 0; u < t.units.length; u++) cells.push([x, u, on.has(u) ? 1 : 0]);
  });
  const option: Option = {
    animation: false,
    textStyle: FONT,
    grid: { left: left(t), right: 24, top: 12, bottom: 56 },
    tooltip: {
      formatter: (p: { value: [number, number, number] }) =>
        `period ${t.periods[p.value[0]].period} (from step ${xs[p.value[0]]}): ${t.units[p.value[1]]} ` +
        `${p.value[2] ? 'trainable' : 'frozen'}`,
    },
    xAxis: periodAxis(xs),
    yAxis: unitAxis(t),
    visualMap: {
      type: 'piecewise',
      show: false,
      dimension: 2,
      pieces: [
        { value: 1, color: OKABE_ITO.green },
        { value: 0, color: '#eceef1' },
      ],
    },
    series: [{ type: 'heatmap', data: cells, itemStyle: { borderColor: '#fff', borderWidth: 1 } }],
  };
  const modules = t.granularity === 'module';
  const data: DataTable = {
    columns: ['period', 'first step', modules ? 'drawn modules' : 'active blocks', 'optimizer state reset'],
    rows: t.periods.map((p, i) => [
      p.period,
      p.step,
      modules ? t.drawn[i].map((u) => t.units[u]).join(', ') : p.active.join(', '),
      p.reset ? 'yes' : 'no',
    ]),
  };
  return { option, data };
}

export function countsChart(t: Timeline): { option: Option; data: DataTable } {
  const modules = t.granularity === 'module';
  const option: Option = {
    animation: false,
    textStyle: FONT,
    grid: grid({ left: 64, bottom: modules ? 100 : 48, top: 16 }),
    tooltip: { trigger: 'axis' },
    xAxis: {
      type: 'category',
      data: t.units,
      axisLabel: { ...FONT, fontSize: modules ? 9 : 11, interval: 0, rotate: modules ? 60 : 0 },
      name: modules ? '' : 'block',
      nameLocation: 'middle',
      nameGap: 30,
      nameTextStyle: { ...FONT, fontSize: 13 },
    },
    yAxis: { ...valueAxis('periods drawn (count)', { gap: 40 }), scale: false, minInterval: 1 },
    series: [
      { type: 'bar', name: 'periods drawn', data: t.counts, itemStyle: { color: OKABE_ITO.green }, barMaxWidth: 36 },
    ],
  };
  return {
    option,
    data: {
      columns: [modules ? 'module' : 'block', 'periods drawn', 'steps trainable'],
      rows: t.units.map((y, u) => [y, t.counts[u], t.steps[u]]),
    },
  };
}

/** Null when no draw had scores (every rule but importance). */
export function scoresChart(t: Timeline): { option: Option; data: DataTable } | null {
  const scored = t.periods.flatMap((p, i) => (t.scores[i] ? [{ p, i, row: t.scores[i]! }] : []));
  if (scored.length === 0) return null;
  const xs = scored.map(({ p }) => String(p.step));
  const cells: [number, number, number | null][] = [];
  scored.forEach(({ row }, x) => {
    const top = Math.max(0, ...row.filter(Number.isFinite));
    row.forEach((s, u) => cells.push([x, u, Number.isFinite(s) && top > 0 ? s / top : null]));
  });
  const option: Option = {
    animation: false,
    textStyle: FONT,
    grid: { left: left(t), right: 24, top: 12, bottom: 56 },
    tooltip: {
      formatter: (p: { value: [number, number, number | null] }) => {
        const { p: period, row, i } = scored[p.value[0]];
        const u = p.value[1];
        const drawn = t.drawn[i].includes(u) ? 'drawn' : 'not drawn';
        return `period ${period.period} (step ${period.step}): ${t.units[u]} score ${formatNumber(row[u])}, ${drawn}`;
      },
    },
    xAxis: periodAxis(xs),
    yAxis: unitAxis(t),
    visualMap: {
      type: 'continuous',
      min: 0,
      max: 1,
      dimension: 2,
      show: false,
      inRange: { color: VIRIDIS },
    },
    series: [
      {
        type: 'heatmap',
        data: cells,
        itemStyle: { borderColor: '#fff', borderWidth: 1 },
      },
      {
        // The units each draw picked, outlined over their score.
        type: 'scatter',
        data: scored.flatMap(({ i }, x) => t.drawn[i].map((u) => [x, u])),
        symbol: 'rect',
        symbolSize: [6, 6],
        itemStyle: { color: '#ffffff', borderColor: '#1d2329', borderWidth: 1 },
        silent: true,
      },
    ],
  };
  const data: DataTable = {
    columns: ['period', 'first step', ...t.units],
    rows: scored.map(({ p, row }) => [p.period, p.step, ...row.map((s) => (Number.isFinite(s) ? s : ''))]),
  };
  return { option, data };
}
