/**
 * The γ × K ablation table of a sweep: runs grouped into configurations (lib/runs/configuration), one row per
 * LISA (γ, K) cell and per baseline (full; LoRA rank/alpha), aggregated over seeds (lib/stats/aggregate).
 * Finished and diverged runs count (a diverged run's NaN is counted as non-finite, not hidden); queued,
 * running, failed and cancelled runs are listed as `excluded`. Runs scored on another evaluation set than the
 * rest of their row (a different run_started eval-set hash) are `refused`, with the reason. K is the period in
 * steps; `switches` = ceil(steps / K) is the number of re-draws, the quantity the paper's ablation also calls K
 * (arXiv 2403.17919: with T = 122 steps its K values read best as numbers of re-draws).
 *
 * The learning rate is tuned, not part of a row's identity: when a configuration ran at several `lr` values,
 * its row is the lr with the best mean over seeds on the selection metric (final eval/loss unless told
 * otherwise), chosen per row — each LISA (γ, K) cell and each baseline gets its own best lr — and the others
 * are listed in `lrChoice.candidates`. Each LISA cell is then compared with each baseline, both at their
 * chosen lr, paired by seed (lib/stats/paired). Choosing and comparing on the same seeds favours every row a
 * little (the best of several noisy means); the caption says how the lr was chosen so readers can judge.
 */
import type Database from 'better-sqlite3';
import {
  compareConfigurations,
  configurationKey,
  configurationLabel,
  headlineOf,
  identityOf,
  METHOD_NAMES,
  settingsOf,
} from '../runs/configuration';
import { aggregate, type Aggregate } from '../stats/aggregate';
import { pairedDifference, type PairedDifference } from '../stats/paired';
import { tableCaption, type LrSummary, type OptimizerStateSummary } from './table-caption';
import { clipInterval, quantityOf } from '../format';
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
  /** LISA rows: the sampling rule (`uniform`, `bernoulli`, `importance`, `fixed`) and what a draw picks; else null. */
  sampling: string | null;
  granularity: string | null;
  /** LISA `fixed` rows: the list of blocks (or modules) trained; else null. */
  fixedBlocks: unknown[] | null;
  /** Config keys that differ from the method's other rows (e.g. {sampling: 'bernoulli'}); {} when none. */
  variant: Record<string, unknown>;
  runIds: string[];
  seeds: (number | null)[];
  /** Per counted run, in runIds order; NaN when the run has no value. */
  values: number[];
  /** Runs of this configuration not counted (not finished yet, failed or cancelled). */
  excluded: number;
  /** Runs left out because their evaluation set differs from the rest of the row's (see refuseMixedEvalSets). */
  refused: RefusedRun[];
  stats: Aggregate;
  best: boolean;
  /** The row's learning rate (the chosen one when several ran); null when the runs do not record one. */
  lr: number | null;
  /** Every lr this configuration ran at, with the selection metric's mean; one entry when lr was not swept. */
  lrChoice: LrCandidate[];
  /** LISA rows: optimizer state at a switch, `reset` read as `reset_all`; 'unrecorded' when absent. */
  optimizerState: string | null;
  /** LISA rows: this row − each baseline row (in `baselines` order), paired by seed. [] for baselines. */
  comparisons: Comparison[];
}

export interface RefusedRun {
  runId: string;
  seed: number | null;
  evalHash: string;
  /** One sentence for people: why the run is not counted. */
  reason: string;
}

export interface LrCandidate {
  lr: number | null;
  /** Seeds counted on the selection metric, and their mean (NaN when none). */
  n: number;
  mean: number;
  chosen: boolean;
}

export interface Comparison extends PairedDifference {
  /** The baseline's label. */
  baseline: string;
}

export interface AblationTable {
  sweepId: string;
  metric: TableMetric;
  /** What the lr of each row was chosen on. */
  selection: TableMetric;
  gammas: number[];
  intervals: number[];
  cells: TableRow[];
  baselines: TableRow[];
  /** Per method row kind: the lr values run, and whether the table chose among them. */
  lr: LrSummary[];
  optimizerState: OptimizerStateSummary;
  /** A row's lower 95% bound was below 0 for a quantity that cannot be negative, and was clipped at 0. */
  ciClipped: boolean;
  /** One paragraph saying what the numbers are: metric, lr choice, optimizer-state mode, interval method. */
  caption: string;
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
  evalHash: string | null;
  evalRecords: number | null;
}

/** Knobs the table shows in their own columns, never as a row's variant. */
const SHOWN = ['gamma', 'interval', 'rank', 'alpha', 'steps', 'method', 'sampling', 'granularity', 'fixed_blocks'];
const COUNTED = new Set(['finished', 'diverged']);

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

type RowCore = Omit<TableRow, 'label' | 'stats' | 'best' | 'lrChoice' | 'comparisons'>;

/** The configuration's label, then the knobs that set it apart from its method's other rows. */
function labelOf(r: RowCore): string {
  const extra = Object.entries(r.variant).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return [configurationLabel(r.method, r), ...extra].join(' ');
}

/** Knobs of one LISA sampling rule (absent under the others, lib/runs/configuration.ts settingsOf). */
const RULE_KNOBS = ['importance_score', 'importance_tau', 'importance_eps'];

/**
 * Keys whose values differ between groups of the same method (shown as the row's variant). A rule's own knobs
 * count only among the groups that have them: importance rows with one τ do not differ from uniform rows in τ.
 */
function varyingKeys(ids: Record<string, unknown>[]): string[] {
  const keys = new Set(ids.flatMap((c) => Object.keys(c)));
  const values = (k: string) => ids.filter((c) => !RULE_KNOBS.includes(k) || k in c).map((c) => JSON.stringify(c[k]));
  return [...keys].filter((k) => !SHOWN.includes(k) && new Set(values(k)).size > 1).sort();
}

interface Group {
  kind: string;
  id: Record<string, unknown>;
  config: Record<string, unknown>;
  /** lr (JSON of the value, 'null' when absent) → runs. */
  byLr: Map<string, RunRow[]>;
  refused: RefusedRun[];
}

const shortHash = (h: string) => h.slice(0, 12);

/**
 * Scores on different evaluation sets are not comparable, so a row keeps only the runs scored on its most
 * common set (ties: the set most common in the sweep, then the smaller hash); the others move out of
 * `byLr` into `refused`. Runs that recorded no hash (external trainers, older runs) are kept.
 */
function refuseMixedEvalSets(g: Group, sweepCount: Map<string, number>): void {
  const runs = [...g.byLr.values()].flat();
  const count = new Map<string, number>();
  for (const r of runs) if (r.evalHash) count.set(r.evalHash, (count.get(r.evalHash) ?? 0) + 1);
  if (count.size < 2) return;
  const [keep] = [...count.keys()].sort(
    (a, b) => count.get(b)! - count.get(a)! || sweepCount.get(b)! - sweepCount.get(a)! || a.localeCompare(b),
  );
  const kept = runs.find((r) => r.evalHash === keep)!;
  for (const [lr, list] of g.byLr) {
    for (const r of list.filter((x) => x.evalHash && x.evalHash !== keep)) {
      g.refused.push({
        runId: r.id,
        seed: r.seed,
        evalHash: r.evalHash!,
        reason:
          `run ${r.id} was evaluated on a different set (${r.evalRecords ?? '?'} records, hash ` +
          `${shortHash(r.evalHash!)}) than the rest of its row (${kept.evalRecords ?? '?'} records, hash ` +
          `${shortHash(keep)}), so its scores are not comparable and it is not counted`,
      });
    }
    const same = list.filter((x) => !x.evalHash || x.evalHash === keep);
    if (same.length > 0) g.byLr.set(lr, same);
    else g.byLr.delete(lr);
  }
}

const counted = (runs: RunRow[]) =>
  runs.filter((r) => COUNTED.has(r.status)).sort((a, b) => (a.seed ?? 0) - (b.seed ?? 0));

const better = (m: TableMetric, a: number, b: number) => (m.better === 'lower' ? a < b : a > b);

/** Every lr of a group with its selection-metric mean; the best mean is chosen (ties: the smaller lr). */
function chooseLr(g: Group, selected: Map<string, number>, selection: TableMetric): LrCandidate[] {
  const candidates = [...g.byLr].map(([key, runs]) => {
    const s = aggregate(counted(runs).map((r) => selected.get(r.id) ?? NaN));
    return { lr: JSON.parse(key) as number | null, n: s.n, mean: s.mean, chosen: false };
  });
  candidates.sort((a, b) => (a.lr ?? -Infinity) - (b.lr ?? -Infinity));
  let best = candidates[0];
  for (const c of candidates) if (c.n > 0 && (best.n === 0 || better(selection, c.mean, best.mean))) best = c;
  best.chosen = true;
  return candidates;
}

/**
 * The table for `metricId` (see table-metric.ts for ids), each row at the lr that is best on `selectionId`;
 * null when the sweep does not exist.
 */
export function ablationTable(
  sqlite: Database.Database,
  sweepId: string,
  metricId = 'eval/loss',
  selectionId = 'eval/loss',
): AblationTable | null {
  const metric = parseTableMetric(metricId);
  const selection = parseTableMetric(selectionId);
  if (!sqlite.prepare('SELECT 1 FROM sweeps WHERE id = ?').get(sweepId)) return null;
  const runs = sqlite
    .prepare(
      'SELECT id, kind, config, seed, gamma, interval, status, total_steps AS totalSteps, ' +
        'eval_hash AS evalHash, eval_records AS evalRecords ' +
        "FROM runs WHERE sweep_id = ? AND kind <> 'pretrain'",
    )
    .all(sweepId) as RunRow[];
  const values = metricValues(sqlite, sweepId, metric);
  const selected = selection.id === metric.id ? values : metricValues(sqlite, sweepId, selection);

  const groups = new Map<string, Group>();
  for (const run of runs) {
    const settings = { kind: run.kind, gamma: run.gamma, interval: run.interval, config: JSON.parse(run.config) };
    const config = settingsOf(settings);
    const id = identityOf(run.kind, config, { lr: false });
    const key = configurationKey(settings, { lr: false });
    const g = groups.get(key) ?? { kind: run.kind, id, config, byLr: new Map(), refused: [] };
    const lrKey = JSON.stringify(num(config.lr));
    g.byLr.set(lrKey, [...(g.byLr.get(lrKey) ?? []), run]);
    groups.set(key, g);
  }

  const sweepCount = new Map<string, number>();
  for (const r of runs) if (r.evalHash) sweepCount.set(r.evalHash, (sweepCount.get(r.evalHash) ?? 0) + 1);
  for (const g of groups.values()) refuseMixedEvalSets(g, sweepCount);

  const byKind = new Map<string, Record<string, unknown>[]>();
  for (const g of groups.values()) byKind.set(g.kind, [...(byKind.get(g.kind) ?? []), g.id]);
  const varying = new Map([...byKind].map(([k, ids]) => [k, varyingKeys(ids)]));

  const rows: TableRow[] = [...groups.values()].map((g) => {
    const lrChoice = chooseLr(g, selected, selection);
    const lr = lrChoice.find((c) => c.chosen)!.lr;
    const all = g.byLr.get(JSON.stringify(lr))!;
    const done = counted(all);
    const vals = done.map((r) => values.get(r.id) ?? NaN);
    const steps = num(g.config.steps) ?? all[0].totalSteps;
    const { gamma, interval, rank, alpha, sampling, granularity, fixedBlocks } = headlineOf(g.kind, g.config);
    const row: RowCore = {
      method: g.kind,
      gamma,
      interval,
      switches: interval && steps ? Math.ceil(steps / interval) : null,
      steps,
      rank,
      alpha,
      sampling,
      granularity,
      fixedBlocks: fixedBlocks ?? null,
      variant: Object.fromEntries(
        (varying.get(g.kind) ?? [])
          .filter((k) => !RULE_KNOBS.includes(k) || k in g.id)
          .map((k) => [k, g.id[k] ?? null]),
      ),
      runIds: done.map((r) => r.id),
      seeds: done.map((r) => r.seed),
      values: vals,
      excluded: all.length - done.length,
      refused: g.refused,
      lr,
      optimizerState: g.kind === 'lisa' ? (g.id.optimizer_state as string) : null,
    };
    return { ...row, label: labelOf(row), stats: aggregate(vals), best: false, lrChoice, comparisons: [] };
  });

  const order = (a: TableRow, b: TableRow) => compareConfigurations({ ...a, kind: a.method }, { ...b, kind: b.method });
  const cells = rows.filter((r) => r.method === 'lisa').sort(order);
  const baselines = rows.filter((r) => r.method !== 'lisa').sort(order);
  for (const c of cells) c.comparisons = baselines.map((b) => ({ baseline: b.label, ...pairedDifference(c, b) }));

  markBest([...cells, ...baselines], metric);
  const ciClipped = clipIntervals([...cells, ...baselines], metric);

  const distinct = (xs: (number | null)[]) =>
    [...new Set(xs.filter((x): x is number => x !== null))].sort((a, b) => a - b);
  const lr = lrSummary(cells, baselines);
  const modes = [...new Set(cells.map((c) => c.optimizerState!))].sort();
  const optimizerState: OptimizerStateSummary = { modes, mixed: modes.length > 1 };
  const table = {
    sweepId,
    metric,
    selection,
    gammas: distinct(cells.map((c) => c.gamma)),
    intervals: distinct(cells.map((c) => c.interval)),
    cells,
    baselines,
    lr,
    optimizerState,
    ciClipped,
  };
  return { ...table, caption: tableCaption(table) };
}

/**
 * A quantity that cannot be negative (a loss, perplexity, accuracy, memory, time, throughput: lib/format.ts) gets
 * no negative lower 95% bound: it is clipped at 0 (the t interval of few seeds can reach far below). True when any
 * row's bound was clipped, so the caption says so.
 */
function clipIntervals(rows: TableRow[], metric: TableMetric): boolean {
  const quantity = quantityOf(metric.key);
  let clipped = false;
  for (const r of rows) {
    const ci = clipInterval(r.stats.ci95, quantity);
    if (ci[0] !== r.stats.ci95[0]) {
      r.stats = { ...r.stats, ci95: ci };
      clipped = true;
    }
  }
  return clipped;
}

/**
 * Marks the row with the best finite mean; none when that mean is shared (a tie, e.g. every accuracy 0, has no
 * winner to mark). Means equal to 12 significant digits are a tie.
 */
function markBest(rows: TableRow[], metric: TableMetric): void {
  const scored = rows.filter((r) => r.stats.n > 0 && Number.isFinite(r.stats.mean));
  let best: TableRow | null = null;
  for (const r of scored) if (!best || better(metric, r.stats.mean, best.stats.mean)) best = r;
  if (!best) return;
  const m = best.stats.mean;
  const tied = scored.filter((r) => Math.abs(r.stats.mean - m) <= 1e-12 * Math.max(1, Math.abs(m)));
  if (tied.length === 1) best.best = true;
}

/** LISA as one entry (its cells' lr values together), then one entry per baseline row. */
function lrSummary(cells: TableRow[], baselines: TableRow[]): LrSummary[] {
  const entry = (label: string, rows: TableRow[]): LrSummary => {
    const values = [...new Set(rows.flatMap((r) => r.lrChoice.map((c) => c.lr)))].sort(
      (a, b) => (a ?? -Infinity) - (b ?? -Infinity),
    );
    return { label, values, chosen: rows.some((r) => r.lrChoice.length > 1) };
  };
  return [...(cells.length ? [entry(METHOD_NAMES.lisa, cells)] : []), ...baselines.map((b) => entry(b.label, [b]))];
}
