/** Small display helpers shared by pages. */

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
export function formatSpread(s: { n: number; mean: number; std: number }, running = false): string {
  if (s.n === 0 || !Number.isFinite(s.mean)) return running ? 'running' : '—';
  if (s.n === 1 || !Number.isFinite(s.std)) return `${formatNumber(s.mean)} (n = 1: no spread)`;
  return `${formatNumber(s.mean)} ± ${formatNumber(s.std, 2)}`;
}

/** A fraction as a percentage with `digits` decimals; never "-0 %" (a value that rounds to zero is "0 %"). */
export function formatPercent(x: number | null, digits = 0, signed = false): string {
  if (x === null || !Number.isFinite(x)) return '—';
  const text = (100 * x).toFixed(digits);
  const zero = Number(text) === 0;
  const body = zero ? (0).toFixed(digits) : text;
  return `${signed && !zero && x > 0 ? '+' : ''}${body} %`;
}
