/**
 * The URL state of the sweep's curves and Figure-2 views and the API reads of their first render, defined once:
 * the client views read and fetch them, and the pages' server components read the same state from the request
 * to seed those reads and draw the charts' first picture (app/components/page-data.ts).
 */

import { BANDS, type BandKind } from './bands';

/** Curves view: training metric, eval metric, band, EMA smoothing, log y, per-seed traces. */
export const CURVES_STATE = { m: 'train/loss', e: 'eval/loss', b: 'std', s: '0', log: '0', t: '0' };
/** Figure-2 view: quantity, aggregation, step, heat-map run and quantity, per-row scale, LISA run. */
export const NORMS_STATE = { q: 'trainable', a: 'mean', t: '', r: '', h: 'update', n: '0', l: '' };

/** Chart heights in pixels: the client draws at these, the server its first picture. */
export const CURVES_CHART_HEIGHT = 380;
export const FIGURE2_CHART_HEIGHT = 400;

/** How the curves view's state draws its charts (an unknown band is the default). */
export function curvesDrawing(st: Record<keyof typeof CURVES_STATE, string>): {
  band: BandKind;
  smoothing: number;
  log: boolean;
  seeds: boolean;
} {
  return {
    band: (BANDS as readonly string[]).includes(st.b) ? (st.b as BandKind) : 'std',
    smoothing: Number(st.s) || 0,
    log: st.log === '1',
    seeds: st.t === '1',
  };
}

export const sweepPath = (id: string) => `/api/sweeps/${id}`;

/** react-query keys of these reads: a key names its run or sweep, so a run's end refetches it (app/components/live). */
export const sweepKey = (id: string) => ['sweep', id];
export const sweepSeriesKey = (id: string, metric: string) => ['sweep-series', id, metric];
export const sweepNormsKey = (id: string, st: { q: string; a: string; t: string }) => [
  'sweep-norms',
  id,
  st.q,
  normsAggregation(st),
  st.t,
];

/** Buckets a sweep chart asks for: about one per 4 pixels of a chart's width. */
export const SWEEP_SERIES_POINTS = 300;

export const sweepSeriesPath = (id: string, metric: string) =>
  `/api/sweeps/${id}/series?key=${encodeURIComponent(metric)}&points=${SWEEP_SERIES_POINTS}`;

/** The Figure-2 aggregation asked for: `step` without a step means the last one. */
export function normsAggregation(st: { a: string; t: string }): string {
  return st.a === 'step' && st.t === '' ? 'last' : st.a;
}

/** How the Figure-2 chart names its aggregation. */
export function normsAggregationLabel(st: { a: string; t: string }): string {
  const agg = normsAggregation(st);
  return agg === 'mean' ? 'mean over steps' : agg === 'step' ? `at step ${st.t}` : 'at the last step';
}

export function sweepNormsPath(id: string, st: { q: string; a: string; t: string }): string {
  const agg = normsAggregation(st);
  return `/api/sweeps/${id}/norms?quantity=${st.q}&agg=${agg}${agg === 'step' ? `&step=${st.t}` : ''}`;
}

/** A view's state from a request's search parameters, as useUrlState reads it from the URL. */
export function stateFromSearch<D extends Record<string, string>>(
  defaults: D,
  search: Record<string, string | string[] | undefined>,
): Record<keyof D, string> {
  return Object.fromEntries(
    Object.entries(defaults).map(([k, d]) => {
      const v = search[k];
      return [k, typeof v === 'string' ? v : Array.isArray(v) && v.length > 0 ? v[0] : d];
    }),
  ) as Record<keyof D, string>;
}
