/**
 * Measured memory and speed: peak memory and throughput per method from finished runs (only comparable runs
 * pooled, with n and spread, in MiB), for the Memory & speed page. The analytic estimate at paper scale is
 * lib/views/planner.ts. Pure: the page reads the runs, this groups and computes.
 */
import { METHOD_NAMES } from '../runs/configuration';
import { aggregate } from '../stats/aggregate';

export interface MeasuredRunInput {
  kind: string;
  config: Record<string, unknown>;
  backend: string | null;
  summary: Record<string, number> | null;
  sweepId?: string | null;
  sweepName?: string | null;
}

/** One measured quantity over a group's runs; mean, std, min, max are NaN without values (std also with one). */
export interface Spread {
  n: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  /** Each run's value, for showing the spread. */
  values: number[];
}

export interface MeasuredRow {
  preset: string;
  /** Batch × sequence length: memory and speed are only comparable at the same one. */
  shape: string;
  backend: string;
  method: string;
  label: string;
  /** The sweep's name (or id) when grouping by sweep, else null. */
  sweep: string | null;
  n: number;
  tensorMiB: Spread;
  rssMiB: Spread;
  wasmHeapMiB: Spread;
  tokensPerS: Spread;
}

export interface MeasuredOptions {
  /** One row per sweep as well (runs of different sweeps may differ in data, lr, steps). */
  bySweep?: boolean;
}

const MIB = 2 ** 20;

function methodLabel(kind: string, c: Record<string, unknown>): string {
  if (kind === 'lisa') return `${METHOD_NAMES.lisa} γ=${c.gamma ?? '?'}`;
  if (kind === 'lora') return `${METHOD_NAMES.lora} r=${c.rank ?? '?'}`;
  if (kind === 'full') return METHOD_NAMES.full;
  if (kind === 'pretrain') return 'Pretrain (full)';
  return kind;
}

function spread(summaries: Record<string, number>[], key: string, scale = 1): Spread {
  const values = summaries
    .map((s) => s[key])
    .filter((v) => typeof v === 'number' && Number.isFinite(v))
    .map((v) => v * scale);
  const a = aggregate(values);
  return { n: a.n, mean: a.mean, std: a.std, min: a.min, max: a.max, values };
}

/** A run's tokens/s: its timed tokens ÷ timed seconds when recorded, else the summary's tokens_per_s. */
function runRate(s: Record<string, number>): number {
  const timed = Number.isFinite(s.timed_tokens) && Number.isFinite(s.timed_s) && s.timed_s > 0;
  return timed ? s.timed_tokens / s.timed_s : s.tokens_per_s;
}

/** Σ tokens ÷ Σ seconds over the timed steps of runs that record both, else null (older summaries). */
function pooledRate(rs: Record<string, number>[]): number | null {
  const ok = rs.filter((s) => Number.isFinite(s.timed_tokens) && Number.isFinite(s.timed_s) && s.timed_s > 0);
  if (ok.length === 0 || ok.length < rs.length) return null;
  return ok.reduce((n, s) => n + s.timed_tokens, 0) / ok.reduce((n, s) => n + s.timed_s, 0);
}

/** Per-run rates with their spread; the mean is the pooled rate where every run has timed steps. */
function rateSpread(rs: Record<string, number>[]): Spread {
  const s = spread(
    rs.map((r) => ({ rate: runRate(r) })),
    'rate',
  );
  const pooled = pooledRate(rs);
  return pooled === null ? s : { ...s, mean: pooled };
}

const ORDER = ['pretrain', 'full', 'lora', 'lisa'];
const tokens = (shape: string) => shape.split(' × ').reduce((p, x) => p * (Number(x) || 0), 1);

/**
 * One row per (preset, batch × seq, backend, method setting[, sweep]): only runs that can be compared are
 * pooled (K and seeds do not change memory). Finished runs with a summary only.
 */
export function measuredRows(runs: readonly MeasuredRunInput[], opts: MeasuredOptions = {}): MeasuredRow[] {
  type Head = Omit<MeasuredRow, 'n' | 'tensorMiB' | 'rssMiB' | 'wasmHeapMiB' | 'tokensPerS'>;
  const groups = new Map<string, { row: Head; runs: Record<string, number>[] }>();
  for (const r of runs) {
    if (!r.summary) continue;
    const preset = String(r.config.preset ?? '?');
    const shape = `${r.config.batch ?? '?'} × ${r.config.seq ?? '?'}`;
    const backend = r.backend ?? '?';
    const label = methodLabel(r.kind, r.config);
    const sweep = opts.bySweep ? (r.sweepName ?? r.sweepId ?? '(no sweep)') : null;
    const key = JSON.stringify([preset, shape, backend, label, opts.bySweep ? (r.sweepId ?? null) : null]);
    const g = groups.get(key) ?? { row: { preset, shape, backend, method: r.kind, label, sweep }, runs: [] };
    g.runs.push(r.summary);
    groups.set(key, g);
  }
  return [...groups.values()]
    .map(({ row, runs: rs }) => ({
      ...row,
      n: rs.length,
      tensorMiB: spread(rs, 'peak/tensor_bytes', 1 / MIB),
      rssMiB: spread(rs, 'peak/rss_bytes', 1 / MIB),
      wasmHeapMiB: spread(rs, 'peak/wasm_heap_bytes', 1 / MIB),
      tokensPerS: rateSpread(rs),
    }))
    .sort(
      (a, b) =>
        a.preset.localeCompare(b.preset) ||
        (a.sweep ?? '').localeCompare(b.sweep ?? '') ||
        tokens(a.shape) - tokens(b.shape) ||
        a.backend.localeCompare(b.backend) ||
        ORDER.indexOf(a.method) - ORDER.indexOf(b.method) ||
        a.label.localeCompare(b.label, undefined, { numeric: true }),
    );
}
