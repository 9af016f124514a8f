/** LISA timeline (blocks × periods, active cells filled) and activation counts per block. */
import type { Timeline } from '../timeline';
import type { DataTable } from '../types';
import { FONT, grid, valueAxis, type Option } from './common';
import { OKABE_ITO } from '../palette';

export function timelineChart(t: Timeline): { option: Option; data: DataTable } {
  const xs = t.periods.map((p) => String(p.step));
  const ys = Array.from({ length: t.nBlocks }, (_, b) => `block ${b}`);
  const cells: [number, number, number][] = [];
  t.periods.forEach((p, x) => {
    for (let b = 0; b < t.nBlocks; b++) cells.push([x, b, p.active.includes(b) ? 1 : 0]);
  });
  const option: Option = {
    animation: false,
    textStyle: FONT,
    grid: { left: 80, right: 24, top: 12, bottom: 56 },
    tooltip: {
      formatter: (p: { value: [number, number, number] }) =>
        `period ${t.periods[p.value[0]].period} (from step ${xs[p.value[0]]}): ${ys[p.value[1]]} ` +
        `${p.value[2] ? 'trainable' : 'frozen'}`,
    },
    xAxis: {
      type: 'category',
      data: xs,
      name: 'period start (training step)',
      nameLocation: 'middle',
      nameGap: 32,
      nameTextStyle: { ...FONT, fontSize: 13 },
      axisLabel: { ...FONT, fontSize: 11, hideOverlap: true },
    },
    yAxis: { type: 'category', data: ys, inverse: true, axisLabel: { ...FONT, fontSize: 11, interval: 0 } },
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
  const data: DataTable = {
    columns: ['period', 'first step', 'active blocks', 'optimizer state reset'],
    rows: t.periods.map((p) => [p.period, p.step, p.active.join(', '), p.reset ? 'yes' : 'no']),
  };
  return { option, data };
}

export function countsChart(t: Timeline): { option: Option; data: DataTable } {
  const ys = Array.from({ length: t.nBlocks }, (_, b) => `block ${b}`);
  const option: Option = {
    animation: false,
    textStyle: FONT,
    grid: grid({ left: 64, bottom: 48, top: 16 }),
    tooltip: { trigger: 'axis' },
    xAxis: {
      type: 'category',
      data: ys,
      axisLabel: { ...FONT, fontSize: 11, interval: 0 },
      name: 'block',
      nameLocation: 'middle',
      nameGap: 30,
      nameTextStyle: { ...FONT, fontSize: 13 },
    },
    yAxis: { ...valueAxis('periods active (count)', { gap: 40 }), scale: false, minInterval: 1 },
    series: [
      { type: 'bar', name: 'periods active', data: t.counts, itemStyle: { color: OKABE_ITO.green }, barMaxWidth: 36 },
    ],
  };
  return {
    option,
    data: {
      columns: ['block', 'periods active', 'steps trainable'],
      rows: ys.map((y, b) => [y, t.counts[b], t.steps[b]]),
    },
  };
}
