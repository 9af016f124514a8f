/**
 * The γ × K grid of an ablation table (lib/queries/table.ts AblationTable) for display: cells looked up by
 * (γ, K), a heat shade per cell from its mean (better = darker, on a light sequential blue scale that keeps
 * dark text readable), and the switch count per K column.
 */
import type { AblationTable, Comparison, TableRow } from '../queries/table';
import type { TableMetric } from '../queries/table-metric';
import type { Aggregate } from '../stats/aggregate';

/** The parts of the table API's JSON (lib/queries/table.ts) that the view reads. */
export type AblationRow = Pick<
  TableRow,
  | 'method'
  | 'label'
  | 'gamma'
  | 'interval'
  | 'switches'
  | 'steps'
  | 'excluded'
  | 'refused'
  | 'best'
  | 'lr'
  | 'lrChoice'
  | 'comparisons'
> & {
  stats: Pick<Aggregate, 'n' | 'nonFinite' | 'mean' | 'std'>;
};

export type AblationTableJson = Pick<AblationTable, 'sweepId' | 'gammas' | 'intervals' | 'caption'> & {
  metric: Pick<TableMetric, 'id' | 'key' | 'label' | 'better'>;
  cells: AblationRow[];
  baselines: AblationRow[];
};

const LIGHT = [247, 251, 255];
const DARK = [107, 174, 214];

/** Background for a value: t = 0 (worst) … 1 (best) between LIGHT and DARK. */
export function heatColour(t: number): string {
  const c = LIGHT.map((l, i) => Math.round(l + (DARK[i] - l) * Math.min(1, Math.max(0, t))));
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

/**
 * 0 … 1 goodness of `mean` on the range of the γ × K cells (baselines are clamped to it, so a far-off baseline
 * does not flatten the grid's contrast); the range of all rows when there are fewer than two cells.
 */
export function shader(table: AblationTableJson): (row: AblationRow) => string | undefined {
  const finite = (rows: AblationRow[]) => rows.map((r) => r.stats.mean).filter((m) => Number.isFinite(m));
  const means = finite(table.cells).length >= 2 ? finite(table.cells) : finite([...table.cells, ...table.baselines]);
  const lo = Math.min(...means);
  const hi = Math.max(...means);
  return (row) => {
    if (!Number.isFinite(row.stats.mean) || !(hi > lo)) return undefined;
    const t = (row.stats.mean - lo) / (hi - lo);
    return heatColour(table.metric.better === 'lower' ? 1 - t : t);
  };
}

/** The comparison of a LISA cell with the baseline labelled `baseline`; null when there is none. */
export function comparisonWith(row: AblationRow, baseline: string): Comparison | null {
  return row.comparisons.find((c) => c.baseline === baseline) ?? null;
}

export function cellAt(table: AblationTableJson, gamma: number, interval: number): AblationRow | null {
  return table.cells.find((c) => c.gamma === gamma && c.interval === interval) ?? null;
}

/** Switches (re-draws) for a K column: every cell in the column shares its step count in a grid sweep. */
export function switchesFor(table: AblationTableJson, interval: number): number | null {
  return table.cells.find((c) => c.interval === interval && c.switches !== null)?.switches ?? null;
}
