/**
 * Memory and speed view: measured peak memory and throughput per method from finished runs, and the
 * analytic planner at paper scale laid out like the LISA paper's Table 1 (paper value beside ours).
 * Pure: the page reads the runs, this groups and computes.
 */
import { estimateMemory, type Precision } from '../estimate/memory';
import { PAPER_TABLE1, TABLE1_CALIBRATION, TABLE1_COLUMNS, TABLE1_COLUMN_LABELS, table1Input, type Table1Column, type Table1Value } from '../estimate/paper-table1';
import { PAPER_MODELS, type PaperModel } from '../estimate/shapes';

export interface MeasuredRunInput {
  kind: string;
  config: Record<string, unknown>;
  backend: string | null;
  summary: Record<string, number> | null;
}

export interface MeasuredRow {
  preset: string;
  backend: string;
  method: string;
  label: string;
  n: number;
  /** Means over the group's runs; NaN when no run reported it. */
  peakTensorBytes: number;
  peakRssBytes: number;
  peakWasmHeapBytes: number;
  tokensPerS: number;
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

function methodLabel(kind: string, c: Record<string, unknown>): string {
  if (kind === 'lisa') return `LISA γ=${c.gamma ?? '?'}`;
  if (kind === 'lora') return `LoRA r=${c.rank ?? '?'}`;
  if (kind === 'full') return 'Full';
  if (kind === 'pretrain') return 'Pretrain (full)';
  return kind;
}

const ORDER = ['pretrain', 'full', 'lora', 'lisa'];

/** Σ tokens ÷ Σ seconds over the timed steps of runs that record both, else null (older summaries). */
function pooledRate(rs: Record<string, number>[]): number | null {
  const ok = rs.filter((s) => Number.isFinite(s.timed_tokens) && Number.isFinite(s.timed_s) && s.timed_s > 0);
  if (ok.length === 0 || ok.length < rs.length) return null;
  return ok.reduce((n, s) => n + s.timed_tokens, 0) / ok.reduce((n, s) => n + s.timed_s, 0);
}

/** One row per (preset, backend, method setting); K and seeds pooled (they do not change memory). */
export function measuredRows(runs: readonly MeasuredRunInput[]): MeasuredRow[] {
  const groups = new Map<string, { row: Omit<MeasuredRow, 'n' | 'peakTensorBytes' | 'peakRssBytes' | 'peakWasmHeapBytes' | 'tokensPerS'>; runs: Record<string, number>[] }>();
  for (const r of runs) {
    if (!r.summary) continue;
    const preset = String(r.config.preset ?? '?');
    const backend = r.backend ?? '?';
    const label = methodLabel(r.kind, r.config);
    const key = `${preset}|${backend}|${label}`;
    const g = groups.get(key) ?? { row: { preset, backend, method: r.kind, label }, runs: [] };
    g.runs.push(r.summary);
    groups.set(key, g);
  }
  const pick = (rs: Record<string, number>[], k: string) => mean(rs.map((s) => s[k]).filter((v) => typeof v === 'number' && Number.isFinite(v)));
  return [...groups.values()]
    .map(({ row, runs: rs }) => ({
      ...row,
      n: rs.length,
      peakTensorBytes: pick(rs, 'peak/tensor_bytes'),
      peakRssBytes: pick(rs, 'peak/rss_bytes'),
      peakWasmHeapBytes: pick(rs, 'peak/wasm_heap_bytes'),
      tokensPerS: pooledRate(rs) ?? pick(rs, 'tokens_per_s'),
    }))
    .sort((a, b) => a.preset.localeCompare(b.preset) || a.backend.localeCompare(b.backend)
      || ORDER.indexOf(a.method) - ORDER.indexOf(b.method) || a.label.localeCompare(b.label, undefined, { numeric: true }));
}

export interface PlannerCell {
  column: Table1Column;
  label: string;
  /** GiB per GPU. */
  predicted: number;
  predictedOom: boolean;
  paper: Table1Value | null;
  relError: number | null;
  breakdown: { weights: number; grads: number; optimizer: number; activations: number; overhead: number };
}

export interface PlannerRow {
  model: PaperModel;
  name: string;
  cells: PlannerCell[];
}

export interface PlannerOptions {
  /** Override the paper calibration (sequence 512, batch 1, bf16). */
  seq?: number;
  batch?: number;
  precision?: Precision;
}

export const PLANNER_DEFAULTS = { seq: TABLE1_CALIBRATION.seq, batch: 1, precision: 'half' as Precision };

/** Every model × Table 1 column; the paper's value is shown only for the calibration it was measured at. */
export function plannerTable(options: PlannerOptions = {}): PlannerRow[] {
  const o = { ...PLANNER_DEFAULTS, ...options };
  const isPaperSetting = o.seq === PLANNER_DEFAULTS.seq && o.batch === 1 && o.precision === 'half';
  const gib = TABLE1_CALIBRATION.unitBytes;
  return (Object.keys(PAPER_MODELS) as PaperModel[]).map((model) => {
    const paperRow = PAPER_TABLE1.find((r) => r.model === model);
    return {
      model,
      name: PAPER_MODELS[model].name,
      cells: TABLE1_COLUMNS.map((column, i) => {
        const input = table1Input(model, column);
        const custom = model === 'llama-2-70b' && o.seq === PLANNER_DEFAULTS.seq ? {} : { seq: o.seq };
        const m = estimateMemory({ ...input, ...custom, batch: o.batch, precision: o.precision });
        const predicted = m.peakBytes / gib;
        const paper = isPaperSetting ? paperRow?.values[i] ?? null : null;
        const b = m.breakdown;
        return {
          column, label: TABLE1_COLUMN_LABELS[column], predicted,
          predictedOom: m.peakBytes > TABLE1_CALIBRATION.gpuCapacityBytes,
          paper,
          relError: typeof paper === 'number' ? (predicted - paper) / paper : null,
          breakdown: { weights: b.weights / gib, grads: b.grads / gib, optimizer: b.optimizer / gib, activations: b.activations / gib, overhead: b.overhead / gib },
        };
      }),
    };
  });
}
