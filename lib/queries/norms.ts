/**
 * Layer-norm reads: the groups × steps matrix (downsampled along steps, mean per cell) and per-group
 * aggregates "mean over steps", "last" and "at step t" (nearest recorded step ≤ t), for one quantity:
 * weight = ‖W₀+ΔW‖, update = ‖ΔW‖, trainable = ‖trainable params‖, grad = ‖∇‖ (only steps where the group
 * trained). Cells: null = nothing recorded there, NaN = a NaN was recorded (serialise with toJson).
 */
import type Database from 'better-sqlite3';
import type { LayerNormQuantity } from '../protocol';
import { isModule, sortModelOrder, type GroupRow } from './norm-order';
import { planBuckets } from './series';

export type NormAgg = 'mean' | 'last' | 'step';

export interface NormOptions {
  /** Include module rows (`block.3/attn.q`) instead of layer groups only. */
  modules?: boolean;
}

const COLUMN: Record<LayerNormQuantity, string> = {
  weight: 'weight',
  update: '"update"',
  trainable: 'trainable',
  grad: 'grad',
};

function where(quantity: LayerNormQuantity): string {
  return quantity === 'grad' ? 'group_id = ? AND has_grad = 1' : 'group_id = ?';
}

export function normGroups(sqlite: Database.Database, runId: string, options: NormOptions = {}): GroupRow[] {
  const rows = sqlite.prepare('SELECT id, name, position FROM norm_groups WHERE run_id = ?').all(runId) as GroupRow[];
  return sortModelOrder(rows.filter((r) => isModule(r.name) === (options.modules ?? false)));
}

export interface NormMatrix {
  runId: string;
  quantity: LayerNormQuantity;
  /** Row labels, model order. */
  groups: string[];
  bucketSteps: number;
  /** Column c covers steps [columns[c].fromStep, columns[c].toStep]. */
  columns: { fromStep: number; toStep: number }[];
  /** values[g][c]: mean of the recorded values; null when none recorded, NaN when only NaN. */
  values: (number | null)[][];
}

export interface MatrixOptions extends NormOptions {
  /** Maximum columns (default 200). */
  points?: number;
  from?: number;
  to?: number;
}

export function normMatrix(
  sqlite: Database.Database,
  runId: string,
  quantity: LayerNormQuantity,
  options: MatrixOptions = {},
): NormMatrix {
  const groups = normGroups(sqlite, runId, options);
  const cond = where(quantity);
  const edge = (dir: 'ASC' | 'DESC') =>
    sqlite.prepare(`SELECT step FROM norm_points WHERE ${cond} ORDER BY step ${dir} LIMIT 1`).pluck();
  const firstOf = edge('ASC');
  const lastOf = edge('DESC');
  let first = Infinity;
  let last = -Infinity;
  for (const g of groups) {
    const f = firstOf.get(g.id) as number | undefined;
    const l = lastOf.get(g.id) as number | undefined;
    if (f !== undefined) first = Math.min(first, f);
    if (l !== undefined) last = Math.max(last, l);
  }
  first = Math.max(first, options.from ?? -Infinity);
  last = Math.min(last, options.to ?? Infinity);
  const empty: NormMatrix = {
    runId,
    quantity,
    groups: groups.map((g) => g.name),
    bucketSteps: 1,
    columns: [],
    values: groups.map(() => []),
  };
  if (!(first <= last)) return empty;

  const width = planBuckets(first, last, options.points ?? 200).bucketSteps;
  const c0 = Math.floor(first / width);
  const nCols = Math.floor(last / width) - c0 + 1;
  const columns = Array.from({ length: nCols }, (_, c) => ({
    fromStep: (c0 + c) * width,
    toStep: (c0 + c + 1) * width - 1,
  }));
  // Bucketing in SQL returns one row per cell instead of one per step: ~2x faster than reading every step
  // into JS (row objects dominate). The width is bound as a BigInt so `step / ?` is integer division.
  const col = COLUMN[quantity];
  const read = sqlite
    .prepare(
      `SELECT step / ? AS c, avg(${col}), count(${col}) FROM norm_points WHERE ${cond} AND step BETWEEN ? AND ` +
        `? GROUP BY c`,
    )
    .raw();
  const values = groups.map((g) => {
    const row: (number | null)[] = new Array(nCols).fill(null);
    for (const [c, mean, n] of read.all(BigInt(width), g.id, first, last) as [number, number | null, number][]) {
      row[c - c0] = n > 0 ? mean : NaN;
    }
    return row;
  });
  // Norms are logged every `norms_every` steps, so a bucket narrower than that can hold no step at all:
  // drop such columns rather than draw empty stripes.
  const kept = columns.map((_, c) => values.some((row) => row[c] !== null));
  return {
    runId,
    quantity,
    groups: groups.map((g) => g.name),
    bucketSteps: width,
    columns: columns.filter((_, c) => kept[c]),
    values: values.map((row) => row.filter((_, c) => kept[c])),
  };
}

export interface NormAggregateRow {
  group: string;
  /** NaN when only NaN was recorded; null when nothing was recorded (at or before the step). */
  value: number | null;
  /** Step of the value for last/step; for mean, the last step averaged. */
  step: number | null;
  /** Values averaged (mean) or 1. */
  n: number;
  nanCount: number;
}

/**
 * One value per group: the paper's Fig. 2 quantity is agg = 'mean' (1/T Σ_t ‖θ_t‖ over recorded steps,
 * NaN steps left out and counted). 'step' takes the nearest recorded step ≤ `step`; 'last' the last one.
 */
export function normAggregates(
  sqlite: Database.Database,
  runId: string,
  quantity: LayerNormQuantity,
  agg: NormAgg,
  step?: number,
  options: NormOptions = {},
): NormAggregateRow[] {
  const col = COLUMN[quantity];
  const cond = where(quantity);
  if (agg === 'step' && (step === undefined || !Number.isFinite(step))) throw new RangeError("agg 'step' needs a step");
  const mean = sqlite.prepare(
    `SELECT avg(${col}) AS value, count(${col}) AS n, count(*) - count(${col}) AS nanCount, max(step) AS step ` +
      `FROM norm_points WHERE ${cond}`,
  );
  const at = sqlite.prepare(
    `SELECT ${col} AS value, step FROM norm_points WHERE ${cond} AND step <= ? ORDER BY step DESC LIMIT 1`,
  );
  return normGroups(sqlite, runId, options).map((g) => {
    if (agg === 'mean') {
      const r = mean.get(g.id) as { value: number | null; n: number; nanCount: number; step: number | null };
      return {
        group: g.name,
        value: r.n > 0 ? r.value : r.nanCount > 0 ? NaN : null,
        step: r.step,
        n: r.n,
        nanCount: r.nanCount,
      };
    }
    const r = at.get(g.id, agg === 'last' ? Number.MAX_SAFE_INTEGER : step) as
      | { value: number | null; step: number }
      | undefined;
    if (!r) return { group: g.name, value: null, step: null, n: 0, nanCount: 0 };
    return {
      group: g.name,
      value: r.value ?? NaN,
      step: r.step,
      n: r.value === null ? 0 : 1,
      nanCount: r.value === null ? 1 : 0,
    };
  });
}

/**
 * GET /api/sweeps/:id/norms: each fine-tuning run's per-group aggregate (the inputs of the paper's Figure 2).
 * The route answers it, and the Figure-2 page seeds its first render with it.
 */
export function sweepNorms(
  sqlite: Database.Database,
  sweepId: string,
  runIds: readonly string[],
  quantity: LayerNormQuantity,
  agg: NormAgg,
  step?: number,
) {
  return {
    sweepId,
    quantity,
    agg,
    step: step ?? null,
    runs: runIds.map((runId) => ({ runId, groups: normAggregates(sqlite, runId, quantity, agg, step) })),
  };
}
