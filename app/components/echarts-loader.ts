'use client';
/**
 * ECharts, loaded apart from the page's scripts. Evaluating it took a quarter of a second of a chart page's
 * start on two cores, in front of the page's first API read. The app's providers ask for it as soon as the app
 * starts, so it downloads and evaluates while the page hydrates and its data is in flight; a chart draws when
 * both have arrived.
 */
let library: Promise<typeof import('./echarts')> | null = null;

export function loadECharts(): Promise<typeof import('./echarts')> {
  library ??= import('./echarts');
  return library;
}
