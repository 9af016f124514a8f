/** Shared ECharts pieces for paper-quality figures: axis styling, legend and grid that leave room for labels. */
export type Option = Record<string, unknown>;

export const FONT = { fontFamily: 'Liberation Sans, Helvetica Neue, Arial, sans-serif', color: '#1d2329' };

export function valueAxis(name: string, opts: { log?: boolean; gap?: number; min?: number; max?: number } = {}): Option {
  return {
    type: opts.log ? 'log' : 'value',
    name,
    nameLocation: 'middle',
    nameGap: opts.gap ?? 52,
    nameTextStyle: { ...FONT, fontSize: 13 },
    scale: !opts.log,
    min: opts.min,
    max: opts.max,
    axisLine: { show: true, lineStyle: { color: '#5f6b76' } },
    axisTick: { show: true },
    axisLabel: { ...FONT, fontSize: 11, hideOverlap: true, formatter: axisNumber },
    splitLine: { lineStyle: { color: '#eceef1' } },
    minorTick: opts.log ? { show: true } : undefined,
  };
}

export function axisNumber(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(0).replace('e+', 'e');
  return String(Number(v.toPrecision(4)));
}

export function legend(names: string[]): Option {
  return { type: 'scroll', top: 0, left: 'center', data: names, textStyle: { ...FONT, fontSize: 12 }, itemWidth: 22, itemHeight: 10 };
}

export function grid(opts: { left?: number; right?: number; top?: number; bottom?: number } = {}): Option {
  return { left: opts.left ?? 80, right: opts.right ?? 24, top: opts.top ?? 40, bottom: opts.bottom ?? 56, containLabel: false };
}

/** Values a log axis cannot draw (≤ 0, NaN) become gaps. */
export function forAxis(v: number | null, log: boolean): number | null {
  if (v === null || !Number.isFinite(v)) return null;
  return log && v <= 0 ? null : v;
}
