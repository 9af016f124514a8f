/**
 * What the view builders read from the API, as slices of the query results the API sends: a field renamed or
 * retyped in a query is a type error here and in every view that reads it.
 */
import type { SeriesBucket } from '../queries/series';
import type { RunRecord } from '../queries/runs';

/** The slice of a run (GET /api/sweeps/:id → runs[], lib/queries/runs.ts RunRecord) that the view builders need. */
export type RunInfo = Pick<RunRecord, 'id' | 'kind' | 'label' | 'status' | 'seed' | 'gamma' | 'interval' | 'config'>;

/** One bucket of a downsampled series (lib/queries/series.ts SeriesBucket, as the API sends it). */
export type Bucket = Pick<SeriesBucket, 'firstStep' | 'lastStep' | 'count' | 'min' | 'max' | 'mean'>;

/** A chart's numbers as a plain table: the chart's data toggle, the HTML report's tables. */
export interface DataTable {
  columns: string[];
  rows: (string | number | null)[][];
}

export const LIVE_STATUSES = ['queued', 'running'];

export function anyLive(runs: readonly { status: string }[]): boolean {
  return runs.some((r) => LIVE_STATUSES.includes(r.status));
}
