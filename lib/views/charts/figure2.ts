/** The Figure 2 chart: layer groups on x (model order), norm on a log y axis, one line per method. */
import { layerName, type Figure2 } from '../figure2';
import type { DataTable } from '../types';
import { FONT, forAxis, grid, legend, valueAxis, type Option } from './common';

export const QUANTITY_AXIS: Record<string, string> = {
  trainable: '‖trainable parameters‖₂',
  weight: '‖W₀ + ΔW‖₂ (effective weights)',
  update: '‖ΔW‖₂ = ‖W_t − W₀‖₂ (update)',
  grad: '‖∇‖₂ (gradient)',
};

export function figure2Chart(fig: Figure2, quantity: string, aggLabel: string): { option: Option; data: DataTable } {
  const names = fig.layers.map(layerName);
  const option: Option = {
    animation: false,
    textStyle: FONT,
    grid: grid({ bottom: 70 }),
    legend: legend(fig.series.map((s) => s.group.label)),
    tooltip: {
      trigger: 'axis',
      valueFormatter: (v: number) => (typeof v === 'number' ? v.toPrecision(4) : 'not drawn (≤ 0)'),
    },
    xAxis: {
      type: 'category',
      data: names,
      name: 'layer group',
      nameLocation: 'middle',
      nameGap: 48,
      nameTextStyle: { ...FONT, fontSize: 13 },
      axisLabel: { ...FONT, fontSize: 11, rotate: names.length > 10 ? 45 : 0, interval: 0 },
      axisTick: { alignWithLabel: true },
    },
    yAxis: valueAxis(`${QUANTITY_AXIS[quantity] ?? quantity}, ${aggLabel} (log)`, {
      log: true,
      gap: 56,
      values: fig.series.flatMap((s) => s.values),
    }),
    series: fig.series.map((s) => ({
      type: 'line',
      name: s.group.label,
      color: s.group.style.color,
      symbol: 'circle',
      symbolSize: 6,
      data: s.values.map((v) => forAxis(v, true)),
      lineStyle: { color: s.group.style.color, width: 2, type: s.group.style.dash },
      itemStyle: { color: s.group.style.color },
    })),
  };
  const data: DataTable = {
    columns: ['layer group', ...fig.series.map((s) => s.group.label)],
    rows: fig.layers.map((_l, i) => [names[i], ...fig.series.map((s) => s.values[i])]),
  };
  return { option, data };
}
