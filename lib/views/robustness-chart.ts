/**
 * The robustness strip plot as an ECharts option (plain data, no functions: usable in the browser and in
 * the server-side SVG export): one column per configuration, one dot per seed, the mean as a bar marker.
 */
import { colorsFor } from './palette';
import type { Robustness } from './robustness';

const SEED_SYMBOLS = ['circle', 'triangle', 'diamond', 'rect', 'pin', 'roundRect'];

export function robustnessOption(r: Robustness, metricLabel: string): Record<string, unknown> {
  const labels = r.configs.map((c) => c.label);
  const colors = colorsFor(r.configs.map((c) => c.method));
  const finite = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v : null);
  const seedSeries = r.seeds.map((seed, si) => ({
    name: `seed ${seed}`,
    type: 'scatter',
    symbol: SEED_SYMBOLS[si % SEED_SYMBOLS.length],
    symbolSize: 11,
    data: r.configs.map((c, ci) => ({
      value: [ci, finite(c.bySeed[seed])],
      itemStyle: { color: colors[ci], opacity: 0.85, borderColor: '#1d2433', borderWidth: 0.5 },
    })),
  }));
  const meanSeries = {
    name: 'mean over seeds',
    type: 'scatter',
    symbol: 'rect',
    symbolSize: [26, 3],
    itemStyle: { color: '#1d2433' },
    data: r.configs.map((c, ci) => [ci, finite(c.stats.mean)]),
    z: 1,
  };
  return {
    animation: false,
    color: ['#1d2433'],
    textStyle: { fontFamily: 'Liberation Sans, Helvetica, Arial, sans-serif' },
    legend: { top: 0, data: [...r.seeds.map((s) => `seed ${s}`), 'mean over seeds'], itemStyle: { color: '#5b6472' } },
    tooltip: { trigger: 'item' },
    grid: { left: 80, right: 24, top: 40, bottom: 90 },
    xAxis: {
      type: 'category',
      data: labels,
      name: 'configuration',
      nameLocation: 'middle',
      nameGap: 70,
      axisLabel: { interval: 0, rotate: labels.length > 5 ? 25 : 0 },
    },
    yAxis: { type: 'value', scale: true, name: metricLabel, nameLocation: 'middle', nameGap: 60 },
    series: [...seedSeries, meanSeries],
  };
}
