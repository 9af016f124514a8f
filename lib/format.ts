/**
 * Display helpers shared by pages and exports. Every number a view or export shows goes through the formatter of
 * its quantity kind (quantityOf): the same unit (bytes as MiB), the same rule for significant digits (4 for a
 * single value; a mean to the precision of its spread, the std with 2 significant digits) and the same spelling
 * of NaN, ±∞ and "no value", on the page, in the Markdown / CSV / LaTeX tables and in the HTML export.
 */

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

export function formatNumber(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined) return '—';
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  return Math.abs(x) >= 1e5 || (x !== 0 && Math.abs(x) < 1e-3)
    ? x.toExponential(2)
    : Number(x.toPrecision(digits)).toString();
}

/** Remaining time by linear extrapolation of progress since start. */
export function eta(
  startedAt: string | null,
  step: number | null,
  total: number | null,
  now = Date.now(),
): number | null {
  if (!startedAt || !step || !total || step >= total) return null;
  const elapsed = now - Date.parse(startedAt);
  return (elapsed / step) * (total - step);
}

/**
 * A data-table cell as every chart's "data" toggle and the HTML export show it: NaN and ±Infinity spelled out,
 * 6 significant digits.
 */
export function formatCell(v: string | number | null): string {
  if (v === null) return '—';
  if (typeof v === 'string') return v;
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1e5 || Math.abs(v) < 1e-3 ? v.toExponential(4) : v.toPrecision(6);
}

/** A mean and its spread over seeds: "—" with no value ("running" while runs go on), "n = 1: no spread" for one. */
export function formatSpread(
  s: { n: number; mean: number; std: number },
  running = false,
  quantity: Quantity = QUANTITY.number,
): string {
  const p = spreadParts(s, quantity);
  if (!p) return running ? 'running' : '—';
  if (p.std === null) return `${p.mean} (n = 1: no spread)`;
  return `${p.mean} ± ${p.std}`;
}

/** A fraction as a percentage with `digits` decimals; never "-0 %" (a value that rounds to zero is "0 %"). */
export function formatPercent(x: number | null, digits = 0, signed = false): string {
  if (x === null || !Number.isFinite(x)) return '—';
  const text = (100 * x).toFixed(digits);
  const zero = Number(text) === 0;
  const body = zero ? (0).toFixed(digits) : text;
  return `${signed && !zero && x > 0 ? '+' : ''}${body} %`;
}

/** What a number measures: its unit, the factor from the stored value to the shown one, and its sign. */
export interface Quantity {
  kind: 'loss' | 'ppl' | 'accuracy' | 'memory' | 'time' | 'throughput' | 'percent' | 'count' | 'number';
  /** Shown value = stored value × factor (bytes → MiB). */
  factor: number;
  /** Unit as written after a label, e.g. "MiB"; '' for none. */
  unit: string;
  /** The quantity cannot be negative: an interval's lower bound is clipped at 0. */
  nonNegative: boolean;
}

const q = (kind: Quantity['kind'], unit = '', nonNegative = true, factor = 1): Quantity => ({
  kind,
  factor,
  unit,
  nonNegative,
});

export const QUANTITY = {
  loss: q('loss', 'nats/token'),
  ppl: q('ppl'),
  accuracy: q('accuracy', 'fraction'),
  memory: q('memory', 'MiB', true, 1 / 2 ** 20),
  seconds: q('time', 's'),
  milliseconds: q('time', 'ms'),
  throughput: q('throughput', 'tokens/s'),
  percent: q('percent', '%'),
  count: q('count'),
  number: q('number', '', false),
} satisfies Record<string, Quantity>;

/** The quantity a metric key (a trainer series, `wall_time`, or a table metric's key) measures. */
export function quantityOf(key: string): Quantity {
  if (key.endsWith('_bytes')) return QUANTITY.memory;
  if (key === 'wall_time' || (key.endsWith('_s') && !key.includes('per_s'))) return QUANTITY.seconds;
  if (key.endsWith('_ms')) return QUANTITY.milliseconds;
  if (key.includes('per_s')) return QUANTITY.throughput;
  if (/accuracy|(^|\/)acc$/.test(key)) return QUANTITY.accuracy;
  if (/ppl|perplexity/.test(key)) return QUANTITY.ppl;
  if (/loss/.test(key)) return QUANTITY.loss;
  if (/norm/.test(key)) return QUANTITY.number;
  if (/(^|\/)(tokens|loss_tokens|steps?|n)$/.test(key)) return QUANTITY.count;
  return QUANTITY.number;
}

/**
 * One value in its quantity's unit: `decimals` fixed decimals when given (a mean next to its spread), else 4
 * significant digits (exponent form below 1e-3 and from 1e6); counts as integers. NaN stays "NaN", ±∞ "∞" / "−∞",
 * and a value that rounds to zero is never "-0".
 */
export function formatQuantity(x: number, quantity: Quantity = QUANTITY.number, decimals?: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  const v = x * quantity.factor;
  let text: string;
  if (quantity.kind === 'percent') return formatPercent(x, decimals ?? 1);
  if (decimals !== undefined) text = v.toFixed(decimals);
  else if (quantity.kind === 'count' && Number.isInteger(v)) text = String(v);
  else {
    const a = Math.abs(v);
    text = a !== 0 && (a >= 1e6 || a < 1e-3) ? v.toExponential(3) : String(Number(v.toPrecision(4)));
  }
  return /^-[0.]*(e|$)/.test(text) ? text.slice(1) : text;
}

/** Decimals that show `std` (already in display units) with two significant digits (0–6); none for 0 or NaN. */
export function decimalsFor(std: number): number | undefined {
  if (!Number.isFinite(std) || std <= 0) return undefined;
  return Math.min(6, Math.max(0, 1 - Math.floor(Math.log10(std))));
}

/**
 * The text of a mean and its std over seeds: the std with two significant digits and the mean to the same
 * decimals (2.3104 ± 0.0213 → "2.310", "0.021"); a lone value with 4 significant digits and std null; null when
 * there is no finite mean (n = 0).
 */
export function spreadParts(
  s: { n: number; mean: number; std: number },
  quantity: Quantity = QUANTITY.number,
): { mean: string; std: string | null } | null {
  if (s.n === 0 || !Number.isFinite(s.mean)) return null;
  if (s.n === 1 || !Number.isFinite(s.std)) return { mean: formatQuantity(s.mean, quantity), std: null };
  const d = decimalsFor(s.std * quantity.factor);
  return { mean: formatQuantity(s.mean, quantity, d), std: formatQuantity(s.std, quantity, d) };
}

/** A 95% interval's bounds for display: a quantity that cannot be negative has its lower bound clipped at 0. */
export function clipInterval(ci: readonly [number, number], quantity: Quantity): [number, number] {
  return [quantity.nonNegative && ci[0] < 0 ? 0 : ci[0], ci[1]];
}

/** A metric's label with its display unit where the unit is not the stored one: "max mem/peak_bytes (MiB)". */
export function metricTitle(metric: { key: string; label: string }): string {
  const quantity = quantityOf(metric.key);
  return quantity.factor !== 1 ? `${metric.label} (${quantity.unit})` : metric.label;
}
