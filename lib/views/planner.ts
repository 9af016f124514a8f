/**
 * The memory planner: the analytic estimate (lib/estimate/memory.ts) at paper scale, laid out like the LISA
 * paper's Table 1 (paper value beside ours). Pure.
 */
import { estimateMemory, type Precision } from '../estimate/memory';
import {
  PAPER_TABLE1,
  TABLE1_CALIBRATION,
  TABLE1_COLUMNS,
  TABLE1_COLUMN_LABELS,
  table1Input,
  type Table1Column,
  type Table1Value,
} from '../estimate/paper-table1';
import { PAPER_MODELS, type PaperModel } from '../estimate/shapes';

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
        const paper = isPaperSetting ? (paperRow?.values[i] ?? null) : null;
        const b = m.breakdown;
        return {
          column,
          label: TABLE1_COLUMN_LABELS[column],
          predicted,
          predictedOom: m.peakBytes > TABLE1_CALIBRATION.gpuCapacityBytes,
          paper,
          relError: typeof paper === 'number' ? (predicted - paper) / paper : null,
          breakdown: {
            weights: b.weights / gib,
            grads: b.grads / gib,
            optimizer: b.optimizer / gib,
            activations: b.activations / gib,
            overhead: b.overhead / gib,
          },
        };
      }),
    };
  });
}
