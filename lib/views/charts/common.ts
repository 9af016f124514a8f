/** Shared ECharts pieces for paper-quality figures: axis styling, legend and grid that leave room for labels. */
export type Option = Record<string, unknown>;

export const FONT = { fontFamily: 'Liberation Sans, Helvetica Neue, Arial, sans-serif', color: '#1d2329' };

/** A value axis; a log one is fitted to `values` (see logRange) when they are given. */
export interface AxisOptions {
  log?: boolean;
  gap?: number;
  min?: number;
  max?: number;
  /** The plotted values: a log axis spans them (padded) instead of whole decades. */
  values?: Iterable<number | null>;
}

export function valueAxis(name: string, opts: AxisOptions = {}): Option {
  const fit = opts.log && opts.values ? logRange(opts.values) : null;
  const label = { ...FONT, fontSize: 11, hideOverlap: true, formatter: axisNumber };
  return {
    type: opts.log ? 'log' : 'value',
    name,
    nameLocation: 'middle',
    nameGap: opts.gap ?? 52,
    nameTextStyle: { ...FONT, fontSize: 13 },
    scale: !opts.log,
    min: fit?.min ?? opts.min,
    max: fit?.max ?? opts.max,
    axisLine: { show: true, lineStyle: { color: '#5f6b76' } },
    axisTick: fit ? { show: true, customValues: fit.ticks } : { show: true },
    axisLabel: fit ? { ...label, customValues: fit.ticks } : label,
    splitLine: { lineStyle: { color: '#eceef1' } },
    minorTick: opts.log && !fit ? { show: true } : undefined,
  };
}

export function axisNumber(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(0).replace('e+', 'e');
  return String(Number(v.toPrecision(4)));
}

export function legend(names: string[]): Option {
  return {
    type: 'scroll',
    top: 0,
    left: 'center',
    data: names,
    textStyle: { ...FONT, fontSize: 12 },
    itemWidth: 22,
    itemHeight: 10,
  };
}

export function grid(opts: { left?: number; right?: number; top?: number; bottom?: number } = {}): Option {
  return {
    left: opts.left ?? 80,
    right: opts.right ?? 24,
    top: opts.top ?? 40,
    bottom: opts.bottom ?? 56,
    containLabel: false,
  };
}

/** Values a log axis cannot draw (≤ 0, NaN) become gaps. */
export function forAxis(v: number | null, log: boolean): number | null {
  if (v === null || !Number.isFinite(v)) return null;
  return log && v <= 0 ? null : v;
}

/**
 * A log axis fitted to the data: the positive finite values' range padded by 4% of its span (in log space)
 * on each side, with labelled ticks at round values — 1-2-5 per decade over wide ranges, evenly spaced round
 * values inside a decade — so losses of 5.3–5.5 fill the plot instead of a fixed 1–10 decade.
 */
export function logRange(values: Iterable<number | null>): { min: number; max: number; ticks: number[] } | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v === null || !Number.isFinite(v) || v <= 0) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(lo <= hi)) return null;
  const a = Math.log10(lo);
  const b = Math.log10(hi);
  const pad = Math.max((b - a) * 0.04, 0.002);
  const min = 10 ** (a - pad);
  const max = 10 ** (b + pad);
  return { min, max, ticks: logTicks(min, max) };
}

function logTicks(min: number, max: number): number[] {
  const decades = Math.log10(max) - Math.log10(min);
  const out: number[] = [];
  if (decades >= 1) {
    const mantissas = decades > 4 ? [1] : decades > 2 ? [1, 3] : [1, 2, 5];
    for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
      for (const m of mantissas) {
        const v = Number((m * 10 ** e).toPrecision(12));
        if (v >= min && v <= max) out.push(v);
      }
    }
    return out;
  }
  const step = niceStep((max - min) / 5);
  for (let v = Math.ceil(min / step) * step; v <= max; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** 1, 2 or 5 × 10^k, the nearest at or above `rough`. */
function niceStep(rough: number): number {
  const p = 10 ** Math.floor(Math.log10(rough));
  const f = rough / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}
