/**
 * The γ × K ablation table of a sweep: runs grouped by everything except the seed, one row per LISA
 * (γ, K) cell and per baseline (full; LoRA rank/alpha), aggregated over seeds (lib/stats/aggregate).
 * Finished and diverged runs count (a diverged run's NaN is counted as non-finite, not hidden); queued,
 * running, failed and cancelled runs are listed as `excluded`. K is the period in steps; `switches` =
 * ceil(steps / K) is the number of re-draws, the quantity the paper's ablation also calls K (RESEARCH.md).
 */
import type Database from 'better-sqlite3';
import { aggregate, type Aggregate } from '../stats/aggregate';
import { metricValues, parseTableMetric, type TableMetric } from './table-metric';

export interface TableRow {
  /** Run kind: lisa | full | lora | external. */
  method: string;
  label: string;
  gamma: number | null;
  interval: number | null;
  switches: number | null;
  steps: number | null;
  rank: number | null;
  alpha: number | null;
  /** Config keys that differ from the method's other rows (e.g. {sampling: 'bernoulli'}); {} when none. */
  variant: Record<string, unknown>;
  runIds: string[];
  seeds: (number | null)[];
  /** Per counted run, in runIds order; NaN when the run has no value. */
  values: number[];
  /** Runs of this configuration not counted (not finished yet, failed or cancelled). */
  excluded: number;
  stats: Aggregate;
  best: boolean;
}

export interface AblationTable {
  sweepId: string;
  metric: TableMetric;
  gammas: number[];
  intervals: number[];
  cells: TableRow[];
  baselines: TableRow[];
}

interface RunRow {
  id: string;
  kind: string;
  config: string;
  seed: number | null;
  gamma: number | null;
  interval: number | null;
  status: string;
  totalSteps: number | null;
}

/** Never part of a configuration's identity: the seed, and per-run paths. */
const RUN_SPECIFIC = ['seed', 'out', 'base', 'resume'];
const LISA_KNOBS = ['gamma', 'interval', 'sampling', 'optimizer_state'];
const LORA_KNOBS = ['rank', 'alpha', 'lora_targets', 'lora_train_embed'];
/** Knobs that mean nothing for a method (a full run's config may still carry gamma's default). */
const IRRELEVANT: Record<string, string[]> = { full: [...LISA_KNOBS, ...LORA_KNOBS], lora: LISA_KNOBS, lisa: LORA_KNOBS };
const SHOWN = ['gamma', 'interval', 'rank', 'alpha', 'steps', 'method'];
const COUNTED = new Set(['finished', 'diverged']);

function identity(kind: string, config: Record<string, unknown>): Record<string, unknown> {
  const drop = new Set([...RUN_SPECIFIC, ...(IRRELEVANT[kind] ?? [])]);
  return Object.fromEntries(Object.entries(config).filter(([k]) => !drop.has(k)).sort(([a], [b]) => a.localeCompare(b)));
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function labelOf(r: Omit<TableRow, 'label' | 'stats' | 'best'>): string {
  const extra = Object.entries(r.variant).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  const base =
    r.method === 'lisa' ? `LISA γ=${r.gamma ?? '?'} K=${r.interval ?? '?'}`
    : r.method === 'full' ? 'Full'
    : r.method === 'lora' ? `LoRA r=${r.rank ?? '?'} α=${r.alpha ?? '?'}`
    : r.method;
  return [base, ...extra].join(' ');
}

/** Keys whose values differ between groups of the same method (shown as the row's variant). */
function varyingKeys(ids: Record<string, unknown>[]): string[] {
  const keys = new Set(ids.flatMap((c) => Object.keys(c)));
  return [...keys].filter((k) => !SHOWN.includes(k) && new Set(ids.map((c) => JSON.stringify(c[k]))).size > 1).sort();
}

/** The table for `metric` (see table-metric.ts for ids); null when the sweep does not exist. */
export function ablationTable(sqlite: Database.Database, sweepId: string, metricId = 'eval/loss'): AblationTable | null {
  const metric = parseTableMetric(metricId);
  if (!sqlite.prepare('SELECT 1 FROM sweeps WHERE id = ?').get(sweepId)) return null;
  const runs = sqlite
    .prepare("SELECT id, kind, config, seed, gamma, interval, status, total_steps AS totalSteps FROM runs WHERE sweep_id = ? AND kind <> 'pretrain'")
    .all(sweepId) as RunRow[];
  const values = metricValues(sqlite, sweepId, metric);

  const groups = new Map<string, { kind: string; id: Record<string, unknown>; config: Record<string, unknown>; runs: RunRow[] }>();
  for (const run of runs) {
    const config = JSON.parse(run.config) as Record<string, unknown>;
    if (run.gamma !== null) config.gamma = run.gamma;
    if (run.interval !== null) config.interval = run.interval;
    const id = identity(run.kind, config);
    const key = `${run.kind}\u0000${JSON.stringify(id)}`;
    const g = groups.get(key) ?? { kind: run.kind, id, config, runs: [] };
    g.runs.push(run);
    groups.set(key, g);
  }

  const byKind = new Map<string, Record<string, unknown>[]>();
  for (const g of groups.values()) byKind.set(g.kind, [...(byKind.get(g.kind) ?? []), g.id]);
  const varying = new Map([...byKind].map(([k, ids]) => [k, varyingKeys(ids)]));

  const rows: TableRow[] = [...groups.values()].map((g) => {
    const counted = g.runs.filter((r) => COUNTED.has(r.status)).sort((a, b) => (a.seed ?? 0) - (b.seed ?? 0));
    const vals = counted.map((r) => values.get(r.id) ?? NaN);
    const steps = num(g.config.steps) ?? g.runs[0].totalSteps;
    const interval = g.kind === 'lisa' ? num(g.config.interval) : null;
    const row = {
      method: g.kind,
      gamma: g.kind === 'lisa' ? num(g.config.gamma) : null,
      interval,
      switches: interval && steps ? Math.ceil(steps / interval) : null,
      steps,
      rank: g.kind === 'lora' ? num(g.config.rank) : null,
      alpha: g.kind === 'lora' ? num(g.config.alpha) : null,
      variant: Object.fromEntries((varying.get(g.kind) ?? []).map((k) => [k, g.id[k] ?? null])),
      runIds: counted.map((r) => r.id),
      seeds: counted.map((r) => r.seed),
      values: vals,
      excluded: g.runs.length - counted.length,
    };
    return { ...row, label: labelOf(row), stats: aggregate(vals), best: false };
  });

  const cmp = (a: number | null, b: number | null) => (a ?? Infinity) - (b ?? Infinity);
  const methodOrder = (m: string) => {
    const i = ['full', 'lora'].indexOf(m);
    return i < 0 ? 99 : i;
  };
  const cells = rows.filter((r) => r.method === 'lisa').sort((a, b) => cmp(a.gamma, b.gamma) || cmp(a.interval, b.interval) || a.label.localeCompare(b.label));
  const baselines = rows
    .filter((r) => r.method !== 'lisa')
    .sort((a, b) => methodOrder(a.method) - methodOrder(b.method) || cmp(a.rank, b.rank) || cmp(a.alpha, b.alpha) || a.label.localeCompare(b.label));

  let best: TableRow | null = null;
  for (const r of [...cells, ...baselines]) {
    if (r.stats.n === 0) continue;
    if (!best || (metric.better === 'lower' ? r.stats.mean < best.stats.mean : r.stats.mean > best.stats.mean)) best = r;
  }
  if (best) best.best = true;

  const distinct = (xs: (number | null)[]) => [...new Set(xs.filter((x): x is number => x !== null))].sort((a, b) => a - b);
  return { sweepId, metric, gammas: distinct(cells.map((c) => c.gamma)), intervals: distinct(cells.map((c) => c.interval)), cells, baselines };
}
