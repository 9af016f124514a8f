/**
 * The grid of an ablation table (lib/queries/table.ts AblationTable) for display: by default γ × K, or any two of
 * the knobs its LISA cells differ in (γ, K, sampling rule, granularity, other knobs) as rows and columns, the rest
 * as facets (one grid per combination); a heat shade per cell from its mean (better = darker, on a light
 * sequential blue scale that keeps dark text readable), and the switch count per K column.
 */
import type { AblationTable, Comparison, TableRow } from '../queries/table';
import type { TableMetric } from '../queries/table-metric';
import { quantityOf, spreadParts } from '../format';
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
> &
  Partial<Pick<TableRow, 'sampling' | 'granularity' | 'variant'>> & {
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

/** Axes by name: γ and K, the sampling rule and granularity, or a knob of the rows' `variant`. */
export const AXIS_NAMES: Record<string, string> = {
  gamma: 'γ (active units)',
  interval: 'K (period)',
  sampling: 'sampling',
  granularity: 'granularity',
};

const FIXED_AXES = ['gamma', 'interval', 'sampling', 'granularity'];
const VALUE_ORDER = ['uniform', 'bernoulli', 'importance', 'fixed', 'block', 'module'];

/** A cell's value on an axis, as text (`?` when not recorded). */
export function axisValue(row: AblationRow, axis: string): string {
  const v = FIXED_AXES.includes(axis) ? row[axis as 'gamma' | 'sampling'] : row.variant?.[axis];
  if (v === null || v === undefined) return '?';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function sortValues(values: string[]): string[] {
  const rank = (v: string) => {
    const i = VALUE_ORDER.indexOf(v);
    return i < 0 ? VALUE_ORDER.length : i;
  };
  return values.sort((a, b) => {
    const [x, y] = [Number(a), Number(b)];
    if (Number.isFinite(x) && Number.isFinite(y)) return x - y;
    return rank(a) - rank(b) || a.localeCompare(b);
  });
}

/** Every axis the table could lay out, and the values its cells take on each, in display order. */
export function tableAxes(table: AblationTableJson): { axis: string; values: string[] }[] {
  const variants = [...new Set(table.cells.flatMap((c) => Object.keys(c.variant ?? {})))].sort();
  return [...FIXED_AXES, ...variants].map((axis) => ({
    axis,
    values: sortValues([...new Set(table.cells.map((c) => axisValue(c, axis)))]),
  }));
}

/** Rows and columns by default: the first two axes the cells differ in (γ, K, sampling, granularity, …). */
export function defaultAxes(table: AblationTableJson): { rows: string; cols: string } {
  const varying = tableAxes(table)
    .filter((a) => a.values.length > 1)
    .map((a) => a.axis);
  const rows = varying[0] ?? 'gamma';
  const cols = varying.find((a) => a !== rows) ?? (rows === 'interval' ? 'gamma' : 'interval');
  return { rows, cols };
}

export interface Facet {
  /** `sampling = importance, granularity = module`; '' when the table has one facet. */
  title: string;
  rows: string[];
  cols: string[];
  cell: (row: string, col: string) => AblationRow | null;
}

/**
 * The cells laid out with `rows` × `cols`; every other axis the cells differ in splits them into facets, one
 * grid per combination of its values.
 */
export function pivot(table: AblationTableJson, rows: string, cols: string): Facet[] {
  const axes = tableAxes(table);
  const values = (axis: string) => axes.find((a) => a.axis === axis)?.values ?? ['?'];
  const others = axes.filter((a) => a.axis !== rows && a.axis !== cols && a.values.length > 1);
  const facetKey = (c: AblationRow) => others.map((a) => axisValue(c, a.axis)).join('\u0000');
  const keys = [...new Set(table.cells.map(facetKey))];
  const ordered = keys.sort((a, b) => {
    const [x, y] = [a.split('\u0000'), b.split('\u0000')];
    for (let i = 0; i < others.length; i++) {
      const d = others[i].values.indexOf(x[i]) - others[i].values.indexOf(y[i]);
      if (d) return d;
    }
    return 0;
  });
  return ordered.map((key) => {
    const cells = table.cells.filter((c) => facetKey(c) === key);
    const parts = key === '' ? [] : key.split('\u0000');
    return {
      title: others.map((a, i) => `${AXIS_NAMES[a.axis] ?? a.axis} = ${parts[i]}`).join(', '),
      rows: values(rows),
      cols: values(cols),
      cell: (r, c) => cells.find((x) => axisValue(x, rows) === r && axisValue(x, cols) === c) ?? null,
    };
  });
}

export interface CellDisplay {
  /** The ★ best-marker (the table marks at most one row, none on a tie). */
  best: boolean;
  /** "4.8697 ± 0.0061", "4.87" (one seed), "running" (no value yet, runs going on) or "—". */
  value: string;
  /** "(n = 2)", "(n = 2, +1 NaN)"; '' when nothing is counted yet. */
  count: string;
}

/**
 * A table cell's text as the page shows it: the metric's quantity formatter (lib/format.ts: MiB for bytes, the mean
 * to the precision of its spread), exactly as the Markdown and LaTeX exports print it. A row with no counted run
 * reads "running" while its runs go on and "—" otherwise, never "NaN (n = 0)".
 */
export function cellDisplay(row: AblationRow, metricKey: string, live: boolean): CellDisplay {
  const s = row.stats;
  const p = spreadParts(s, quantityOf(metricKey));
  const nan = s.nonFinite ? `, +${s.nonFinite} NaN` : '';
  if (!p) {
    const value = live && row.excluded > 0 ? 'running' : '—';
    return { best: false, value, count: nan ? `(n = 0${nan})` : '' };
  }
  return { best: row.best, value: p.std === null ? p.mean : `${p.mean} ± ${p.std}`, count: `(n = ${s.n}${nan})` };
}
