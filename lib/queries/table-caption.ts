/**
 * The ablation table's caption: what a cell is, how each row's learning rate was chosen, the optimizer-state
 * mode of the LISA runs, and how the paired intervals were made. One text for the view and every export.
 */
import { METHOD_NAMES } from '../runs/configuration';
import { BOOTSTRAP_FROM } from '../stats/paired';
import type { TableMetric } from './table-metric';

export interface LrSummary {
  /** 'LISA' for all cells together, else a baseline's label. */
  label: string;
  /** Every lr run, ascending (null: runs that do not record one). */
  values: (number | null)[];
  /** Whether some row of this entry chose among several lr values. */
  chosen: boolean;
}

export interface OptimizerStateSummary {
  /** Distinct modes of the LISA rows: keep | reset_blocks | reset_all | unrecorded. */
  modes: string[];
  mixed: boolean;
}

export interface CaptionInput {
  metric: TableMetric;
  selection: TableMetric;
  cells: unknown[];
  baselines: unknown[];
  lr: LrSummary[];
  optimizerState: OptimizerStateSummary;
  /** Some row's lower 95% bound fell below 0 for a quantity that cannot be negative and was clipped. */
  ciClipped?: boolean;
}

const lrText = (x: number | null) => (x === null ? 'not recorded' : String(x));

function lrPart(e: LrSummary, lisaCells: boolean): string {
  if (e.chosen) return `${e.label} best of lr ∈ {${e.values.map(lrText).join(', ')}}${lisaCells ? ' per cell' : ''}`;
  if (e.values.length === 1) return `${e.label} lr ${lrText(e.values[0])}`;
  return `${e.label} lr ∈ {${e.values.map(lrText).join(', ')}}`;
}

export function tableCaption(t: CaptionInput): string {
  const parts = [`${t.metric.label}, mean ± std over seeds (n = seeds counted); ${t.metric.better} is better.`];
  if (t.ciClipped) parts.push('95% CIs of the mean are clipped at 0 (the quantity cannot be negative).');
  if (t.lr.length) {
    const tuned = t.lr.some((e) => e.chosen);
    const list = t.lr.map((e) => lrPart(e, e.label === METHOD_NAMES.lisa && t.cells.length > 1)).join('; ');
    parts.push(`Learning rate: ${list}${tuned ? `; chosen on ${t.selection.label} (mean over seeds)` : ''}.`);
  }
  if (t.cells.length) {
    const { modes, mixed } = t.optimizerState;
    parts.push(
      mixed
        ? `Optimizer state at LISA switches: mixed (${modes.join(', ')}) — cells differ.`
        : `Optimizer state at LISA switches: ${modes[0]}.`,
    );
  }
  if (t.cells.length && t.baselines.length) {
    parts.push(
      'Δ = LISA − baseline, paired by seed, each at its chosen lr; 95% CI of the mean Δ: ' +
        `t with n − 1 df for n < ${BOOTSTRAP_FROM}, seeded bootstrap for n ≥ ${BOOTSTRAP_FROM}; ` +
        '† = the interval excludes 0; n = 1: no interval.',
    );
  }
  return parts.join(' ');
}
